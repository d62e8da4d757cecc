#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole pipeline on the bundled sample: installs missing
# Debian packages, builds in release mode, runs `minillm run "$@"`, then prints where the
# evaluation report is.
set -euo pipefail
cd "$(dirname "$0")/../.."
pipeline/scripts/install-deps.sh
swift build -c release >&2
.build/release/minillm run "$@" >/dev/null
echo "report: $(.build/release/minillm report "$@" 2>/dev/null || echo "(no evaluation yet: the run stopped before evaluate)")"
