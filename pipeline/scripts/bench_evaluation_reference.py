#!/usr/bin/env python3
"""Reference side of bench_evaluation.sh: the same operations in numpy and sacrebleu, timed the
same way (7 runs, per-call milliseconds), then a side-by-side table with the Swift figures read
from stdin (one JSON object per line)."""
import json
import statistics
import sys
import time

import numpy as np

RUNS = 7
V = 8192


def measure(calls, fn):
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t) * 1000 / calls)
    return samples


def main():
    rng = np.random.default_rng(1)
    logits = (rng.random(V) * 10 - 5).astype(np.float32)
    acc = np.zeros(V)
    u = 0.37

    def score(bias):
        l = logits.astype(np.float64)
        m = l.max()
        e = np.exp(l - m)
        s = e.sum()
        _ = l[5] - m - np.log(s)
        _ = int((l > l[5]).sum() + (l[:5] == l[5]).sum())
        if bias:
            np.add(acc, e / s, out=acc)

    def softmax(z, t):
        p = np.exp((z - z.max()) / t)
        return p / p.sum()

    def temperature():
        p = softmax(logits.astype(np.float64), 0.8)
        return int(np.searchsorted(np.cumsum(p), u * p.sum()))

    def top_k():
        z = logits.astype(np.float64)
        idx = np.argpartition(-z, 40)[:40]
        idx = idx[np.lexsort((idx, -z[idx]))]
        p = softmax(z[idx], 0.8)
        return int(idx[np.searchsorted(np.cumsum(p), u * p.sum())])

    def top_p():
        p = softmax(logits.astype(np.float64), 0.8)
        order = np.argsort(-p, kind="stable")
        cs = np.cumsum(p[order])
        keep = int(np.searchsorted(cs, 0.9)) + 1
        kept = p[order[:keep]]
        return int(order[np.searchsorted(np.cumsum(kept), u * kept.sum())])

    ref = {
        "score position (softmax, log-prob, rank)": ("numpy", measure(400, lambda: score(False))),
        "score position + bias accumulation": ("numpy", measure(400, lambda: score(True))),
        "sample temperature 0.8": ("numpy", measure(400, temperature)),
        "sample top-k 40": ("numpy", measure(400, top_k)),
        "sample top-p 0.9": ("numpy", measure(400, top_p)),
    }
    try:
        import sacrebleu
        with open(sys.argv[1], encoding="utf-8") as f:
            cases = json.load(f)
        hyps, refs = [], []
        for _ in range(100):
            for c in cases["corpora"]:
                if all(len(r) == 1 for r in c["references"]):
                    hyps += c["hypotheses"]
                    refs += [r[0] for r in c["references"]]
        metrics = [sacrebleu.metrics.BLEU(max_ngram_order=n) for n in range(1, 5)]
        ref[f"BLEU-1..4 corpus of {len(hyps)} segments"] = (
            f"sacrebleu {sacrebleu.__version__}", measure(3, lambda: [m.corpus_score(hyps, [refs]) for m in metrics]))
    except ImportError:
        print("sacrebleu not installed: BLEU has no reference in this run "
              "(python3 pipeline/scripts/sacrebleu_reference.py installs it)", file=sys.stderr)

    print(f"{'operation':44} {'Swift median [min, max] ms':>30} {'reference median [min, max] ms':>34} {'ref/Swift':>9}")
    for line in sys.stdin:
        row = json.loads(line)
        s = row["ms"]
        name, r = ref.get(row["op"], ("-", None))
        swift = f"{statistics.median(s):.4f} [{min(s):.4f}, {max(s):.4f}]"
        if r is None:
            print(f"{row['op']:44} {swift:>30} {'(no reference)':>34}")
            continue
        other = f"{name}: {statistics.median(r):.4f} [{min(r):.4f}, {max(r):.4f}]"
        print(f"{row['op']:44} {swift:>30} {other:>34} {statistics.median(r) / statistics.median(s):9.2f}")


if __name__ == "__main__":
    main()
