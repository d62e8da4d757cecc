"""PyTorch side of bench-kernels.sh: the same model, steps and settings as minillm-bench-kernels.

Prints RESULT lines in the Swift benchmark's format. Imported by torch_reference.py bench.
"""
import math
import time

import torch
import torch.nn.functional as F

CONFIGS = {  # name: (vocab, d, layers, heads, context, batch)
    "seed-v1": (5000, 256, 2, 4, 128, 32),
    "seed-v2": (8000, 512, 2, 8, 128, 32),
    "deep": (8192, 384, 6, 6, 256, 16),
    "qwen3": (8192, 256, 2, 4, 128, 16),
    "quick": (8192, 96, 2, 3, 128, 16),
}
# The Qwen3 architecture (BenchConfigs.swift): RMSNorm, RoPE, SwiGLU, QK-norm, no biases; `quick` is
# the default preset's shape, `qwen3` the same architecture 256 wide.
QWEN3 = dict(positions="rope", norm="rms", mlp="swiglu", qk_norm=True, bias=False)
OPTIONS = {"qwen3": QWEN3, "quick": QWEN3}


def model_config(name):
    v, d, layers, heads, t, b = CONFIGS[name]
    config = dict(vocab_size=v, d_model=d, n_layers=layers, n_heads=heads, context_length=t, dropout=0.1,
                  gelu="erf", positions="sinusoidal", tie_weights=False, layer_norm_eps=1e-5)
    return dict(config, **OPTIONS.get(name, {})), b


def summary(values):
    s = sorted(values)
    return s[0], s[len(s) // 2], s[-1]


def bench_train(name, threads, steps, repeats, MiniGPT, loss_fn, optimizer_for, bf16=False):
    """bf16: the forward pass under torch.autocast("cpu", dtype=torch.bfloat16) (PyTorch's CPU
    mixed precision: matmuls in bf16, fp32 master weights); the loss of the last step closes the line."""
    config, batch = model_config(name)
    torch.manual_seed(1)
    model = MiniGPT(config)
    model.train()
    opt = optimizer_for(model, 3e-4, 0.01)
    t = config["context_length"]
    tokens = torch.randint(0, config["vocab_size"], (batch, t))
    targets = torch.randint(0, config["vocab_size"], (batch, t))

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(tokens), targets, 0.1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return float(loss)

    last = step()
    rates, cpu_rates = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(steps):
            last = step()
        rates.append(steps * batch * t / (time.perf_counter() - start))
        cpu_rates.append(steps * batch * t / (time.process_time() - cpu_start))
    lo, med, hi = summary(rates)
    d, layers = config["d_model"], config["n_layers"]
    linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
    flops = 6 * linear + 12 * layers * d * t
    impl = "torch-bf16" if bf16 else "torch"
    print(f"RESULT train {name} {impl} threads={threads} tokens_per_s min={lo:.0f} median={med:.0f} max={hi:.0f} "
          f"gflops_median={med * flops / 1e9:.1f} cpu_tokens_per_s={summary(cpu_rates)[1]:.0f} loss={last:.4f}", flush=True)


@torch.no_grad()
def bench_generate(name, threads, count, repeats, MiniGPT):
    config, _ = model_config(name)
    torch.manual_seed(1)
    model = MiniGPT(config).eval()
    d, heads = config["d_model"], config["n_heads"]
    hw = d // heads
    count = min(count, config["context_length"] - 1)

    def greedy():
        caches = [([], []) for _ in model.blocks]
        token = torch.tensor([1])
        for pos in range(count + 1):
            x = model.tok_emb(token) + model.pos_table[pos]
            for block, (keys, values) in zip(model.blocks, caches):
                q, k, v = block.attn.qkv(block.ln1(x)).split(d, dim=-1)
                keys.append(k.view(heads, hw))
                values.append(v.view(heads, hw))
                kk, vv = torch.stack(keys, 1), torch.stack(values, 1)  # heads × t × hw
                scores = (kk @ q.view(heads, hw, 1)).squeeze(-1) / math.sqrt(hw)
                att = (scores.softmax(-1).unsqueeze(1) @ vv).reshape(1, d)
                x = x + block.attn.proj(att)
                x = x + block.mlp(block.ln2(x))
            token = model.head(model.ln_f(x)).argmax(-1)

    greedy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        greedy()
        times.append(1000 * (time.perf_counter() - start) / (count + 1))
    lo, med, hi = summary(times)
    print(f"RESULT generate {name} torch threads={threads} ms_per_token min={lo:.3f} median={med:.3f} max={hi:.3f}",
          flush=True)


def run_bench(args, MiniGPT, loss_fn, optimizer_for):
    torch.set_num_threads(args.threads)
    for name in args.config.split(","):
        if args.generate:
            bench_generate(name, args.threads, args.generate, args.repeats, MiniGPT)
        else:
            for precision in args.precision.split(","):
                bench_train(name, args.threads, args.steps, args.repeats, MiniGPT, loss_fn, optimizer_for,
                            bf16=precision == "bf16")
