#!/usr/bin/env bash
# Scale benchmark of issue 15: extract → shard on a big, real-shaped multistream dump.
#   SIZES="500 2100" pipeline/scripts/bench-scale.sh      (MB of XML per dump; default "500 2100")
#   THREADS="1 2"                                           (MINILLM_THREADS values; default "1 2")
# For each size it builds (once, cached in bench-out/scale/) a multistream dump of that many MB of
# XML from the repository's bundled pages (pipeline/scripts/make_multistream.py: 100-page streams and
# an index, as Wikimedia's), then measures, each as its own process with its peak RSS (wait4):
# bzcat and lbzip2 -d (references), and minillm-extract, -clean, -vocab, -shard on a fresh store per
# thread count. Results: bench-out/scale/results.jsonl and a Markdown table on stdout
# (pipeline/scripts/bench_scale.py). Run it on a quiet machine: figures taken while other jobs run
# are not comparable. Disk: about 1.6 × the XML size per size (dump, stores), removed per run.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"500 2100"}
THREADS=${THREADS:-"1 2"}
OUT=bench-out/scale
mkdir -p "$OUT"
pipeline/scripts/install-deps.sh
# lbzip2 is a reference for this benchmark only, not a dependency of minillm.
command -v lbzip2 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lbzip2 >&2; }
# BIN=.build/debug checks the script quickly on debug binaries (figures meaningless).
if [ -z "${BIN:-}" ]; then swift build -c release >&2; BIN=.build/release; fi
uptime >&2
python3 pipeline/scripts/bench_scale.py "$OUT" "$BIN" "$SIZES" "$THREADS"
