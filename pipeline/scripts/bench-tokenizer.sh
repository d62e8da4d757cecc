#!/usr/bin/env bash
# Tokenizer and sharding benchmark (release build), minillm beside the references in the same run:
#  1. BPE training, vocabulary 8,192 with the 4 special tokens, on every article of the corpus:
#     minillm vs Hugging Face `tokenizers` BpeTrainer (same pre-tokenizer regex, byte alphabet);
#  2. encoding throughput (MB of UTF-8 text per second) with minillm's trained tokenizer.json,
#     1 thread and 2 threads: minillm vs `tokenizers` (the same file, identical ids) and
#     `tiktoken` (an Encoding built from the same vocabulary and regex);
#  3. sharding end to end (read the JSONL corpus, split, encode, write 3 shards into a store).
# Usage: pipeline/scripts/bench-tokenizer.sh [CORPUS.jsonl[.gz]] [repeats]
#   default corpus ../shared/data/eswiki-plaintext-2000.jsonl.gz (relative to the repository), 3 repeats.
# Installs `tokenizers` and `tiktoken` with pip when missing. Machines are shared and noisy:
# compare only figures from the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-../shared/data/eswiki-plaintext-2000.jsonl.gz}
repeats=${2:-3}
swift build -c release --product minillm-bench-tokenizer >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$corpus" in
    *.gz) gzip -dc "$corpus" > "$work/corpus.jsonl" ;;
    *) cp "$corpus" "$work/corpus.jsonl" ;;
esac
python3 pipeline/scripts/bench-tokenizer.py .build/release/minillm-bench-tokenizer "$work/corpus.jsonl" "$repeats" "$work"
