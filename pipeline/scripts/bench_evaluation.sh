#!/usr/bin/env bash
# Times the evaluation library's hot paths at V = 8192 beside a reference doing the same work in
# the same run: per-position scoring and sampling against numpy, corpus BLEU against sacrebleu.
# Prints median [min, max] milliseconds per call over 7 runs and the ratio reference / Swift.
# The machine is shared and noisy: compare only figures from the same run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The same optimisation as the package's release build: whole module, tuned for this CPU
# unless MINILLM_PORTABLE=1.
cpu=(-target-cpu native)
[ "${MINILLM_PORTABLE:-}" = 1 ] && cpu=()
swiftc -O -wmo "${cpu[@]}" -o "$work/bench" \
    "$root"/Sources/Evaluation/BLEU/*.swift "$root"/Sources/Evaluation/Generation/*.swift \
    "$root"/Sources/Evaluation/Metrics/*.swift "$root/pipeline/scripts/bench_evaluation/main.swift"
cases="$root/Tests/EvaluationTests/Fixtures/bleu-cases.json"
"$work/bench" "$cases" | python3 "$root/pipeline/scripts/bench_evaluation_reference.py" "$cases"
