#!/usr/bin/env python3
"""Recipe race: minillm's default recipe against the PyTorch reference trainer running the recipe
`quick` shipped with before issue 11, at equal training wall time on the same shards, both scored
on the whole validation and test splits in bits per byte.

    pipeline/scripts/bench-recipe.py [--store DIR] [--preset quick] [--threads N]
    pipeline/scripts/bench-recipe.py --table bench-out/recipe-DATE    # re-read a finished race

1. `minillm run --preset P` (cached when fresh): its train stage's wall time W is the catalogue's
   `duration_s` of that run, its bits per byte the evaluate stage's whole-split figures.
2. train_reference.py on the same run's parameters with ablate.py's AS_SHIPPED recipe (256 wide,
   LayerNorm, GELU, biases, sinusoids x sqrt(d), label smoothing 0.1, AdamW 1e-3, cosine): a
   30-step calibration measures its tokens/s, then it trains ceil(W x tokens/s / tokens per step)
   steps (the cosine decays over them), and scores both whole splits as the evaluate stage does.
Writes bench-out/recipe-DATE/ (both sides' JSON, table.md) and prints the table. Benchmark alone:
the step count comes from a speed measured in this run.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ablate import AS_SHIPPED  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=os.environ.get("MINILLM_STORE", os.path.join(ROOT, "store")))
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--table", metavar="DIR", help="only print the table of a finished race's directory")
    args = ap.parse_args()
    if args.table:
        return write_table(args.table, args.preset)
    out = os.path.join(ROOT, "bench-out", "recipe-" + time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out)
    subprocess.run(["swift", "build", "-c", "release", "--product", "minillm"], cwd=ROOT, check=True,
                   stdout=sys.stderr)
    env = dict(os.environ, MINILLM_THREADS=str(args.threads))

    def minillm(*a, capture=True):
        return subprocess.run([os.path.join(ROOT, ".build/release/minillm"), *a, "--store", args.store,
                               "--preset", args.preset], cwd=ROOT, env=env, check=True, text=True,
                              stdout=subprocess.PIPE if capture else sys.stderr).stdout

    print(f"# load average {' '.join(open('/proc/loadavg').read().split()[:3])}, {args.threads} threads", file=sys.stderr)
    minillm("run", capture=False)
    train_run, evaluate_run = json.loads(minillm("show", "train")), json.loads(minillm("show", "evaluate"))
    run_file = os.path.join(out, "minillm-train-run.json")
    json.dump(train_run, open(run_file, "w"), indent=1)
    json.dump(evaluate_run, open(os.path.join(out, "minillm-evaluate-run.json"), "w"), indent=1)
    wall = train_run["duration_s"]

    recipe = {k: v for k, v in AS_SHIPPED.items() if k not in ("max_steps", "eval_every")}

    def reference(steps, eval_every, score):
        sets = [f"{k}={json.dumps(v)}" for k, v in dict(recipe, max_steps=steps, eval_every=eval_every).items()]
        command = [sys.executable, os.path.join(ROOT, "pipeline/scripts/train_reference.py"), "--store", args.store,
                   "--run", run_file, "--threads", str(args.threads)] + [a for s in sets for a in ("--set", s)]
        return json.loads(subprocess.run(command + (["--score-splits"] if score else []), check=True, text=True,
                                         stdout=subprocess.PIPE).stdout)

    calibration = reference(30, 100_000, False)
    per_step = train_run["parameters"]["batch_size"] * train_run["parameters"]["context"]
    steps = max(1, math.ceil(wall * calibration["tokens_per_s"] / per_step))
    print(f"# PyTorch: {calibration['tokens_per_s']:.0f} tokens/s over 30 steps -> {steps} steps for {wall:.0f} s",
          file=sys.stderr)
    torch_side = reference(steps, AS_SHIPPED["eval_every"], True)
    json.dump(torch_side, open(os.path.join(out, "torch.json"), "w"), indent=1)

    write_table(out, args.preset)


def write_table(out, preset):
    """The table of a finished race directory (also `--table DIR`, to re-read one)."""
    train_run = json.load(open(os.path.join(out, "minillm-train-run.json")))
    metrics = json.load(open(os.path.join(out, "minillm-evaluate-run.json")))["metrics"]
    torch_side = json.load(open(os.path.join(out, "torch.json")))
    p = train_run["parameters"]
    rows = [
        ("minillm", f"`{preset}`: {p['width']} wide, {p['optimizer']}, {p['decay']}", p["max_steps"],
         train_run["duration_s"], metrics["headline_val_bits_per_byte"], metrics["headline_test_bits_per_byte"]),
        ("PyTorch", "as shipped: 256 wide, AdamW, cosine, label smoothing 0.1", torch_side["steps"],
         torch_side["loop_s"], torch_side["bits_per_byte"]["val"], torch_side["bits_per_byte"]["test"]),
    ]
    lines = ["| trainer | recipe | steps | train s | validation bits/byte | test bits/byte |", "|---|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d:.0f} | {e:.3f} | {f:.3f} |" for a, b, c, d, e, f in rows]
    lines.append(f"\nminillm ahead by {rows[1][4] - rows[0][4]:.3f} (validation) and {rows[1][5] - rows[0][5]:.3f} "
                 f"(test) bits/byte; minillm's test interval {metrics['headline_test_bits_per_byte_ci_low']:.3f}–"
                 f"{metrics['headline_test_bits_per_byte_ci_high']:.3f}.")
    table = "\n".join(lines)
    open(os.path.join(out, "table.md"), "w").write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
