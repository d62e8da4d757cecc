#!/usr/bin/env bash
# Export round trip: `minillm export train DIR --format minillm`, then the PyTorch reference loads DIR and scores
# the train stage's fixed validation batches; its loss must match the validation loss minillm
# recorded for those weights (the model's `val_loss` metadata) to 1e-4.
#
#   pipeline/scripts/check-export.sh [DIR]      (default: a temporary directory, removed after)
#
# Store: $MINILLM_STORE or ./store; pipeline file: $MINILLM_PIPELINE or pipeline/pipeline.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

store=${MINILLM_STORE:-store}
pipeline=${MINILLM_PIPELINE:-pipeline/pipeline.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=${1:-$work/export}
python3 -c "import torch" 2>/dev/null || python3 -m pip install --quiet torch==2.13.0
swift build -c release --product minillm >&2
minillm() { .build/release/minillm "$1" --store "$store" --pipeline "$pipeline" "${@:2}"; }

minillm export train "$dir" --format minillm >&2
minillm show train > "$work/run.json"
[ "$(jq -r .status "$work/run.json")" = succeeded ] || { echo "check-export: the latest train run did not succeed" >&2; exit 1; }
python3 pipeline/scripts/train_reference.py --store "$store" --run "$work/run.json" --validation-batch "$work/batch.safetensors"
python3 pipeline/scripts/torch_reference.py loss --model "$dir" --batch "$work/batch.safetensors" > "$work/torch.json"
python3 - "$dir/model.safetensors" "$work/torch.json" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    metadata = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))["__metadata__"]
minillm = float(metadata["val_loss"])
torch = json.load(open(sys.argv[2]))
difference = abs(minillm - torch["loss"])
print(f"model of step {metadata['step']}, {torch['tokens']} validation tokens scored")
print(f"minillm validation loss  {minillm:.7f}")
print(f"PyTorch on the export    {torch['loss']:.7f}")
print(f"difference               {difference:.2e} ({'OK' if difference <= 1e-4 else 'FAILED'}: tolerance 1e-4)")
sys.exit(0 if difference <= 1e-4 else 1)
PY
