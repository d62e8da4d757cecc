#!/usr/bin/env bash
# Backbone benchmarks (release build):
#  1. wall time of a no-op `minillm run` when every stage is fresh (real pipeline, bundled sample;
#     run the pipeline once before), and of the three-stage fixture pipeline;
#  2. store hashing throughput on a 1 GiB file against `sha256sum`, same file, same run.
# Usage: pipeline/scripts/bench-store.sh [repeats]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-7}
swift build -c release >&2
bin=.build/release

stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.4f  min %.4f  max %.4f  (n=%d)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }
timeit() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo "scale=6; ($e-$s)/1000000000" | bc; }

echo "== no-op run, everything fresh"
fx=$(mktemp -d); mkdir -p "$fx/store" "$fx/pipeline"
echo '{"stages": {"numbers": {"count": 100000}}}' > "$fx/pipeline/pipeline.json"
(cd "$fx" && "$OLDPWD/$bin/minillm-fixture-driver" run >/dev/null 2>&1)
printf "fixture pipeline (3 stages): "; for _ in $(seq "$repeats"); do (cd "$fx" && timeit "$OLDPWD/$bin/minillm-fixture-driver" run); done | stats; echo
rm -rf "$fx"
if [ -f store/catalogue.sqlite ]; then
    stages=$($bin/minillm status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["stages"]))')
    printf "real pipeline (%s stages):      " "$stages"; for _ in $(seq "$repeats"); do timeit $bin/minillm run; done | stats; echo
fi

echo "== hashing a 1 GiB file (GB/s = 1.073741824 / seconds)"
f=$(mktemp); head -c 1073741824 /dev/urandom > "$f"
cat "$f" > /dev/null
ours=$(for _ in $(seq "$repeats"); do timeit $bin/minillm hash "$f"; done | sort -n)
ref=$(for _ in $(seq "$repeats"); do timeit sha256sum "$f"; done | sort -n)
rm -f "$f"
printf "minillm hash: %s s\n" "$(echo "$ours" | stats)"
printf "sha256sum:    %s s\n" "$(echo "$ref" | stats)"
mo=$(echo "$ours" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'); mr=$(echo "$ref" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "throughput ratio (sha256sum time / minillm time, medians): $(echo "scale=2; $mr/$mo" | bc)x"
