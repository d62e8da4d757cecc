#!/usr/bin/env python3
"""Reference for bench-clean.sh: mwparserfromhell's strip_code() on the same pages, one core.

usage: bench_mwparser.py PAGES.json RUNS  (PAGES.json: a JSON array of wikitext strings)
Prints one JSON object like minillm-bench-text's.
"""
import json, sys, time

import mwparserfromhell
from mwparserfromhell.parser import use_c

pages = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
size = sum(len(p.encode("utf-8")) for p in pages)
seconds = []
out = 0
for _ in range(runs):
    start = time.perf_counter()
    out = sum(len(mwparserfromhell.parse(p).strip_code().encode("utf-8")) for p in pages)
    seconds.append(time.perf_counter() - start)
seconds.sort()
rates = [size / 1e6 / s for s in seconds]
print(json.dumps({"runs": runs, "bytes": size, "output_bytes": out, "seconds_median": seconds[len(seconds) // 2],
                  "mb_per_s_median": rates[len(rates) // 2], "mb_per_s_min": rates[-1], "mb_per_s_max": rates[0],
                  "c_tokenizer": use_c, "version": mwparserfromhell.__version__}))
