#!/usr/bin/env python3
"""The Markdown table of bench-scale.sh's results: bench_scale_table.py results.jsonl."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
print("| XML | step | threads | seconds | MB/s of XML | articles/s | × bzcat | peak RSS |")
print("|---|---|---|---|---|---|---|---|")
for size in dict.fromkeys(r["size_mb"] for r in rows):
    group = [r for r in rows if r["size_mb"] == size]
    bzcat = next(r["seconds"] for r in group if r["step"] == "bzcat")
    articles = next((r["articles"] for r in group if r.get("articles")), None)
    for r in group:
        xml = r["xml_mb"]
        rate = f"{articles / r['seconds']:,.0f}" if articles else ""
        print(f"| {xml:,.0f} MB | {r['step']} | {r['threads']} | {r['seconds']:.1f} | {xml / r['seconds']:.1f} | {rate} | "
              f"{bzcat / r['seconds']:.2f} | {r['rss_mib']:.0f} MiB |")
    for t in sorted({r["threads"] for r in group if r["step"] == "extract"}):
        both = sum(r["seconds"] for r in group if r["threads"] == t and r["step"] in ("extract", "clean"))
        print(f"| {group[0]['xml_mb']:,.0f} MB | extract + clean | {t} | {both:.1f} | {group[0]['xml_mb'] / both:.1f} | "
              f"{articles / both:,.0f} | {bzcat / both:.2f} | |")
last = [r for r in rows if r["size_mb"] == rows[-1]["size_mb"]]
for t in sorted({r["threads"] for r in last if r["step"] == "extract"}):
    rate = last[0]["xml_mb"] / sum(r["seconds"] for r in last if r["threads"] == t and r["step"] in ("extract", "clean"))
    print(f"\nprojected for eswiki (about 20,000 MB of XML), extract + clean on {t} thread(s): {20_000 / rate / 60:.0f} min")
print(f"\nload average when the run started: {rows[0]['load_at_start']}; RSS below ~16 MiB is the driver's own (inherited at fork)")
