#!/usr/bin/env bash
# Installs the Debian packages minillm builds against, if any is missing.
set -euo pipefail
need=()
for pkg in libsqlite3-dev libcurl4-openssl-dev libssl-dev libbz2-dev sqlite3 pkg-config openmpi-bin libopenmpi-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
