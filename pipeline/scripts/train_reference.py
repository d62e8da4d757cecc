#!/usr/bin/env python3
"""PyTorch side of bench-train.sh: trains torch_reference.MiniGPT the way minillm's train stage does.

    train_reference.py --store DIR --run FILE [--threads N] [--set KEY=JSON ...] [--score-splits]
    train_reference.py --store DIR --run FILE --validation-batch OUT.safetensors

FILE is `minillm show train` of the run to mirror: its `parameters` (every train parameter,
resolved) and its `inputs.shards` (the shard manifest, read from DIR/objects). The shards are
memory-mapped with numpy; batches are minillm's BatchSampler offsets (SplitMix64 seeded with
seed ^ step·0xD1B54A32D192ED03, mapped by a 64×64→128-bit multiply); validation uses the first
eval_batches batches of SequentialBatches over the val split, [BOS] targets and padding ignored,
loss without label smoothing. Same initialisation scheme (N(0, 0.02²), residual projections
scaled by 1/√(2·layers)), AdamW decay groups, warmup + cosine/linear/constant schedule, label
smoothing, gradient clipping, dropout, step budget and early stopping. Prints one JSON object.
With --validation-batch it only writes those validation batches as one batch file for
`torch_reference.py loss` (check-export.sh). `--set` overrides a train parameter of the run (a JSON
value: `--set width=256 --set positions='"sinusoidal"'`); `--score-splits` then also scores the
whole validation and test splits as the evaluate stage does and adds their bits per byte. A run
whose recipe this trainer does not implement (Muon, warmup-stable-decay, the Llama / Qwen3 options)
is refused, naming the parameter: it would otherwise train a different model than it claims to.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import MiniGPT, loss_fn, optimizer_for, torch, write_safetensors  # noqa: E402

MASK = (1 << 64) - 1
BOS, PAD, IGNORED = 2, 0, -100

# ---------------------------------------------------------------- shards (docs/tokenizer.md)


def object_path(store, hash_hex):
    return os.path.join(store, "objects", hash_hex[:2], hash_hex)


def read_shard(path):
    """The tokens of a shard file, memory-mapped (128-byte header, little-endian)."""
    with open(path, "rb") as f:
        header = f.read(128)
    if header[:8] != b"MLLMSHRD":
        sys.exit(f"{path}: not a minillm shard (magic {header[:8]!r})")
    version, width = np.frombuffer(header[8:16], dtype="<u4")
    count = int(np.frombuffer(header[16:24], dtype="<u8")[0])
    if version != 1 or width not in (2, 4):
        sys.exit(f"{path}: unsupported shard version {version} or token width {width}")
    return np.memmap(path, dtype="<u2" if width == 2 else "<u4", mode="r", offset=128, shape=(count,))


def shard_text_bytes(path):
    """The UTF-8 bytes of the shard's documents (header offset 32), the bits-per-byte denominator."""
    with open(path, "rb") as f:
        return int(np.frombuffer(f.read(40)[32:40], dtype="<u8")[0])


# ---------------------------------------------------------------- batches (Sources/DataShards/Batch.swift)


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def sampler_offsets(seed, step, batch, count, context):
    state = seed ^ ((step * 0xD1B54A32D192ED03) & MASK)
    positions, offsets = count - context, []
    for _ in range(batch):
        state, value = splitmix64(state)
        offsets.append((value * positions) >> 64)
    return offsets


def train_batch(tokens, seed, step, batch, context):
    starts = np.array(sampler_offsets(seed, step, batch, len(tokens), context), dtype=np.int64)
    windows = tokens[starts[:, None] + np.arange(context + 1)].astype(np.int64)
    return torch.from_numpy(windows[:, :-1]), torch.from_numpy(windows[:, 1:])


