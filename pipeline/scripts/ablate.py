#!/usr/bin/env python3
"""The recipe ablation: trains each variant of a base preset from the same seed and data at the
same token budget, scores it on the whole validation and test splits, and writes a table.

    pipeline/scripts/ablate.py [--base quick] [--tokens N] [--eval-tokens N] [--jobs 2]
                               [--out docs/quality-ablation.md] [--only v0,v3]

Each variant is the base preset's train section plus the overrides listed in VARIANTS (cumulative
rows build on the row before; a "vocab." or "evaluate." key overrides a parameter of that stage instead). Every variant gets its own preset in a temporary copy of
pipeline/pipeline.json, so extract -> shard run once and are shared through one store
(bench-out/ablate-store). With --jobs 2 two variants train at once, one thread each (results are
bitwise independent of the thread count; only the tokens/s column depends on it). Requires a
release build (`swift build -c release`)."""
import argparse, copy, json, math, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MINILLM = os.path.join(ROOT, ".build/release/minillm")

# The recipe `quick` had before the ablation; every row starts from it.
# Its shape and budget are stated too, so the rows keep their meaning whatever `quick` is now.
AS_SHIPPED = {"positions": "sinusoidal", "label_smoothing": 0.1, "optimizer": "adamw", "decay": "cosine",
              "min_lr_ratio": 0.1, "lr": 0.001, "norm": "layer", "qk_norm": False, "mlp": "gelu", "bias": True,
              "embedding_scale": 0.0, "width": 256, "heads": 4, "layers": 2, "max_steps": 500, "eval_every": 100}
# The recipe of row 8 (what `quick` was before the Llama / Qwen3 options), for the later "alone" rows.
ROW8 = dict(AS_SHIPPED, label_smoothing=0.0, optimizer="muon", muon_lr=0.02, decay="wsd", min_lr_ratio=0.0, lr=0.003)
# Row 14: the Qwen3 shape with embeddings × 16, today's `quick`.
ROW14 = dict(ROW8, positions="rope", norm="rms", bias=False, mlp="swiglu", qk_norm=True, embedding_scale=16.0)
# Rows 16-50 ran while `quick` trained in four micro-batches (2026-12-02) and say so, so that they keep
# their bytes now that `quick` trains in one; the rows before were first run in one, as they are now.
ROW14_M4 = dict(ROW14, micro_batches=4)


def shape(width, heads, steps, **changes):
    """Row 14 at another width and step budget, embeddings × √width (to 3 decimals, as the rows ran)."""
    return dict(ROW14_M4, width=width, heads=heads, embedding_scale=round(math.sqrt(width), 3), max_steps=steps, **changes)


