#!/usr/bin/env python3
"""Checks a minillm export against the tools people use, from a spec minillm's side wrote.

usage: interop_check.py transformers SPEC.json   transformers loads the hf export: logits on a fixed
                                                 batch (1e-4 relative, max over positions), greedy
                                                 continuations, tokenizer ids on real articles
       interop_check.py gguf SPEC.json           the gguf package reads the GGUF file back: names,
                                                 shapes and values of the tensors, the metadata
       interop_check.py llama SPEC.json          llama.cpp (llama-cpp-python) runs the GGUF file:
                                                 greedy continuations of minillm's prompt ids

SPEC.json (written by Tests/ModelFormatsTests/InteropTests.swift or pipeline/scripts/check-interop.sh):
  {"hf": DIR, "gguf": FILE, "context": T, "batch": [[ids]], "logits": FILE.safetensors ("logits" [B, T, V]),
   "score": {"file": JSONL, "bits_per_byte": minillm score's figure},
   "greedy": [{"prompt_ids": [...], "ids": [...]}], "articles": [{"text": ..., "ids": [...]}]}

Exit status: 0 every check passed, 1 a mismatch (printed), 3 a Python package is missing and cannot be
installed with pip (printed with SKIP, so callers report the check as skipped, never as passed).
"""
import json
import subprocess
import sys


def need(module, package):
    try:
        return __import__(module)
    except ImportError:
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], capture_output=True, text=True)
        if result.returncode != 0:
            print(f"SKIP: Python package `{package}` is not installed and `pip install {package}` failed:\n"
                  + result.stderr.strip()[-800:])
            sys.exit(3)
        return __import__(module)


failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def transformers_check(spec):
    torch = need("torch", "torch==2.13.0")
    need("transformers", "transformers")
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(spec["hf"], dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(spec["hf"])
    expected_class = json.load(open(spec["hf"] + "/config.json"))["architectures"][0]
    check(type(model).__name__ == expected_class, f"AutoModelForCausalLM loads {type(model).__name__} without remote code")
    if "logits" in spec:
        expected = load_file(spec["logits"])["logits"]
        with torch.no_grad():
            logits = model(torch.tensor(spec["batch"])).logits
        per_position = ((logits - expected).abs().amax(-1) / expected.abs().amax(-1)).max().item()
        check(per_position <= 1e-4, f"logits on a {list(expected.shape)} batch: max relative difference {per_position:.2e} (≤ 1e-4)")
    else:
        print("info no minillm logits in the spec: the test suite's InteropTests compares them")
    for case in spec["greedy"]:
        prompt = torch.tensor([case["prompt_ids"]])
        with torch.no_grad():
            out = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                 max_new_tokens=len(case["ids"]), pad_token_id=tokenizer.pad_token_id)
        got = out[0, prompt.shape[1]:].tolist()
        check(got == case["ids"], f"greedy {len(case['ids'])} tokens after {len(case['prompt_ids'])} prompt tokens equal minillm's"
              + ("" if got == case["ids"] else f" (first difference at {first_difference(got, case['ids'])})"))
    if "score" in spec:
        score_check(spec["score"], model, tokenizer, spec["context"], torch)
    equal = 0
    for article in spec["articles"]:
        got = tokenizer(article["text"])["input_ids"]
        if got == article["ids"] and tokenizer.decode(got) == article["text"]:
            equal += 1
        else:
            print(f"  article {article['text'][:40]!r}: first difference at {first_difference(got, article['ids'])}")
    total = sum(len(a["ids"]) for a in spec["articles"])
    check(equal == len(spec["articles"]), f"AutoTokenizer gives minillm's ids on {equal}/{len(spec['articles'])} "
          f"articles ({total} tokens) and decodes them back")


def score_check(score, model, tokenizer, context, torch):
    """`minillm score` against the same rolling windows computed with transformers (lm-eval's protocol)."""
    import math
    nats, total_bytes = 0.0, 0
    for line in open(score["file"], encoding="utf-8"):
        text = json.loads(line)["text"]
        sequence = [tokenizer.bos_token_id] + tokenizer(text)["input_ids"]
        predicted, targets = 0, len(sequence) - 1
        while predicted < targets:
            end = min(targets, predicted + context)
            start = max(0, end - context)
            with torch.no_grad():
                logp = torch.log_softmax(model(torch.tensor([sequence[start:end]])).logits[0], -1)
            nats -= sum(logp[i, sequence[start + i + 1]].item() for i in range(predicted - start, end - start))
            predicted = end
        total_bytes += len(text.encode())
    theirs = nats / math.log(2) / total_bytes
    difference = abs(theirs - score["bits_per_byte"]) / theirs
    check(difference <= 1e-5, f"minillm score {score['bits_per_byte']:.6f} bits/byte, transformers in the same rolling windows "
          f"{theirs:.6f} ({difference:.1e} relative, ≤ 1e-5)")


GPT2_NAMES = {"token_embd": "transformer.wte", "position_embd": "transformer.wpe", "output_norm": "transformer.ln_f",
              "output": "lm_head", "attn_norm": "ln_1", "attn_qkv": "attn.c_attn", "attn_output": "attn.c_proj",
              "ffn_norm": "ln_2", "ffn_up": "mlp.c_fc", "ffn_down": "mlp.c_proj"}
