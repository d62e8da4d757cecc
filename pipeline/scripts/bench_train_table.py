"""The markdown table of bench-train.sh: minillm's train stage beside the PyTorch reference.

    bench_train_table.py RESULTS_DIR PRESET...

Reads, per preset and repeat r: PRESET-minillm-r.json (`minillm run` output; the train stage's
seconds), PRESET-minillm-r.jsonl (the train stage's metrics log), PRESET-torch-r.json
(train_reference.py output) and PRESET-run.json (`minillm show train`, for the parameters).
"""
import glob
import json
import os
import sys


def best_loss(losses, min_delta):
    """The validation loss of the kept model: EarlyStopping's rule (an improvement beats the best by min_delta)."""
    best = float("inf")
    for loss in losses:
        if loss < best - min_delta:
            best = loss
    return best


def minillm_result(directory, preset, repeat, min_delta):
    with open(os.path.join(directory, f"{preset}-minillm-{repeat}.json")) as f:
        stage = next(s for s in json.load(f)["stages"] if s["stage"] == "train")
    lines = [json.loads(line) for line in open(os.path.join(directory, f"{preset}-minillm-{repeat}.jsonl"))]
    last = [line for line in lines if line["kind"] == "train"][-1]
    val = [line["loss"] for line in lines if line["kind"] == "val"]
    return dict(wall_s=stage["seconds"], tokens_per_s=last["tokens_per_s"], steps=last["step"] + 1,
                final_val_loss=val[-1], best_val_loss=best_loss(val, min_delta))


def torch_result(directory, preset, repeat):
    with open(os.path.join(directory, f"{preset}-torch-{repeat}.json")) as f:
        return json.load(f)


def spread(values, digits):
    s = sorted(values)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    text = f"{median:.{digits}f}"
    return (text + f" ({s[0]:.{digits}f}–{s[-1]:.{digits}f})" if len(s) > 1 else text), median


def main():
    directory, presets = sys.argv[1], sys.argv[2:]
    print("| preset | implementation | steps | tokens | wall s | tokens/s | final val loss | best val loss |")
    print("|---|---|---|---|---|---|---|---|")
    summaries = []
    for preset in presets:
        with open(os.path.join(directory, f"{preset}-run.json")) as f:
            params = json.load(f)["parameters"]
        repeats = len(glob.glob(os.path.join(directory, f"{preset}-torch-*.json")))
        sides = {
            "minillm": [minillm_result(directory, preset, r, params["min_delta"]) for r in range(1, repeats + 1)],
            "PyTorch": [torch_result(directory, preset, r) for r in range(1, repeats + 1)],
        }
        medians = {}
        for name, results in sides.items():
            wall, wall_median = spread([x["wall_s"] for x in results], 1)
            rate, rate_median = spread([x["tokens_per_s"] for x in results], 0)
            final, final_median = spread([x["final_val_loss"] for x in results], 4)
            best, best_median = spread([x["best_val_loss"] for x in results], 4)
            steps = results[0]["steps"]
            print(f"| {preset} | {name} | {steps} | {steps * params['batch_size'] * params['context']:,} | {wall} | {rate} "
                  f"| {final} | {best} |")
            medians[name] = (wall_median, rate_median, best_median)
        m, t = medians["minillm"], medians["PyTorch"]
        summaries.append(f"{preset}: minillm takes {m[0] / t[0]:.2f}× PyTorch's wall time, runs at {m[1] / t[1]:.2f}× its "
                         f"tokens/s, best validation loss {m[2] - t[2]:+.4f} nats against PyTorch's "
                         f"({repeats} repeat{'s' if repeats > 1 else ''}, medians)")
    print()
    for line in summaries:
        print(f"- {line}")


if __name__ == "__main__":
    main()
