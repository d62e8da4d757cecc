#!/usr/bin/env bash
# The heavy interop checks on the store's current model (of a standard architecture: GPT-2, Llama or
# Qwen3; README, *Using the model elsewhere*), with the real packages from PyPI (installed when missing):
#   transformers  greedy continuations equal `minillm generate --temperature 0`; tokenizer ids on articles
#   gguf          the GGUF file read back: metadata, tokenizer, every tensor equal to the hf export's
#   llama.cpp     llama-cpp-python (built from source: ~11 min on 2 cores) runs the GGUF file: greedy ≥ 16 tokens equal
#   lm-eval       pipeline/lm-eval/minillm_bits_per_byte.yaml on test-split articles, HF backend: bits/byte
#                 within 1 % of `minillm score` on the same file
# A check whose package cannot be installed is reported SKIPPED (exit 3 from interop_check.py), not passed.
# The logits check (1e-4) needs minillm's logits and runs in the test suite (Tests/ModelFormatsTests/InteropTests).
#
#   pipeline/scripts/check-interop.sh            (MINILLM_INTEROP_ARTICLES test articles, default 5)
#   MINILLM_INTEROP_CHECKS="gguf lm-eval" pipeline/scripts/check-interop.sh     (a subset; default all four)
#
# Store: $MINILLM_STORE or ./store; pipeline file: $MINILLM_PIPELINE or pipeline/pipeline.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
store=${MINILLM_STORE:-store}
pipeline=${MINILLM_PIPELINE:-pipeline/pipeline.json}
articles=${MINILLM_INTEROP_ARTICLES:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --product minillm >&2
minillm() { .build/release/minillm "$1" --store "$store" --pipeline "$pipeline" "${@:2}"; }

minillm export train "$work/hf" >&2
minillm export train "$work/model.gguf" --format gguf >&2
corpus=$(minillm show clean | jq -r .outputs.corpus)
split=$(minillm show vocab | jq -r .outputs.split)
minillm cat "$corpus" > "$work/corpus.jsonl"
minillm cat "$split" > "$work/split.json"
# The first test-split articles of the clean corpus, by the vocab stage's rule (DocumentSplit.swift).
python3 - "$work" "$articles" <<'PY'
import hashlib, json, sys, unicodedata
work, count = sys.argv[1], int(sys.argv[2])
rule = json.load(open(f"{work}/split.json"))
assert rule["scheme"] == "sha256-nfc-title-mod-10000", rule
chosen = []
for line in open(f"{work}/corpus.jsonl", encoding="utf-8"):
    doc = json.loads(line)
    digest = hashlib.sha256(unicodedata.normalize("NFC", doc["title"]).encode()).digest()
    if int.from_bytes(digest[:8], "big") % rule["buckets"] >= rule["trainBuckets"] + rule["validationBuckets"]:
        chosen.append({"title": doc["title"], "text": doc["text"]})
    if len(chosen) == count:
        break
with open(f"{work}/articles.jsonl", "w", encoding="utf-8") as f:
    for doc in chosen:
        f.write(json.dumps(doc, ensure_ascii=False) + "\n")
print(f"{len(chosen)} test-split articles: " + ", ".join(d["title"] for d in chosen), file=sys.stderr)
PY
minillm generate --temperature 0 --max-tokens 32 --json "En el año 1492," "La capital de España" "El río Amazonas" \
    > "$work/greedy.jsonl"
# minillm's ids of each article: the prompt ids `generate` reports (one token generated).
python3 - "$work" "$repo/.build/release/minillm" "$store" "$pipeline" <<'PY'
import json, subprocess, sys
work, minillm, store, pipeline = sys.argv[1:]
texts = [json.loads(l)["text"] for l in open(f"{work}/articles.jsonl", encoding="utf-8")]
out = subprocess.run([minillm, "generate", "--store", store, "--pipeline", pipeline, "--temperature", "0", "--max-tokens", "1",
                      "--json"] + texts, capture_output=True, text=True, check=True).stdout
ids = [json.loads(l)["prompt_ids"][1:] for l in out.splitlines()]
greedy = [json.loads(l) for l in open(f"{work}/greedy.jsonl", encoding="utf-8")]
config = json.load(open(f"{work}/hf/config.json"))
context = config.get("n_positions", config.get("max_position_embeddings"))
json.dump({"hf": f"{work}/hf", "gguf": f"{work}/model.gguf", "context": context,
           "greedy": [{"prompt_ids": g["prompt_ids"], "ids": g["ids"]} for g in greedy],
           "articles": [{"text": t, "ids": i} for t, i in zip(texts, ids)]}, open(f"{work}/spec.json", "w"))
PY

checks=" ${MINILLM_INTEROP_CHECKS:-transformers gguf llama lm-eval} "
failed=0
for check in transformers gguf llama; do
    [[ $checks == *" $check "* ]] || continue
    echo "== $check" >&2
    rc=0
    python3 pipeline/scripts/interop_check.py "$check" "$work/spec.json" || rc=$?
    case $rc in 0) ;; 3) echo "SKIPPED: $check" ;; *) failed=1 ;; esac
done

if [[ $checks != *" lm-eval "* ]]; then
    exit $failed
fi
echo "== lm-eval" >&2
if python3 -c "import lm_eval, accelerate" 2>/dev/null || python3 -m pip install --quiet "lm-eval[hf]"; then
    (cd "$work" && python3 -m lm_eval --model hf --model_args "pretrained=$work/hf,dtype=float32" --device cpu \
        --include_path "$repo/pipeline/lm-eval" --tasks minillm_bits_per_byte --batch_size 1 --output_path "$work/lm-eval" >&2)
    minillm score "$work/articles.jsonl" > "$work/score.json"
    python3 - "$work" <<'PY' || failed=1
import glob, json, sys
work = sys.argv[1]
results = json.load(open(sorted(glob.glob(f"{work}/lm-eval/**/results_*.json", recursive=True))[-1]))["results"]
theirs = results["minillm_bits_per_byte"]["bits_per_byte,none"]
ours = json.load(open(f"{work}/score.json"))["bits_per_byte"]
difference = abs(theirs - ours) / ours
print(f"{'ok  ' if difference <= 0.01 else 'FAIL'} lm-eval bits/byte {theirs:.6f}, minillm score {ours:.6f}: "
      f"{100 * difference:.4f} % apart (≤ 1 %)")
sys.exit(0 if difference <= 0.01 else 1)
PY
else
    echo "SKIPPED: lm-eval (pip install lm-eval[hf] failed)"
fi
exit $failed
