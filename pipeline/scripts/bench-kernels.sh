#!/usr/bin/env bash
# Benchmarks the Swift kernels against PyTorch on the same machine in the same run:
# training tokens/s (forward + backward + clipping + AdamW) for seed-v1, seed-v2, deep, qwen3 (the Qwen3
# architecture 256 wide) and quick (the default preset's shape: the same, 64 wide),
# KV-cached greedy generation latency at batch 1, and fp32 matmul peak (ours and numpy/OpenBLAS).
# With --precision fp32,bf16 training runs in both precisions on both sides (PyTorch bf16 =
# torch.autocast on the CPU), the matmul in both, and the instruction peaks (vfmadd231ps, vdpbf16ps).
#
#   pipeline/scripts/bench-kernels.sh [--threads N] [--steps N] [--repeats N] [--configs a,b,c] [--precision fp32,bf16]
#
# PyTorch runs tuned: jemalloc preloaded with decay off and OMP_NUM_THREADS set (the strongest CPU
# setting measured here). Installs torch==2.13.0 (pip) and libjemalloc2 (apt) when missing. Machines
# are shared: run it when nothing else builds, and read the min/median/max spread before trusting a ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."

threads=$(nproc)
steps=3
repeats=3
configs=seed-v1,seed-v2,deep,qwen3,quick
precision=fp32
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --configs) configs=$2; shift 2 ;;
        --precision) precision=$2; shift 2 ;;
        *) echo "usage: $0 [--threads N] [--steps N] [--repeats N] [--configs a,b,c] [--precision fp32,bf16]" >&2; exit 2 ;;
    esac
done

python3 -c "import torch" 2>/dev/null || python3 -m pip install --quiet torch==2.13.0
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ ! -e "$jemalloc" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc2 >&2
fi
swift build -c release --product minillm-bench-kernels >&2
bench=.build/release/minillm-bench-kernels
tuned="env LD_PRELOAD=$jemalloc MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 OMP_NUM_THREADS=$threads"
reference="$tuned python3 pipeline/scripts/torch_reference.py bench"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), threads $threads" >&2
for config in ${configs//,/ }; do
    $bench train --config "$config" --threads "$threads" --steps "$steps" --repeats "$repeats" --precision "$precision" \
        | tee -a "$out" >&2
    $reference --config "$config" --threads "$threads" --steps "$steps" --repeats "$repeats" --precision "$precision" \
        | tee -a "$out" >&2
done
for config in seed-v1 seed-v2; do
    $bench generate --config "$config" --threads "$threads" --tokens 64 --repeats 5 | tee -a "$out" >&2
    $reference --config "$config" --threads "$threads" --generate 64 --repeats 5 | tee -a "$out" >&2
done
$bench gemm --threads "$threads" --sizes 512,1024,2048 --repeats 5 --precision "$precision" | tee -a "$out" >&2
$bench peak --threads "$threads" --repeats 5 | tee -a "$out" >&2
# OpenBLAS: the environment's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE force a slower kernel; unset for this command only.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" python3 - <<'PY' | tee -a "$out" >&2
import time, numpy as np
for n in (512, 1024, 2048):
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32); a @ b
    rates = []
    for _ in range(5):
        t = time.perf_counter(); a @ b; rates.append(2 * n ** 3 / (time.perf_counter() - t) / 1e9)
    rates.sort()
    print(f"RESULT gemm n={n} numpy threads=0 gflops min={rates[0]:.1f} median={rates[2]:.1f} max={rates[-1]:.1f}")
PY
echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 pipeline/scripts/bench_table.py "$out"
