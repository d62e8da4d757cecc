#!/usr/bin/env python3
"""minillm's clean text beside WikiExtractor's and mwparserfromhell's strip_code(), page by page.

    python -m venv v && v/bin/pip install wikiextractor mwparserfromhell
    bzcat pipeline/data/eswiki-sample-60pages-pages-articles.xml.bz2 > sample.xml
    v/bin/python -m wikiextractor.WikiExtractor sample.xml -o wx --json --processes 1
    minillm cat $(minillm show clean | jq -r .outputs.corpus) > minillm.jsonl   # clean of that dump
    v/bin/python pipeline/scripts/compare_extractors.py sample.xml wx minillm.jsonl [TITLE …]

Prints characters per page for each, totals over the pages minillm keeps, the words each has that
minillm lacks (and the reverse), and for each TITLE the words one has and the other lacks.
"""
import collections
import glob
import html
import json
import re
import sys

import mwparserfromhell

xml_path, wx_dir, mini_path, titles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
mini = {j["title"]: j["text"] for j in map(json.loads, open(mini_path))}
wx = {}
for name in glob.glob(f"{wx_dir}/*/*"):
    for line in open(name):
        record = json.loads(line)
        wx[record["title"]] = record["text"]
raw = {html.unescape(m.group(1)): html.unescape(m.group(2))
       for m in re.finditer(r"<title>(.*?)</title>.*?<text[^>]*>(.*?)</text>", open(xml_path).read(), re.S)}
strip = {title: mwparserfromhell.parse(text).strip_code() for title, text in raw.items() if title in wx}


def words(text):
    return collections.Counter(re.findall(r"\w+", text.lower()))


print("| page | wikitext | minillm | WikiExtractor | strip_code |\n|---|---|---|---|---|")
for title in strip:
    kept = len(mini[title]) if title in mini else "dropped"
    print(f"| {title} | {len(raw[title]):,} | {kept if isinstance(kept, str) else f'{kept:,}'} | {len(wx[title]):,} | {len(strip[title]):,} |")
kept = [t for t in strip if t in mini]
for label, texts in [("WikiExtractor", wx), ("strip_code", strip)]:
    only = sum((words(texts[t]) - words(mini[t]) for t in kept), collections.Counter())
    mine = sum((words(mini[t]) - words(texts[t]) for t in kept), collections.Counter())
    print(f"\nover the {len(kept)} pages minillm keeps: {sum(only.values()):,} word occurrences in {label} and not in "
          f"minillm (most common: {[w for w, _ in only.most_common(15)]}); {sum(mine.values()):,} the other way")
for title in titles:
    print(f"\n{title}: in WikiExtractor only {[w for w, _ in (words(wx[title]) - words(mini.get(title, ''))).most_common(20)]}; "
          f"in minillm only {[w for w, _ in (words(mini.get(title, '')) - words(wx[title])).most_common(20)]}")
