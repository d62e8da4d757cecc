#!/usr/bin/env python3
"""Driver for bench-tokenizer.sh: runs minillm-bench-tokenizer and the Python references
alternately, `repeats` times, and prints median (min–max) and ratios.

usage: bench-tokenizer.py MINILLM_BENCH CORPUS.jsonl REPEATS WORKDIR
"""
import json
import os
import statistics
import subprocess
import sys
import time


def need(package):
    try:
        return __import__(package)
    except ImportError:
        if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package]).returncode != 0:
            sys.exit(f"cannot install {package} with pip; no reference to compare with")
        return __import__(package)


tokenizers = need("tokenizers")
tiktoken = need("tiktoken")
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

bench, corpus, repeats, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8") if line.strip()]
text_mb = sum(len(t.encode()) for t in texts) / 1e6
ours_json = os.path.join(work, "minillm-tokenizer.json")
pattern = None
samples = {}


def record(name, value):
    samples.setdefault(name, []).append(value)


def minillm(*args):
    out = subprocess.run([bench, *args], check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def hf_train():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=8192, special_tokens=["[PAD]", "[UNK]", "[BOS]", "[EOS]"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    return tok


def tiktoken_encoding(spec):
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    chars = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    byte_of = {c: b for b, c in chars.items()}
    ranks = {bytes(byte_of[c] for c in token): i for token, i in spec["model"]["vocab"].items() if i >= 4}
    return tiktoken.Encoding("minillm-vocab", pat_str=pattern, mergeable_ranks=ranks,
                             special_tokens={"[PAD]": 0, "[UNK]": 1, "[BOS]": 2, "[EOS]": 3})


for r in range(repeats):
    print(f"repeat {r + 1}/{repeats}", file=sys.stderr)
    record("train minillm", minillm("train", corpus, "8192", ours_json)["train_seconds"])
    spec = json.load(open(ours_json, encoding="utf-8"))
    pattern = spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
    seconds, hf_tok = timed(hf_train)
    record("train tokenizers", seconds)
    hf_vocab = set(hf_tok.get_vocab())
    record("vocab overlap", len(hf_vocab & set(spec["model"]["vocab"])) / len(hf_vocab))

    ours = minillm("encode", ours_json, corpus)
    assert ours["roundtrip_mismatches"] == 0, f"{int(ours['roundtrip_mismatches'])} articles do not decode to themselves"
    record("encode1 minillm", text_mb / ours["encode_1_thread_seconds"])
    record("encode2 minillm", text_mb / ours["encode_2_threads_seconds"])
    hf = Tokenizer.from_file(ours_json)
    seconds, n = timed(lambda: sum(len(hf.encode(t).ids) for t in texts))
    record("encode1 tokenizers", text_mb / seconds)
    assert n == ours["tokens"], f"tokenizers gave {n} tokens, minillm {ours['tokens']}"
    seconds, _ = timed(lambda: hf.encode_batch(texts))
    record("encode2 tokenizers", text_mb / seconds)
    tt = tiktoken_encoding(spec)
    seconds, n_tt = timed(lambda: sum(len(tt.encode_ordinary(t)) for t in texts))
    record("encode1 tiktoken", text_mb / seconds)
    seconds, _ = timed(lambda: tt.encode_ordinary_batch(texts, num_threads=2))
    record("encode2 tiktoken", text_mb / seconds)

    shard = minillm("shard", ours_json, corpus)
    record("shard minillm", shard["text_bytes"] / 1e6 / shard["shard_seconds"])


def show(name):
    v = sorted(samples[name])
    return f"{statistics.median(v):8.2f} ({v[0]:.2f}–{v[-1]:.2f})"


def ratio(a, b, higher_is_better=True):
    ma, mb = statistics.median(samples[a]), statistics.median(samples[b])
    return f"{(ma / mb if higher_is_better else mb / ma):.2f}x"


print(f"corpus: {corpus}: {len(texts)} articles, {text_mb:.1f} MB of text; {repeats} repeats; median (min–max)")
print("minillm: decode(encode(article)) == article for every article (checked each repeat)")
print(f"tokenizers {tokenizers.__version__}, tiktoken {tiktoken.__version__}; tokens with minillm's vocabulary: "
      f"{int(ours['tokens'])} ({text_mb * 1e6 / ours['tokens']:.2f} bytes/token; tiktoken {n_tt})")
print(f"{'':34} {'minillm':>22} {'reference':>22}  speedup")
print(f"{'BPE training 8192, s (tokenizers)':34} {show('train minillm'):>22} {show('train tokenizers'):>22}  "
      f"{ratio('train minillm', 'train tokenizers', higher_is_better=False)}")
for threads, label in (("1", "1 thread"), ("2", "2 threads")):
    for ref in ("tokenizers", "tiktoken"):
        print(f"{'encode MB/s, ' + label + ' (' + ref + ')':34} {show('encode' + threads + ' minillm'):>22} "
              f"{show('encode' + threads + ' ' + ref):>22}  {ratio('encode' + threads + ' minillm', 'encode' + threads + ' ' + ref)}")
print(f"{'sharding end to end, MB/s':34} {show('shard minillm'):>22}")
print(f"vocabulary shared with the tokenizers-trained one: {statistics.median(samples['vocab overlap']):.4f}")
