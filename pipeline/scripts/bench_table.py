"""Turns the RESULT lines of bench-kernels.sh into markdown tables with Swift/PyTorch ratios."""
import re
import sys

rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"RESULT (\w+) (\S+) ([\w-]+) threads=\d+ (\w+) min=([\d.]+) median=([\d.]+) max=([\d.]+)"
                 r"(?: gflops_median=([\d.]+) cpu_tokens_per_s=([\d.]+))?(?: loss=([\d.]+))?", line)
    if m:
        kind, name, impl, unit, lo, med, hi, gflops, cpu, loss = m.groups()
        rows[(kind, name, impl)] = (float(lo), float(med), float(hi), float(gflops) if gflops else None,
                                    float(cpu) if cpu else None, float(loss) if loss else None)

# The peak is the best numpy/OpenBLAS run of any size: on a shared machine the median is noise.
peak = max((v[2] for (k, _, impl), v in rows.items() if k == "gemm" and impl == "numpy"), default=None)
print(f"numpy/OpenBLAS matmul peak (best run): {peak:.1f} GFLOP/s" if peak else "no numpy peak measured")
print()
print("| config | Swift tokens/s (min / median / max) | PyTorch tokens/s (min / median / max) | ratio of medians "
      "| ratio of best runs | Swift GFLOP/s (median) | % of matmul peak | tokens per CPU-second Swift / PyTorch (ratio) |")
print("|---|---|---|---|---|---|---|---|")
for (kind, name, impl), s in rows.items():
    if kind != "train" or impl != "swift":
        continue
    t = rows.get((kind, name, "torch"))
    ratio = f"{s[1] / t[1]:.2f}x" if t else "-"
    best = f"{s[2] / t[2]:.2f}x" if t else "-"
    torch_cell = f"{t[0]:.0f} / {t[1]:.0f} / {t[2]:.0f}" if t else "-"
    share = f"{100 * s[3] / peak:.0f}%" if peak else "-"
    cpu = f"{s[4]:.0f} / {t[4]:.0f} ({s[4] / t[4]:.2f}x)" if t else "-"
    print(f"| {name} | {s[0]:.0f} / {s[1]:.0f} / {s[2]:.0f} | {torch_cell} | {ratio} | {best} | {s[3]:.1f} | {share} | {cpu} |")
print()
print("| generation (batch 1, KV cache) | Swift ms/token (min / median / max) | PyTorch ms/token | speed-up (medians) |")
print("|---|---|---|---|")
for (kind, name, impl), s in rows.items():
    if kind == "generate" and impl == "swift":
        t = rows.get((kind, name, "torch"))
        print(f"| {name} | {s[0]:.3f} / {s[1]:.3f} / {s[2]:.3f} | "
              + (f"{t[0]:.3f} / {t[1]:.3f} / {t[2]:.3f} | {t[1] / s[1]:.2f}x |" if t else "- | - |"))
print()
print("| fp32 matmul n³ | Swift GFLOP/s (min / median / max) | numpy/OpenBLAS GFLOP/s (min / median / max) |")
print("|---|---|---|")
for (kind, name, impl), s in rows.items():
    if kind == "gemm" and impl == "swift":
        t = rows.get((kind, name, "numpy"))
        print(f"| {name} | {s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f} | " + (f"{t[0]:.1f} / {t[1]:.1f} / {t[2]:.1f} |" if t else "- |"))

if not any(impl.endswith("-bf16") for (_, _, impl) in rows):
    sys.exit(0)
print()
print("| config | minillm bf16 | minillm fp32 | PyTorch fp32 (tuned) | PyTorch bf16 autocast | bf16 / fp32 (minillm) "
      "| minillm bf16 / PyTorch fp32 | loss after the same steps: minillm bf16 / fp32, PyTorch bf16 / fp32 |")
print("|---|---|---|---|---|---|---|---|")
for (kind, name, impl), s in rows.items():
    if kind != "train" or impl != "swift":
        continue
    cell = {i: rows.get((kind, name, i)) for i in ("swift-bf16", "swift", "torch", "torch-bf16")}
    rate = lambda i: f"{cell[i][1]:.0f}" if cell[i] else "-"
    loss = lambda i: f"{cell[i][5]:.4f}" if cell[i] and cell[i][5] is not None else "-"
    ratio = lambda a, b: f"{cell[a][1] / cell[b][1]:.2f}x" if cell[a] and cell[b] else "-"
    print(f"| {name} | {rate('swift-bf16')} | {rate('swift')} | {rate('torch')} | {rate('torch-bf16')} "
          f"| {ratio('swift-bf16', 'swift')} | {ratio('swift-bf16', 'torch')} "
          f"| {loss('swift-bf16')} / {loss('swift')}, {loss('torch-bf16')} / {loss('torch')} |")
print()
print("| matmul n³ | minillm bf16 GFLOP/s (median) | minillm fp32 GFLOP/s (median) | bf16 / fp32 |")
print("|---|---|---|---|")
for (kind, name, impl), s in rows.items():
    if kind == "gemm" and impl == "swift-bf16":
        f = rows.get((kind, name, "swift"))
        print(f"| {name} | {s[1]:.1f} | " + (f"{f[1]:.1f} | {s[1] / f[1]:.2f}x |" if f else "- | - |"))
peaks = {name: v for (kind, name, _), v in rows.items() if kind == "peak"}
if peaks:
    print()
    print("| instruction peak (all threads) | GFLOP/s (min / median / max) |")
    print("|---|---|")
    for name, v in peaks.items():
        print(f"| {name} | {v[0]:.1f} / {v[1]:.1f} / {v[2]:.1f} |")
