#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole pipeline on the bundled sample:
# installs missing Debian packages, builds in release mode, runs `minillm run "$@"`.
set -euo pipefail
cd "$(dirname "$0")/../.."
pipeline/scripts/install-deps.sh
swift build -c release --product minillm >&2
exec .build/release/minillm run "$@"
