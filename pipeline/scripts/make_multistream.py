#!/usr/bin/env python3
"""Builds a real-shaped multistream pages-articles dump for the scale benchmark.

    make_multistream.py OUT.xml.bz2 OUT-index.txt.bz2 SIZE_MB [PAGES_PER_STREAM] [JOBS]

Pages come from the repository's bundled data only: the 60 pages of
pipeline/data/eswiki-sample-60pages-pages-articles.xml.bz2 (as they are) and the 2,000 articles of
pipeline/data/eswiki-plaintext-2000.jsonl.bz2 (as pages whose wikitext is their plain text, with a
correct <sha1>). They are repeated until the XML reaches SIZE_MB megabytes, each copy with distinct
titles ("Title (k)") and page ids, and compressed as Wikimedia does: the header, every
PAGES_PER_STREAM pages (default 100) and the footer each a bzip2 stream of their own, with an index
of `offset:page_id:title` lines. Prints one JSON line: XML bytes, pages, streams.
"""
import bz2
import hashlib
import json
import multiprocessing
import os
import re
import sys
from xml.sax.saxutils import escape

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
DUMP = os.path.join(ROOT, "eswiki-sample-60pages-pages-articles.xml.bz2")
PLAIN = os.path.join(ROOT, "eswiki-plaintext-2000.jsonl.bz2")


def base36_sha1(data: bytes) -> str:
    n = int.from_bytes(hashlib.sha1(data).digest(), "big")
    digits = ""
    while n:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
    return digits.rjust(31, "0")


def templates():
    """(header, footer, [(page xml, title, page id)]) from the bundled data."""
    xml = bz2.open(DUMP, "rt", encoding="utf-8").read()
    first = xml.index("<page>")
    header, footer = xml[:first], "</mediawiki>\n"
    pages = []
    for block in re.findall(r"<page>.*?</page>\s*", xml, flags=re.S):
        title = re.search(r"<title>(.*?)</title>", block).group(1)
        page_id = int(re.search(r"<id>(\d+)</id>", block).group(1))
        pages.append((block, title, page_id))
    with bz2.open(PLAIN, "rt", encoding="utf-8") as lines:
        for k, line in enumerate(lines):
            record = json.loads(line)
            text = record["text"]
            title = escape(record["title"])
            page_id = 90_000_000 + k
            block = (f"<page>\n    <title>{title}</title>\n    <ns>0</ns>\n    <id>{page_id}</id>\n    <revision>\n"
                     f"      <id>{page_id}</id>\n      <timestamp>2019-10-14T00:00:00Z</timestamp>\n"
                     f"      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                     f"      <text bytes=\"{len(text.encode())}\" xml:space=\"preserve\">{escape(text)}</text>\n"
                     f"      <sha1>{base36_sha1(text.encode())}</sha1>\n    </revision>\n  </page>\n  ")
            pages.append((block, title, page_id))
    return header, footer, pages


def copies(pages, size):
    """Pages, copy after copy, until about `size` bytes of XML."""
    total, k = 0, 0
    while total < size:
        for block, title, page_id in pages:
            new_title = title if k == 0 else f"{title} ({k})"
            new_id = page_id + k * 100_000_000
            out = block.replace(f"<title>{title}</title>", f"<title>{new_title}</title>", 1)
            out = out.replace(f"<id>{page_id}</id>", f"<id>{new_id}</id>", 1)
            data = out.encode()
            total += len(data)
            yield data, new_title, new_id
            if total >= size:
                return
        k += 1


def streams(header, footer, pages, size, per_stream):
    yield header.encode(), []
    batch = []
    for page in copies(pages, size):
        batch.append(page)
        if len(batch) == per_stream:
            yield b"".join(p[0] for p in batch), [(p[2], p[1]) for p in batch]
            batch = []
    if batch:
        yield b"".join(p[0] for p in batch), [(p[2], p[1]) for p in batch]
    yield footer.encode(), []


def compress(item):
    data, entries = item
    return bz2.compress(data, 9), len(data), entries


def main():
    out, index_path, size_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    per_stream = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    jobs = int(sys.argv[5]) if len(sys.argv) > 5 else os.cpu_count()
    header, footer, pages = templates()
    offset = xml_bytes = page_count = stream_count = 0
    index = bz2.BZ2Compressor(9)
    with open(out, "wb") as dump, open(index_path, "wb") as index_file, multiprocessing.Pool(jobs) as pool:
        for compressed, raw, entries in pool.imap(compress, streams(header, footer, pages, size_mb * 1e6, per_stream), 4):
            for page_id, title in entries:
                index_file.write(index.compress(f"{offset}:{page_id}:{title}\n".encode()))
            dump.write(compressed)
            offset += len(compressed)
            xml_bytes += raw
            page_count += len(entries)
            stream_count += 1
        index_file.write(index.flush())
    print(json.dumps({"xml_bytes": xml_bytes, "bz2_bytes": offset, "pages": page_count, "streams": stream_count}))


if __name__ == "__main__":
    main()