def validation_batches(tokens, batch, context, limit):
    count = len(tokens)
    windows = 0 if count < 2 else (count - 2) // context + 1
    batches = []
    for index in range(min(limit, (windows + batch - 1) // batch)):
        inputs = np.full((batch, context), PAD, dtype=np.int64)
        targets = np.full((batch, context), IGNORED, dtype=np.int64)
        for row in range(batch):
            window = index * batch + row
            if window >= windows:
                break
            start = window * context
            length = min(context, count - 1 - start)
            inputs[row, :length] = tokens[start:start + length]
            targets[row, :length] = tokens[start + 1:start + 1 + length]
        targets[targets == BOS] = IGNORED
        batches.append((torch.from_numpy(inputs), torch.from_numpy(targets)))
    return batches


# ---------------------------------------------------------------- schedule and budget (Sources/Training)


# The parameters this trainer mirrors only at these values (or, for `decay`, these values).
MIRRORED = {"optimizer": ("adamw",), "decay": ("cosine", "linear", "constant"), "norm": ("layer",),
            "mlp": ("gelu",), "qk_norm": (False,), "bias": (True,), "zero_init": (False,)}


def check_mirrored(p):
    for name, allowed in MIRRORED.items():
        if name in p and p[name] not in allowed:
            sys.exit(f"train_reference.py: {name} = {json.dumps(p[name])} is not implemented here "
                     f"(only {', '.join(json.dumps(a) for a in allowed)}); this trainer mirrors the AdamW / "
                     "LayerNorm / GELU recipe")


def learning_rate(p, step, total):
    peak, warmup = p["lr"], p["warmup_steps"]
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min((step - warmup) / max(total - warmup, 1), 1.0)
    floor = peak * p["min_lr_ratio"]
    if p["decay"] == "constant":
        return peak
    if p["decay"] == "linear":
        return floor + (peak - floor) * (1 - progress)
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def total_steps(p, train_tokens):
    per_step = p["batch_size"] * p["context"]
    steps = p["max_steps"]
    if p["max_tokens"] > 0:
        steps = min(steps, max(1, p["max_tokens"] // per_step))
    if p["max_epochs"] > 0:
        steps = min(steps, max(1, math.ceil(p["max_epochs"] * train_tokens / per_step)))
    return steps


def initialise(model, layers):
    """ParameterLayout's scheme: matrices and embeddings N(0, 0.02²), the two residual
    projections of each block 0.02/√(2·layers), biases 0, LayerNorm weights 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("attn.proj.weight", "mlp.proj.weight")) else 0.02
                p.normal_(0.0, std)
            elif name.endswith(("ln1.weight", "ln2.weight", "ln_f.weight")):
                p.fill_(1.0)
            else:
                p.zero_()


@torch.no_grad()
def evaluate(model, batches):
    model.eval()
    nll, correct, counted = 0.0, 0, 0
    for inputs, targets in batches:
        logits = model(inputs)
        nll += float(torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                                       ignore_index=IGNORED, reduction="sum"))
        valid = targets.reshape(-1) != IGNORED
        correct += int(((logits.reshape(-1, logits.shape[-1]).argmax(-1) == targets.reshape(-1)) & valid).sum())
        counted += int(valid.sum())
    model.train()
    return nll / max(counted, 1), correct / max(counted, 1)


@torch.no_grad()
def split_bits_per_byte(model, tokens, text_bytes, batch, context):
    """The evaluate stage's whole-split score: every window of SequentialBatches, [BOS] targets
    skipped, Σ −ln p over the split's UTF-8 bytes (the shard header's count), in bits."""
    model.eval()
    nll = 0.0
    for inputs, targets in validation_batches(tokens, batch, context, math.inf):
        logits = model(inputs)
        nll += float(torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                                       ignore_index=IGNORED, reduction="sum"))
    model.train()
    return nll / math.log(2) / text_bytes


def train(p, train_tokens, val_tokens, vocab_size, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(p["seed"])
    config = dict(vocab_size=vocab_size, d_model=p["width"], n_layers=p["layers"], n_heads=p["heads"],
                  context_length=p["context"], dropout=p["dropout"], gelu=p["gelu"], positions=p["positions"],
                  tie_weights=p["tie_weights"], layer_norm_eps=1e-5)
    model = MiniGPT(config)
    initialise(model, p["layers"])
    model.train()
    opt = optimizer_for(model, p["lr"], p["weight_decay"], betas=(p["beta1"], p["beta2"]))
    b, t = p["batch_size"], p["context"]
    steps = total_steps(p, len(train_tokens))
    val = validation_batches(val_tokens, b, t, p["eval_batches"])
    best, best_step, without_improvement = math.inf, -1, 0
    evals, tokens_per_s, loop_s = [], 0.0, 0.0
    started = time.perf_counter()
    for step in range(steps):
        inputs, targets = train_batch(train_tokens, p["seed"], step, b, t)
        for group in opt.param_groups:
            group["lr"] = learning_rate(p, step, steps)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), targets, p["label_smoothing"])
        loss.backward()
        if p["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), p["grad_clip"])
        opt.step()
        loop_s = time.perf_counter() - started
        tokens_per_s = (step + 1) * b * t / loop_s  # as minillm: measured before this step's evaluation
        if (step + 1) % p["eval_every"] == 0 or step + 1 == steps:
            val_loss, val_accuracy = evaluate(model, val)
            evals.append({"step": step, "loss": val_loss, "accuracy": val_accuracy, "train_objective": loss.item()})
            print(f"[torch] step {step + 1}/{steps}  validation loss {val_loss:.4f}  {tokens_per_s:.0f} tok/s",
                  file=sys.stderr, flush=True)
            if val_loss < best - p["min_delta"]:
                best, best_step, without_improvement = val_loss, step, 0
            else:
                without_improvement += 1
                if p["patience"] > 0 and without_improvement >= p["patience"]:
                    break
    return model, {"steps": step + 1, "tokens": (step + 1) * b * t, "loop_s": loop_s, "tokens_per_s": tokens_per_s,
                   "final_val_loss": evals[-1]["loss"], "best_val_loss": best, "best_step": best_step, "evals": evals,
                   "threads": threads, "torch": torch.__version__}


def main():
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="the minillm store directory")
    parser.add_argument("--run", required=True, help="`minillm show train` JSON of the run to mirror")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--validation-batch", metavar="FILE", help="write the fixed validation batches and exit")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="override a train parameter")
    parser.add_argument("--score-splits", action="store_true", help="score the whole validation and test splits")
    args = parser.parse_args()
    with open(args.run) as f:
        run = json.load(f)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in run["parameters"]:
            sys.exit(f"train_reference.py: --set {key}: not a train parameter of the run")
        run["parameters"][key] = json.loads(value)
    check_mirrored(run["parameters"])
    with open(object_path(args.store, run["inputs"]["shards"])) as f:
        manifest = json.load(f)
    parts = {name: read_shard(object_path(args.store, part["shard"])) for name, part in manifest["parts"].items()}
    if args.validation_batch:
        p = run["parameters"]
        batches = validation_batches(parts["val"], p["batch_size"], p["context"], p["eval_batches"])
        write_safetensors(args.validation_batch, [(name, torch.cat([b[i] for b in batches]).numpy().astype(np.int32))
                                                  for i, name in enumerate(("tokens", "targets"))])
        return
    p = run["parameters"]
    model, result = train(p, parts["train"], parts["val"], manifest["vocabularySize"], args.threads)
    result["wall_s"] = time.perf_counter() - started
    if args.score_splits:
        result["bits_per_byte"] = {
            name: split_bits_per_byte(model, parts[name], shard_text_bytes(object_path(args.store, manifest["parts"][name]["shard"])),
                                      p["batch_size"], p["context"]) for name in ("val", "test")}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