# The 4,096-token rows score 299,008 positions, about the bytes of 262,144 of 8,192 tokens.
BPE4096 = {"vocab.bpe_vocab_size": 4096, "evaluate.max_tokens": 299008}
WHOLE = {"evaluate.max_tokens": 0}
# Row 52: today's `quick` (96 wide, 2,200 steps, one micro-batch), scored on whole splits.
QUICK52 = shape(96, 3, 2200, micro_batches=1, eval_every=200, **WHOLE)
# (name, overrides, cumulative): cumulative rows apply on top of the previous cumulative row; row 14
# is today's `quick`.
VARIANTS = [
    ("as shipped (sinusoidal ×√d, label smoothing 0.1, AdamW, cosine)", {}, True),
    ("label smoothing 0", {"label_smoothing": 0.0}, True),
    ("learned positions", {"positions": "learned"}, True),
    ("Muon for the block matrices (lr 0.02)", {"optimizer": "muon", "muon_lr": 0.02}, True),
    ("warmup-stable-decay (cool-down 40 %, to 0)", {"decay": "wsd", "min_lr_ratio": 0.0}, True),
    ("AdamW lr 3e-3 for embeddings and head", {"lr": 0.003}, True),
    ("alone: Muon on the as-shipped recipe", {"optimizer": "muon", "muon_lr": 0.02}, False),
    ("alone: warmup-stable-decay on the as-shipped recipe", {"decay": "wsd", "min_lr_ratio": 0.0}, False),
    ("back to sinusoidal positions (×√d) on row 6", {"positions": "sinusoidal"}, True),
    ("rotary positions (RoPE) instead of sinusoids", {"positions": "rope"}, True),
    ("RMSNorm, no biases", {"norm": "rms", "bias": False}, True),
    ("SwiGLU MLP (same parameter count)", {"mlp": "swiglu"}, True),
    ("QK-norm (the Qwen3 shape)", {"qk_norm": True}, True),
    ("alone: QK-norm on row 9 (RoPE, LayerNorm, GELU)", dict(ROW8, positions="rope", qk_norm=True), False),
    ("token embeddings ×√d (16) on row 12", {"embedding_scale": 16.0}, True),
    ("alone: a 4,096-token BPE vocabulary and 700 steps (about row 14's time) on row 14",
     dict(ROW14, max_steps=700, **{"vocab.bpe_vocab_size": 4096}), False),
    ("alone: learning rates ×2 (AdamW 6e-3, Muon 0.04) on row 14",
     dict(ROW14_M4, lr=0.006, muon_lr=0.04), False),
    # One change each on row 14 (today's `quick`): docs/quality.md, "Tuning the default recipe at its budget".
    ("alone: AdamW 1e-2, Muon 0.04 on row 14", dict(ROW14_M4, lr=0.01, muon_lr=0.04), False),
    ("alone: context 256, batch 8 on row 14", dict(ROW14_M4, context=256, batch_size=8), False),
    ("alone: 4 layers on row 14", dict(ROW14_M4, layers=4), False),
    ("alone: zero-initialised head and output projections on row 14", dict(ROW14_M4, zero_init=True), False),
    ("alone: AdamW beta2 0.95 on row 14", dict(ROW14_M4, beta2=0.95), False),
    ("alone: AdamW beta1 0.8, beta2 0.95 on row 14", dict(ROW14_M4, beta1=0.8, beta2=0.95), False),
    ("alone: batch 8 x 1,000 steps (2 micro-batches) on row 14",
     dict(ROW14_M4, batch_size=8, micro_batches=2, max_steps=1000, warmup_steps=100), False),
    ("alone: batch 32 x 250 steps on row 14", dict(ROW14_M4, batch_size=32, max_steps=250, warmup_steps=25), False),
    ("alone: cool-down over the whole run on row 14", dict(ROW14_M4, cooldown_fraction=1.0), False),
    ("alone: a 4,096-token BPE vocabulary, same steps, on row 14", dict(ROW14_M4, **{"vocab.bpe_vocab_size": 4096}), False),
    # The shape at equal time (docs/quality.md, "Narrower models, more tokens"): each row trains about
    # 0.7 of row 14's time (the steps set from measured tokens/s).
    ("alone: row 14 at 350 steps (0.7 of its time)", dict(ROW14_M4, max_steps=350), False),
    ("alone: width 192, 3 heads, 490 steps", shape(192, 3, 490), False),
    ("alone: width 128, 2 heads, 810 steps", shape(128, 2, 810), False),
    ("alone: width 128, 2 heads, 810 steps, learning rates x2", shape(128, 2, 810, lr=0.006, muon_lr=0.04), False),
    ("alone: width 128, 3 layers, 660 steps", shape(128, 2, 660, layers=3), False),
    ("alone: width 128, 4 layers, 550 steps", shape(128, 2, 550, layers=4), False),
    ("alone: width 128, 2 heads, BPE 4,096, 1,150 steps", shape(128, 2, 1150, **BPE4096), False),
    ("alone: width 96, 2 heads, 1,050 steps", shape(96, 2, 1050), False),
    ("alone: width 96, 3 heads, 1,050 steps", shape(96, 3, 1050), False),
    ("alone: width 96, 2 heads, BPE 4,096, 1,470 steps", shape(96, 2, 1470, **BPE4096), False),
    ("alone: width 64, 2 heads, 1,500 steps", shape(64, 2, 1500), False),
    ("alone: width 64, 2 heads, BPE 4,096, 2,400 steps", shape(64, 2, 2400, **BPE4096), False),
    ("alone: width 96, 3 layers, 890 steps", shape(96, 2, 890, layers=3), False),
    ("alone: width 64, 3 layers, 1,300 steps", shape(64, 2, 1300, layers=3), False),
    ("alone: width 64, 4 layers, 1,130 steps", shape(64, 2, 1130, layers=4), False),
    # One change each on row 37 (width 64, 1,500 steps).
    ("alone: row 37 with zero_init", shape(64, 2, 1500, zero_init=True), False),
    ("alone: row 37 with context 256, batch 8", shape(64, 2, 1500, context=256, batch_size=8), False),
    ("alone: row 37 with learning rates x2", shape(64, 2, 1500, lr=0.006, muon_lr=0.04), False),
    ("alone: row 37 with an MLP 384 wide (6 d)", shape(64, 2, 1500, ffn_width=384), False),
    ("alone: row 37 with 1 head", shape(64, 1, 1500), False),
    # Rows 47-50: the time a 108-s build leaves (docs/quality.md), scored on whole splits.
    ("alone: width 64, 2 heads, 2,800 steps", shape(64, 2, 2800, **WHOLE), False),
    ("alone: width 96, 3 heads, 1,850 steps", shape(96, 3, 1850, **WHOLE), False),
    ("alone: width 96, 3 heads, 1,700 steps: the new `quick`", shape(96, 3, 1700, **WHOLE), False),
    ("alone: width 128, 4 heads, 1,300 steps", shape(128, 4, 1300, **WHOLE), False),
    # Rows 51-52: the time the edge-slab matmul and one micro-batch free (docs/quality.md, "Edge tiles").
    # Their train parameters are exactly those of the timed default runs (validating every 200 steps).
    ("alone: width 96, 3 heads, 2,400 steps, one micro-batch",
     shape(96, 3, 2400, micro_batches=1, eval_every=200, **WHOLE), False),
    ("alone: width 96, 3 heads, 2,200 steps, one micro-batch: the new `quick`", QUICK52, False),
    # Rows 53-56: one change each on row 52 (docs/quality.md, "One change on the 2,200-step default").
    ("alone: row 52 with the embedding tied to the head", dict(QUICK52, tie_weights=True), False),
    ("alone: row 52 tied, AdamW lr 6e-3", dict(QUICK52, tie_weights=True, lr=0.006), False),
    ("alone: row 52 with an MLP 384 wide (4 d; default 256)", dict(QUICK52, ffn_width=384), False),
    ("alone: row 52 with AdamW lr 6e-3 (Muon unchanged)", dict(QUICK52, lr=0.006), False),
    # Rows 57-58: a hashed bigram embedding on row 52 (docs/quality.md, "A hashed bigram embedding").
    ("alone: row 52 with a hashed bigram embedding of 40,960 rows (5 V)", dict(QUICK52, bigram_buckets=40960), False),
    ("alone: row 52 with a hashed bigram embedding of 16,384 rows (2 V)", dict(QUICK52, bigram_buckets=16384), False),
    ("alone: row 52 with a hashed bigram embedding of 81,920 rows (10 V)", dict(QUICK52, bigram_buckets=81920), False),
    # Rows 60-63: one change on row 57 (`quick-bigram`; docs/quality.md, "A hashed bigram embedding").
    ("alone: row 57 with weight decay 0.1 (AdamW and Muon)", dict(QUICK52, bigram_buckets=40960, weight_decay=0.1), False),
    ("alone: row 57 with AdamW lr 6e-3", dict(QUICK52, bigram_buckets=40960, lr=0.006), False),
    ("alone: row 57 with dropout 0.1", dict(QUICK52, bigram_buckets=40960, dropout=0.1), False),
    ("alone: row 57 with dropout 0.05", dict(QUICK52, bigram_buckets=40960, dropout=0.05), False),
]


