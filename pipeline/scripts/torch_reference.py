#!/usr/bin/env python3
"""PyTorch reference for the Swift MiniGPT (Sources/MiniGPT).

Commands:
  fixtures OUT_DIR        regenerate the parity fixtures used by Tests/MiniGPTTests (float64 reference)
  loss --model DIR --batch FILE
                          load an exported model directory (model.safetensors + config.json) and
                          print the mean loss and accuracy of a batch (safetensors with I32
                          "tokens" and "targets" of shape [B, T]) as JSON
  bench ...               PyTorch training / generation throughput (used by bench-kernels.sh)

Installs torch==2.13.0 with pip if it is missing. Not run by the test command.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import time

import numpy as np


def ensure_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "torch==2.13.0"])
    import torch
    return torch


torch = ensure_torch()
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# ---------------------------------------------------------------- safetensors (numpy only)

DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64}


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, ndarray); written in the given order, header keys sorted."""
    header, offset, blobs = {}, 0, []
    for name, array in tensors:
        array = np.ascontiguousarray(array)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32", np.dtype(np.float64): "F64"}[array.dtype]
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<")).reshape(entry["shape"])
    return out


# ---------------------------------------------------------------- the model

def make_norm(c, width):
    """LayerNorm (with or without bias) or RMSNorm, as the config's norm and bias say."""
    if c.get("norm", "layer") == "rms":
        return nn.RMSNorm(width, eps=c["layer_norm_eps"])
    return nn.LayerNorm(width, eps=c["layer_norm_eps"], bias=c.get("bias", True))


