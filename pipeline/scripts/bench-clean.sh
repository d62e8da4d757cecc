#!/usr/bin/env bash
# Text-stage benchmarks, side by side with their references in the same run:
#   1. wikitext → plain text, MB/s of wikitext per core: our Cleaner vs mwparserfromhell's strip_code()
#      on the same 59 pages of the bundled dump (one thread each);
#   2. the bundled .xml.bz2 dump: our parsing (extract) and parsing + cleaning vs `bzcat` alone;
#   3. one 50 MB hostile page; the clean stage on the 2,000-article plain-text sample with 1 and 2 threads.
# Medians with min/max over RUNS runs (default 10; REF_RUNS for mwparserfromhell, default 3).
# The machine is shared: compare figures only within one run of this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10}
REF_RUNS=${REF_RUNS:-3}
OUT=bench-out/text
DUMP=pipeline/data/eswiki-sample-60pages-pages-articles.xml.bz2
SAMPLE=pipeline/data/eswiki-plaintext-2000.jsonl.bz2
mkdir -p "$OUT"

swift build -c release --product minillm-bench-text >&2
BENCH=.build/release/minillm-bench-text
[ -x bench-out/venv/bin/python ] || python3 -m venv bench-out/venv
bench-out/venv/bin/python -c "import mwparserfromhell" 2>/dev/null || bench-out/venv/bin/pip install --quiet mwparserfromhell >&2

"$BENCH" export-pages "$DUMP" "$OUT/pages.json"
echo "cleaning: minillm" >&2;          "$BENCH" clean "$DUMP" "$RUNS" > "$OUT/clean.json"
echo "cleaning: mwparserfromhell" >&2; bench-out/venv/bin/python pipeline/scripts/bench_mwparser.py "$OUT/pages.json" "$REF_RUNS" > "$OUT/mwparser.json"
echo "dump: parse" >&2;                "$BENCH" parse "$DUMP" "$RUNS" > "$OUT/parse.json"
echo "dump: parse + clean" >&2;        "$BENCH" dump "$DUMP" "$RUNS" > "$OUT/dump.json"
echo "dump: bzcat" >&2
python3 - "$DUMP" "$RUNS" > "$OUT/bzcat.json" <<'PY'
import json, os, subprocess, sys, time
path, runs = sys.argv[1], int(sys.argv[2])
size = len(subprocess.run(["bzcat", path], capture_output=True, check=True).stdout)
seconds = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(["bzcat", path], stdout=subprocess.DEVNULL, check=True)
    seconds.append(time.perf_counter() - start)
seconds.sort()
rates = [size / 1e6 / s for s in seconds]
print(json.dumps({"runs": runs, "bytes": size, "seconds_median": seconds[len(seconds) // 2],
                  "mb_per_s_median": rates[len(rates) // 2], "mb_per_s_min": rates[-1], "mb_per_s_max": rates[0]}))
PY
echo "big page" >&2;                   "$BENCH" big-page 50 > "$OUT/bigpage.json"
echo "sample, 1 and 2 threads" >&2;    "$BENCH" sample "$SAMPLE" 3 > "$OUT/sample.json"

python3 - "$OUT" <<'PY'
import json, sys
d = sys.argv[1]
r = {n: json.load(open(f"{d}/{n}.json")) for n in ["clean", "mwparser", "parse", "dump", "bzcat", "bigpage", "sample"]}
def row(label, x):
    print(f"  {label:<34} {x['mb_per_s_median']:8.2f} MB/s   (min {x['mb_per_s_min']:.2f}, max {x['mb_per_s_max']:.2f}, {x['runs']} runs)")
print(f"1. wikitext to plain text, one core, {r['clean']['pages']} pages, {r['clean']['bytes']:,} bytes of wikitext")
row("minillm Cleaner", r["clean"])
row(f"mwparserfromhell {r['mwparser']['version']} strip_code", r["mwparser"])
print(f"  ratio (medians): {r['clean']['mb_per_s_median'] / r['mwparser']['mb_per_s_median']:.1f}x")
print(f"2. bundled dump, {r['parse']['bytes']:,} bytes of XML (MB/s of decompressed XML)")
row("bzcat alone", r["bzcat"])
row("minillm parse (extract)", r["parse"])
row("minillm parse + clean", r["dump"])
print(f"  parse / bzcat: {r['parse']['mb_per_s_median'] / r['bzcat']['mb_per_s_median']:.2f}   "
      f"parse+clean / bzcat: {r['dump']['mb_per_s_median'] / r['bzcat']['mb_per_s_median']:.2f}")
b = r["bigpage"]
print(f"3. one {b['bytes'] / 1e6:.0f} MB hostile page: {b['seconds']:.2f} s ({b['mb_per_s']:.1f} MB/s)")
s = r["sample"]
print(f"   clean stage on the plain-text sample ({s['threads_1']['bytes']:,} bytes, {s['threads_1']['articles_out']} articles kept):")
row("1 thread", s["threads_1"])
row("2 threads", s["threads_2"])
PY