def run(args, env=None):
    result = subprocess.run([MINILLM] + args, cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"minillm {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def results(store, pipeline, preset):
    """Whole-split figures of a finished variant, read from its own artifacts (not `show`, which
    gives the latest run of a stage whichever preset made it)."""
    plans = json.loads(run(["status", "--json", "--store", store, "--pipeline", pipeline, "--preset", preset]))
    outputs = {plan["stage"]: plan["outputs"] for plan in plans["stages"]}
    report = json.loads(run(["cat", outputs["evaluate"]["evaluation"], "--store", store]))
    splits = {split["name"]: split for split in report["splits"]}
    log = [json.loads(line) for line in run(["cat", outputs["train"]["log"], "--store", store]).splitlines()]
    train = [entry for entry in log if entry["kind"] == "train"]
    model = json.loads(run(["show", outputs["train"]["model"], "--store", store]))
    test = splits["test"]
    return dict(val=splits["validation"]["model"]["bitsPerByte"], test=test["model"]["bitsPerByte"],
                bigram=next(b["bitsPerByte"] for name, b in test["baselines"].items() if name.startswith("bigram")),
                ci=test.get("bitsPerByteIntervals", {}).get("model"), tokens_per_s=train[-1]["tokens_per_s"],
                seconds=train[-1]["elapsed_s"], steps=len(train), model=model["hash"])


def write_table(args, path, variants, done):
    """The table of the variants finished so far, in their order (rewritten after each one)."""
    rows = [dict(key=key, name=name, **results(args.store, path, key)) for key, name, _, _ in variants if key in done]
    if not rows:
        return
    first = rows[0]["test"]
    lines = ["| variant | validation bits/byte | test bits/byte | Δ test vs row 1 | KN bigram (test) | tokens/s | train s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        ci = f" ({r['ci']['low']:.3f}–{r['ci']['high']:.3f})" if r["ci"] else ""
        lines.append(f"| {r['name']} | {r['val']:.3f} | {r['test']:.3f}{ci} | {r['test'] - first:+.3f} | {r['bigram']:.3f} "
                     f"| {r['tokens_per_s']:.0f} | {r['seconds']:.0f} |")
    with open(args.out, "w") as f:
        f.write(f"<!-- pipeline/scripts/ablate.py --base {args.base} --tokens {args.tokens} --eval-tokens {args.eval_tokens} "
                f"--jobs {args.jobs} -->\n")
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="quick")
    p.add_argument("--tokens", type=int, default=0, help="token budget per variant (0: the base preset's)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--eval-tokens", type=int, default=0, help="scored positions per split (0: the whole split)")
    p.add_argument("--store", default=os.path.join(ROOT, "bench-out/ablate-store"))
    p.add_argument("--out", default=os.path.join(ROOT, "docs/quality-ablation.md"))
    p.add_argument("--only", default="")
    args = p.parse_args()
    with open(os.path.join(ROOT, "pipeline/pipeline.json")) as f:
        pipeline = json.load(f)
    base = pipeline["presets"][args.base]
    work = os.path.join(ROOT, "bench-out/ablate")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.store, exist_ok=True)

    variants, cumulative = [], {}
    for index, (name, overrides, stacked) in enumerate(VARIANTS):
        train = dict(base.get("train", {}), **AS_SHIPPED)
        train.update(cumulative if stacked else {})
        train.update(overrides)
        if stacked:
            cumulative.update(overrides)
        if args.tokens:
            train["max_tokens"] = args.tokens
            train["max_steps"] = 100_000_000
        variants.append((f"v{index}", name, train, stacked))

    file = copy.deepcopy(pipeline)
    file.pop("preset", None)
    sample = file.setdefault("stages", {}).setdefault("extract", {})
    sample["sample_file"] = os.path.join(ROOT, "pipeline/data/eswiki-plaintext-2000.jsonl.bz2")
    for key, name, train, _ in variants:
        preset = copy.deepcopy(base)
        # A "vocab." key sets a vocab parameter (its variant then builds its own vocab and shards), an
        # "evaluate." key an evaluate parameter.
        preset["evaluate"] = dict(base.get("evaluate", {}), max_tokens=args.eval_tokens, bleu_articles=0, max_new_tokens=8)
        for option in [k for k in train if k.startswith(("vocab.", "evaluate."))]:
            stage, name = option.split(".", 1)
            preset.setdefault(stage, {})[name] = train.pop(option)
        preset["train"] = train
        file["presets"][key] = preset
    path = os.path.join(work, "pipeline.json")
    with open(path, "w") as f:
        json.dump(file, f, indent=1)

    # Shared stages first, once.
    run(["run", "--store", args.store, "--pipeline", path, "--preset", variants[0][0], "--until", "shard"])
    # Every variant has its preset in the file; --only picks which to build now. Variants already
    # built in this store (an earlier invocation) count as done.
    done = set()
    for key, *_ in variants:
        plans = json.loads(run(["status", "--json", "--store", args.store, "--pipeline", path, "--preset", key]))
        if all(plan["status"] == "fresh" for plan in plans["stages"]):
            done.add(key)
    keep = set(args.only.split(",")) if args.only else {v[0] for v in variants}
    pending = [v for v in variants if v[0] not in done and v[0] in keep]
    running = []
    env = dict(os.environ, MINILLM_THREADS="1" if args.jobs > 1 else str(os.cpu_count()))
    while pending or running:
        while pending and len(running) < args.jobs:
            key = pending.pop(0)[0]
            log = open(os.path.join(work, key + ".log"), "w")
            cmd = [MINILLM, "run", "--store", args.store, "--pipeline", path, "--preset", key]
            running.append((key, subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log), time.time()))
        time.sleep(2)
        for item in list(running):
            key, proc, started = item
            if proc.poll() is not None:
                running.remove(item)
                if proc.returncode != 0:
                    sys.exit(f"variant {key} failed; see {work}/{key}.log")
                print(f"{key} done in {time.time() - started:.0f} s", file=sys.stderr)
                done.add(key)
                write_table(args, path, variants, done)

    write_table(args, path, variants, done)


if __name__ == "__main__":
    main()
