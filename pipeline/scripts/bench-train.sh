#!/usr/bin/env bash
# The train stage against the PyTorch reference, side by side in the same run: for each preset,
# minillm's train stage (`minillm run --until train --force train`) and train_reference.py on the
# same shards, batches, hyper-parameters and token budget, alternating, then a table of wall
# time, tokens/s and final / best validation loss.
#
#   pipeline/scripts/bench-train.sh [--repeats N] [--threads N] [PRESET[:MAX_STEPS]...]
#
# Default preset: seed-v1:600. The reference mirrors the AdamW / LayerNorm / GELU recipe only and
# refuses the others (today's `quick`: Muon, warmup-stable-decay, the Qwen3 shape); the recipe race
# (bench-recipe.py) is the comparison for those. PRESET:MAX_STEPS caps that preset's step budget (through a
# temporary copy of the pipeline file; the schedule then decays over the capped budget) so that a
# long preset can be compared in minutes. The store is $MINILLM_STORE or ./store, the pipeline
# file $MINILLM_PIPELINE or pipeline/pipeline.json. Shards missing for a preset are built first
# (`minillm run --until shard`). The train stage resumes from the `last` checkpoint of its cache
# key, which a finished run leaves behind, so the benchmark deletes that key's checkpoint rows
# before each timed run (their artifacts stay until `minillm gc`). Raw results:
# bench-out/train-DATE/. Machines are shared and noisy: compare only within a run, and read the
# min–max spread.
set -euo pipefail
cd "$(dirname "$0")/../.."

repeats=1
threads=$(nproc)
presets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) repeats=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        -h|--help) sed -n 2,18p "$0"; exit 0 ;;
        -*) echo "usage: $0 [--repeats N] [--threads N] [PRESET[:MAX_STEPS]...]" >&2; exit 2 ;;
        *) presets+=("$1"); shift ;;
    esac
done
[ ${#presets[@]} -gt 0 ] || presets=(seed-v1:600)

store=${MINILLM_STORE:-store}
source_pipeline=${MINILLM_PIPELINE:-pipeline/pipeline.json}
# Relative paths in a pipeline file resolve against the parent of its directory, so the
# capped copy lives beside the original.
pipeline=$(dirname "$source_pipeline")/.bench-train-$$.json
trap 'rm -f "$pipeline"' EXIT
mkdir -p "$store"
python3 -c "import torch" 2>/dev/null || python3 -m pip install --quiet torch==2.13.0
swift build -c release --product minillm >&2
minillm() { .build/release/minillm "$1" --store "$store" --pipeline "$pipeline" "${@:2}"; }
out=bench-out/train-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

echo "# $(nproc) CPUs, $threads threads, load average $(cut -d' ' -f1-3 /proc/loadavg); results in $out" >&2
names=()
for spec in "${presets[@]}"; do
    preset=${spec%%:*}
    names+=("$preset")
    if [ "$spec" != "$preset" ]; then
        jq --arg p "$preset" --argjson n "${spec#*:}" '.presets[$p].train.max_steps = $n' "$source_pipeline" > "$pipeline"
    else
        cp "$source_pipeline" "$pipeline"
    fi
    minillm run --until shard --preset "$preset" > /dev/null
    key=$(minillm status --json --preset "$preset" | jq -r '.stages[] | select(.stage == "train") | .key')
    for ((r = 1; r <= repeats; r++)); do
        sqlite3 "$store/catalogue.sqlite" "DELETE FROM checkpoints WHERE cache_key = '$key'"
        echo "# $spec, repeat $r: minillm" >&2
        MINILLM_THREADS=$threads minillm run --until train --force train --preset "$preset" > "$out/$preset-minillm-$r.json"
        minillm show train > "$out/$preset-run.json"
        minillm cat "$(jq -r .outputs.log "$out/$preset-run.json")" > "$out/$preset-minillm-$r.jsonl"
        echo "# $spec, repeat $r: PyTorch" >&2
        python3 pipeline/scripts/train_reference.py --store "$store" --run "$out/$preset-run.json" \
            --threads "$threads" > "$out/$preset-torch-$r.json"
    done
done
echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 pipeline/scripts/bench_train_table.py "$out" "${names[@]}" | tee "$out/table.md"
