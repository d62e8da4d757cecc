#!/usr/bin/env bash
# Times the evaluation library's hot paths at V = 8192 beside a reference doing the same work in
# the same run: per-position scoring and sampling against numpy, corpus BLEU against sacrebleu.
# Prints median [min, max] milliseconds per call over 7 runs and the ratio reference / Swift.
# The machine is shared and noisy: compare only figures from the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The same optimisation as the package's other release products (tuned for this CPU unless
# MINILLM_PORTABLE=1).
swift build -c release --product minillm-bench-evaluation >&2
cases=Tests/EvaluationTests/Fixtures/bleu-cases.json
.build/release/minillm-bench-evaluation "$cases" | python3 pipeline/scripts/bench_evaluation_reference.py "$cases"