def rotate(x, theta):
    """RoPE in the rotate-half pairing of HF Llama/Qwen3: x is [b, heads, t, hw]."""
    t, hw = x.shape[-2], x.shape[-1]
    inv = theta ** (-torch.arange(0, hw, 2, dtype=torch.float64) / hw)
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    a, b = x[..., : hw // 2], x[..., hw // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, bias = c["d_model"], c.get("bias", True)
        self.heads, self.config = c["n_heads"], c
        self.qkv = nn.Linear(d, 3 * d, bias=bias)
        self.proj = nn.Linear(d, d, bias=bias)
        if c.get("qk_norm", False):
            self.q_norm = nn.RMSNorm(d // self.heads, eps=c["layer_norm_eps"])
            self.k_norm = nn.RMSNorm(d // self.heads, eps=c["layer_norm_eps"])

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape) for z in (q, k, v))
        if hasattr(self, "q_norm"):
            q, k = self.q_norm(q), self.k_norm(k)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        if self.config["positions"] == "rope":
            theta = self.config.get("rope_theta", 10000.0)
            q, k = rotate(q, theta), rotate(k, theta)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        y = scores.softmax(dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


def hidden_width(c):
    if "ffn_width" in c:
        return c["ffn_width"]
    return 4 * c["d_model"] if c.get("mlp", "gelu") == "gelu" else (8 * c["d_model"] // 3 + 31) // 32 * 32


class MLP(nn.Module):
    """4·d GELU, or SwiGLU with the gate's rows first in one fused weight."""

    def __init__(self, c):
        super().__init__()
        d, h, bias = c["d_model"], hidden_width(c), c.get("bias", True)
        self.swiglu = c.get("mlp", "gelu") == "swiglu"
        self.fc = nn.Linear(d, 2 * h if self.swiglu else h, bias=bias)
        self.proj = nn.Linear(h, d, bias=bias)
        self.approximate = "tanh" if c["gelu"] == "tanh" else "none"

    def forward(self, x):
        z = self.fc(x)
        if self.swiglu:
            gate, up = z.chunk(2, dim=-1)
            return self.proj(F.silu(gate) * up)
        return self.proj(F.gelu(z, approximate=self.approximate))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.ln1 = make_norm(c, d)
        self.attn = Attention(c)
        self.ln2 = make_norm(c, d)
        self.mlp = MLP(c)
        self.drop = nn.Dropout(c["dropout"])

    def forward(self, x):
        x = x + self.drop(self.attn(self.ln1(x)))
        return x + self.drop(self.mlp(self.ln2(x)))


def sinusoidal_table(positions, d):
    pos = np.arange(positions, dtype=np.float64)[:, None]
    div = np.exp(np.arange(0, d, 2, dtype=np.float64) * (-math.log(10000.0) / d))
    table = np.zeros((positions, d), dtype=np.float64)
    table[:, 0::2] = np.sin(pos * div)
    table[:, 1::2] = np.cos(pos * div)[:, : d // 2]
    return torch.from_numpy(table.astype(np.float32))


def bigram_rows(tokens, buckets):
    """The hashed bigram table's row of each (previous, current) pair; row buckets-1 at a sequence's start."""
    tokens = tokens.long()
    pairs = torch.bitwise_xor(36313 * tokens[:, 1:], 27191 * tokens[:, :-1]) % (buckets - 1)
    first = torch.full_like(tokens[:, :1], buckets - 1)
    return torch.cat([first, pairs], dim=1)


class MiniGPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, v, t = c["d_model"], c["vocab_size"], c["context_length"]
        self.config = c
        self.tok_emb = nn.Embedding(v, d)
        if c["positions"] == "learned":
            self.pos_emb = nn.Embedding(t, d)
        elif c["positions"] == "sinusoidal":
            self.register_buffer("pos_table", sinusoidal_table(t, d), persistent=False)
        self.drop = nn.Dropout(c["dropout"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["n_layers"]))
        self.ln_f = make_norm(c, d)
        self.head = nn.Linear(d, v, bias=False)
        if c["tie_weights"]:
            self.head.weight = self.tok_emb.weight
        if c.get("bigram_buckets", 0) > 0:
            self.bigram_emb = nn.Embedding(c["bigram_buckets"], d)

    def forward(self, tokens):
        t = tokens.shape[1]
        # The original Transformer scales embeddings by sqrt(d) before adding fixed sinusoids.
        default = math.sqrt(self.config["d_model"]) if self.config["positions"] == "sinusoidal" else 1.0
        x = self.tok_emb(tokens) * self.config.get("embedding_scale", default)
        if hasattr(self, "pos_emb"):
            x = x + self.pos_emb.weight[:t]
        elif hasattr(self, "pos_table"):
            x = x + self.pos_table[:t].to(x.dtype)
        if hasattr(self, "bigram_emb"):
            x = x + self.bigram_emb(bigram_rows(tokens, self.config["bigram_buckets"]))
        x = self.drop(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def loss_fn(logits, targets, smoothing):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long(),
                           ignore_index=-100, label_smoothing=smoothing)


def load_model(directory, dtype=torch.float32):
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    model = MiniGPT(config).to(dtype)
    weights = read_safetensors(os.path.join(directory, "model.safetensors"))
    state = {k: torch.from_numpy(np.array(v)).to(dtype) for k, v in weights.items()}
    if config["tie_weights"]:
        state["head.weight"] = state["tok_emb.weight"]
    model.load_state_dict(state, strict=True)
    return model.eval(), config


def zeropower_ns5(g):
    """Five Newton-Schulz iterations (KellerJordan/Muon), on the wide orientation, in g's dtype."""
    a, b, c = 3.4445, -4.7750, 2.0315
    tall = g.size(0) > g.size(1)
    x = g.T if tall else g
    x = x / (x.norm() + 1e-7)
    for _ in range(5):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


class Muon(torch.optim.Optimizer):
    """Muon for 2-D matrices: Nesterov momentum, orthogonalised update, decoupled weight decay;
    momentum rises from warmup_momentum to momentum over warmup_steps updates."""

    def __init__(self, params, lr, momentum=0.95, weight_decay=0.0, warmup_steps=0, warmup_momentum=0.85):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                                      warmup_steps=warmup_steps, warmup_momentum=warmup_momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = state.get("step", 0) + 1
                m = state.setdefault("momentum", torch.zeros_like(p))
                beta = group["momentum"]
                if state["step"] < group["warmup_steps"]:
                    t = state["step"] / group["warmup_steps"]
                    beta = group["warmup_momentum"] + (group["momentum"] - group["warmup_momentum"]) * t
                m.lerp_(p.grad, 1 - beta)
                update = zeropower_ns5(p.grad.lerp(m, beta)) * max(1, p.size(0) / p.size(1)) ** 0.5
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(update, alpha=-group["lr"])


class MuonAdamW:
    """Muon for the block matrices (attention qkv and projection, MLP in and out), AdamW for the rest."""

    def __init__(self, model, lr, muon_lr, weight_decay, betas=(0.9, 0.999), warmup_steps=0):
        hidden = [p for n, p in model.named_parameters() if n.startswith("blocks.") and p.dim() == 2]
        ids = {id(p) for p in hidden}
        others = [(n, p) for n, p in model.named_parameters() if id(p) not in ids]
        self.muon = Muon(hidden, lr=muon_lr, weight_decay=weight_decay, warmup_steps=warmup_steps)
        self.adamw = torch.optim.AdamW([{"params": [p for _, p in others if p.dim() >= 2], "weight_decay": weight_decay},
                                        {"params": [p for _, p in others if p.dim() < 2], "weight_decay": 0.0}],
                                       lr=lr, betas=betas, eps=1e-8)

    def zero_grad(self):
        self.adamw.zero_grad()
        self.muon.zero_grad()

    def step(self):
        self.adamw.step()
        self.muon.step()


def optimizer_for(model, lr, weight_decay, betas=(0.9, 0.999)):
    params = list(dict(model.named_parameters()).items())
    decay = [p for _, p in params if p.dim() >= 2]
    rest = [p for _, p in params if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": rest, "weight_decay": 0.0}], lr=lr, betas=betas, eps=1e-8)


# ---------------------------------------------------------------- commands

FIXTURE_CONFIGS = {
    "sinusoidal-untied-erf": dict(vocab_size=37, d_model=32, n_layers=2, n_heads=4, context_length=12, dropout=0.0,
                                  gelu="erf", positions="sinusoidal", tie_weights=False, layer_norm_eps=1e-5),
    "learned-tied-tanh": dict(vocab_size=29, d_model=24, n_layers=1, n_heads=3, context_length=9, dropout=0.0,
                              gelu="tanh", positions="learned", tie_weights=True, layer_norm_eps=1e-5),
    # The Qwen3 shape: RMSNorm, RoPE, SwiGLU, QK-norm, no biases, untied.
    "qwen3": dict(vocab_size=31, d_model=32, n_layers=2, n_heads=4, context_length=11, dropout=0.0, gelu="erf",
                  positions="rope", tie_weights=False, layer_norm_eps=1e-6, norm="rms", mlp="swiglu", ffn_width=48,
                  qk_norm=True, bias=False, rope_theta=10000.0),
    # The Qwen3 shape with a hashed bigram embedding of 23 rows (few enough that pairs collide).
    "qwen3-bigram": dict(vocab_size=31, d_model=32, n_layers=2, n_heads=4, context_length=11, dropout=0.0, gelu="erf",
                         positions="rope", tie_weights=False, layer_norm_eps=1e-6, norm="rms", mlp="swiglu",
                         ffn_width=48, qk_norm=True, bias=False, rope_theta=10000.0, bigram_buckets=23),
    # RoPE without QK-norm, LayerNorm without biases, a GELU MLP of non-default width.
    "rope-layernorm-nobias": dict(vocab_size=19, d_model=24, n_layers=1, n_heads=2, context_length=8, dropout=0.0,
                                  gelu="tanh", positions="rope", tie_weights=False, layer_norm_eps=1e-5, ffn_width=40,
                                  bias=False, rope_theta=500.0),
}
FIXTURE_TRAINING = dict(batch=3, smoothing=0.1, lr=3e-3, weight_decay=0.1, max_norm=0.5, steps=10)
# The same model and batch trained with Muon (block matrices) and AdamW (the rest).
MUON_TRAINING = dict(FIXTURE_TRAINING, muon_lr=0.02, muon_warmup_steps=5)


def make_fixture(name, config, out_dir, training=FIXTURE_TRAINING, prefix="parity"):
    torch.manual_seed(1234)
    model = MiniGPT(config)
    with torch.no_grad():
        for p in model.parameters():  # weights N(0, 0.1²); LayerNorm and biases perturbed too
            if p.dim() >= 2:
                p.normal_(0.0, 0.1)
            else:
                p.add_(torch.randn_like(p) * 0.05)
    fp32_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    b, t, v = training["batch"], config["context_length"], config["vocab_size"]
    tokens = torch.randint(0, v, (b, t), dtype=torch.int32)
    targets = torch.randint(0, v, (b, t), dtype=torch.int32)
    targets[0, 2] = -100
    targets[2, t - 1] = -100

    ref = model.double()
    logits = ref(tokens.long())
    loss = loss_fn(logits, targets, training["smoothing"])
    loss.backward()
    names = [n for n, _ in ref.named_parameters()]
    grads = {n: p.grad.detach().clone() for n, p in ref.named_parameters()}

    if "muon_lr" in training:
        opt = MuonAdamW(ref, training["lr"], training["muon_lr"], training["weight_decay"],
                        warmup_steps=training["muon_warmup_steps"])
    else:
        opt = optimizer_for(ref, training["lr"], training["weight_decay"])
    losses, norms = [], []
    for _ in range(training["steps"]):
        opt.zero_grad()
        step_loss = loss_fn(ref(tokens.long()), targets, training["smoothing"])
        step_loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(ref.parameters(), training["max_norm"])))
        opt.step()
        losses.append(float(step_loss.detach()))

    tensors = [("weight." + n, fp32_state[n].numpy().astype(np.float32)) for n in names]
    tensors += [("tokens", tokens.numpy()), ("targets", targets.numpy()),
                ("logits", logits.detach().reshape(b * t, v).numpy()), ("loss", np.array([float(loss.detach())])),
                ("step_losses", np.array(losses)), ("step_grad_norms", np.array(norms))]
    tensors += [("grad." + n, grads[n].numpy()) for n in names]
    metadata = dict(config=json.dumps(config, sort_keys=True), training=json.dumps(training, sort_keys=True),
                    torch=torch.__version__, generator="pipeline/scripts/torch_reference.py fixtures")
    path = os.path.join(out_dir, f"{prefix}-{name}.safetensors")
    write_safetensors(path, tensors, metadata)
    print(f"{path}: loss {float(loss):.8f}, step losses {losses[0]:.6f} → {losses[-1]:.6f}, first norm {norms[0]:.4f}")


def command_fixtures(args):
    os.makedirs(args.out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    for name, config in FIXTURE_CONFIGS.items():
        make_fixture(name, config, args.out)
    make_fixture("sinusoidal-untied-erf", FIXTURE_CONFIGS["sinusoidal-untied-erf"], args.out, MUON_TRAINING, "muon")
    make_fixture("qwen3", FIXTURE_CONFIGS["qwen3"], args.out, MUON_TRAINING, "muon")


def command_loss(args):
    model, config = load_model(args.model)
    batch = read_safetensors(args.batch)
    tokens = torch.from_numpy(np.array(batch["tokens"])).long()
    targets = torch.from_numpy(np.array(batch["targets"]))
    with torch.no_grad():
        logits = model(tokens)
        loss = loss_fn(logits, targets, args.smoothing)
        valid = targets.reshape(-1) != -100
        hits = (logits.reshape(-1, logits.shape[-1]).argmax(-1) == targets.reshape(-1).long()) & valid
    print(json.dumps({"loss": float(loss), "accuracy": float(hits.sum()) / max(int(valid.sum()), 1),
                      "tokens": int(valid.sum())}))


def command_bench(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_bench import run_bench
    run_bench(args, MiniGPT, loss_fn, optimizer_for)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fixtures")
    p.add_argument("out", nargs="?", default=os.path.join(os.path.dirname(__file__), "../../Tests/MiniGPTTests/Fixtures"))
    p.set_defaults(run=command_fixtures)
    p = sub.add_parser("loss")
    p.add_argument("--model", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--smoothing", type=float, default=0.0)
    p.set_defaults(run=command_loss)
    p = sub.add_parser("bench")
    p.add_argument("--config", required=True, help="comma-separated: seed-v1, seed-v2, deep")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--generate", type=int, default=0, help="tokens of KV-cached greedy generation to time")
    p.add_argument("--precision", default="fp32", help="comma-separated: fp32, bf16 (torch.autocast)")
    p.set_defaults(run=command_bench)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
