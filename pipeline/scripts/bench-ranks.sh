#!/usr/bin/env bash
# Data-parallel training on this machine: the same training (the same bytes, checked) in each
# configuration of ranks × threads, under mpirun, then tokens/s and the share of each step spent in
# the gradient exchange (Σ exchange_s / elapsed, as rank 0 logs them).
#
#   pipeline/scripts/bench-ranks.sh [--steps N] [--micro-batches M] [--configs "1x2 2x1"] [PRESET]
#
# Default: quick, 40 steps, M = 2, configurations (RANKSxTHREADS) 1x2 and 2x1. On a 16-core machine:
# --micro-batches 8 --configs "1x16 2x8 4x4 8x2" (M must be at least the largest rank count). The
# preset's step budget is capped to N and its micro-batches set to M through a temporary copy of the
# pipeline file (the schedule then decays over N steps), in a store of its own
# (bench-out/ranks-store; shards are built on the first run). Each configuration retrains from
# scratch (--force train). Raw results: bench-out/ranks-DATE/. Timing figures are only worth their
# load: the first and last lines give it.
set -euo pipefail
cd "$(dirname "$0")/../.."

steps=40
micro=2
configs="1x2 2x1"
preset=quick
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps=$2; shift 2 ;;
        --micro-batches) micro=$2; shift 2 ;;
        --configs) configs=$2; shift 2 ;;
        -h|--help) sed -n 2,14p "$0"; exit 0 ;;
        -*) echo "usage: $0 [--steps N] [--micro-batches M] [--configs LIST] [PRESET]" >&2; exit 2 ;;
        *) preset=$1; shift ;;
    esac
done

store=bench-out/ranks-store
# Relative paths in a pipeline file resolve against its directory: the copy lives beside the original.
pipeline=pipeline/.bench-ranks-$$.json
trap 'rm -f "$pipeline"' EXIT
jq --arg p "$preset" --argjson n "$steps" --argjson m "$micro" \
    '.presets[$p].train.max_steps = $n | .presets[$p].train.micro_batches = $m' pipeline/pipeline.json > "$pipeline"
mkdir -p "$store"
swift build -c release --product minillm >&2
swift build -c release --product minillm-train >&2
minillm() { .build/release/minillm "$1" --store "$store" --pipeline "$pipeline" --preset "$preset" "${@:2}"; }
out=bench-out/ranks-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
minillm run --until shard > /dev/null

echo "# $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $preset, $steps steps, micro_batches $micro; results in $out" >&2
for config in $configs; do
    ranks=${config%x*}
    threads=${config#*x}
    MINILLM_THREADS=$threads minillm run --until train --force train --ranks "$ranks" > "$out/$config.json"
    minillm cat "$(minillm show train | jq -r .outputs.log)" > "$out/$config.jsonl"
done
echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$out" $configs <<'PY' | tee "$out/table.md"
import json, sys
out, configs = sys.argv[1], sys.argv[2:]
print("| ranks × threads | model | tokens/s | exchange share of a step |")
print("|---|---|---|---|")
models = set()
for config in configs:
    model = next(s for s in json.load(open(f"{out}/{config}.json"))["stages"] if s["stage"] == "train")["outputs"]["model"]
    models.add(model)
    steps = [l for l in map(json.loads, open(f"{out}/{config}.jsonl")) if l["kind"] == "train"]
    exchange = sum(l.get("exchange_s", 0) for l in steps)
    print(f"| {config.replace('x', ' × ')} | {model[:12]} | {steps[-1]['tokens_per_s']:.0f} | "
          f"{100 * exchange / steps[-1]['elapsed_s']:.1f} % |")
if len(models) != 1:
    sys.exit("the configurations trained different model bytes")
PY