LLAMA_NAMES = {"token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head",
               "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
               "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj", "attn_q_norm": "self_attn.q_norm",
               "attn_k_norm": "self_attn.k_norm", "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj",
               "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}


def expected_tensor(gguf_name, hf, arch, config):
    """The hf export's tensor a GGUF tensor must equal, laid out as convert_hf_to_gguf.py would write it."""
    parts = gguf_name.split(".")
    names = GPT2_NAMES if arch == "gpt2" else LLAMA_NAMES
    if parts[0] == "blk":
        name = f"{'transformer.h' if arch == 'gpt2' else 'model.layers'}.{parts[1]}.{names[parts[2]]}.{parts[3]}"
    else:
        name = f"{names[parts[0]]}.{parts[1]}"
    want = hf[name]
    if arch == "gpt2" and name.endswith(("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")):
        want = want.T  # Conv1D [in, out] back to [out, in]
    if arch == "llama" and name.endswith(("q_proj.weight", "k_proj.weight")):
        heads = config["num_attention_heads"]  # convert_hf_to_gguf.py's LlamaModel.permute
        want = want.reshape(heads, 2, want.shape[0] // heads // 2, *want.shape[1:]).swapaxes(1, 2).reshape(want.shape)
    return name, want


def gguf_check(spec):
    gguf = need("gguf", "gguf")
    numpy = need("numpy", "numpy")
    need("safetensors", "safetensors")
    from safetensors.numpy import load_file
    reader = gguf.GGUFReader(spec["gguf"])
    fields = {name: field for name, field in reader.fields.items()}

    def scalar(name):
        field = fields[name]
        value = field.parts[field.data[0]]
        return bytes(value).decode() if field.types[0] == gguf.GGUFValueType.STRING else value.tolist()[0]

    config = json.load(open(spec["hf"] + "/config.json"))
    arch = config["model_type"]
    check(scalar("general.architecture") == arch, f"general.architecture {arch}")
    if arch == "gpt2":
        keys = [("context_length", "n_positions"), ("embedding_length", "n_embd"), ("block_count", "n_layer"),
                ("attention.head_count", "n_head"), ("feed_forward_length", "n_inner")]
        epsilons = ("attention.layer_norm_epsilon", "layer_norm_epsilon")
    else:
        keys = [("context_length", "max_position_embeddings"), ("embedding_length", "hidden_size"),
                ("block_count", "num_hidden_layers"), ("attention.head_count", "num_attention_heads"),
                ("attention.head_count_kv", "num_key_value_heads"), ("feed_forward_length", "intermediate_size"),
                ("rope.dimension_count", "head_dim")]
        epsilons = ("attention.layer_norm_rms_epsilon", "rms_norm_eps")
        check(abs(scalar(f"{arch}.rope.freq_base") - config["rope_theta"]) <= 1e-3 * config["rope_theta"], "rope.freq_base")
    for key, name in keys:
        check(scalar(f"{arch}.{key}") == config[name], f"{arch}.{key} = {scalar(f'{arch}.{key}')} (config.json {name}: {config[name]})")
    check(abs(scalar(f"{arch}.{epsilons[0]}") - config[epsilons[1]]) < 1e-12, epsilons[0])
    tokens = fields["tokenizer.ggml.tokens"]
    vocab = json.load(open(spec["hf"] + "/tokenizer.json"))["model"]
    listed = [bytes(tokens.parts[i]).decode() for i in tokens.data]
    check(listed == sorted(vocab["vocab"], key=vocab["vocab"].get), f"tokenizer.ggml.tokens: the {len(listed)} tokens of tokenizer.json in id order")
    merges = fields["tokenizer.ggml.merges"]
    check([bytes(merges.parts[i]).decode() for i in merges.data] == [" ".join(m) for m in vocab["merges"]],
          f"tokenizer.ggml.merges: tokenizer.json's {len(vocab['merges'])} merges in rank order")
    check([scalar(f"tokenizer.ggml.{k}_token_id") for k in ["bos", "eos", "unknown", "padding"]] == [2, 3, 1, 0],
          "special token ids [BOS] 2, [EOS] 3, [UNK] 1, [PAD] 0")
    hf = load_file(spec["hf"] + "/model.safetensors")
    matched = 0
    for tensor in reader.tensors:
        name, want = expected_tensor(tensor.name, hf, arch, config)
        data = numpy.asarray(tensor.data).reshape(want.shape)
        if numpy.array_equal(data, want):
            matched += 1
        else:
            print(f"  {tensor.name} differs from {name}")
    check(matched == len(reader.tensors) == len(hf), f"{matched}/{len(reader.tensors)} tensors equal the hf export's {len(hf)}")


def llama_check(spec):
    llama_cpp = need("llama_cpp", "llama-cpp-python")
    llm = llama_cpp.Llama(model_path=spec["gguf"], n_ctx=spec["context"], n_threads=2, verbose=False, logits_all=False)
    for case in spec["greedy"]:
        llm.reset()
        got = []
        for token in llm.generate(case["prompt_ids"], temp=0.0, top_k=1, top_p=1.0, repeat_penalty=1.0, reset=True):
            if token == llm.token_eos() or len(got) == len(case["ids"]):
                break
            got.append(token)
        agree = first_difference(got, case["ids"])
        check(agree >= min(16, len(case["ids"])), f"llama.cpp greedy after {len(case['prompt_ids'])} prompt tokens: "
              f"{agree} of {len(case['ids'])} tokens equal minillm's (≥ 16 needed)")
    same = sum(llm.tokenize(a["text"].encode(), add_bos=True, special=False) == [2] + a["ids"] for a in spec["articles"])
    print(f"info llama.cpp's own tokenizer (pre-tokenizer gpt-2) gives minillm's ids on {same}/{len(spec['articles'])} articles")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("transformers", "gguf", "llama"):
        print(__doc__)
        sys.exit(2)
    spec = json.load(open(sys.argv[2]))
    {"transformers": transformers_check, "gguf": gguf_check, "llama": llama_check}[sys.argv[1]](spec)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
