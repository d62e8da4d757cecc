#!/usr/bin/env python3
"""Checks that Hugging Face `tokenizers` encodes like minillm with a minillm tokenizer.json.

usage: tokenizer-parity.py CASES.json
CASES.json: {"cases": [{"tokenizer": PATH, "kind": "bpe"|"word", "texts": [...], "ids": [[...], ...]}]}

Installs `tokenizers` from PyPI when it is missing. Exit status: 0 all equal, 1 a mismatch
(printed), 3 `tokenizers` is unavailable and cannot be installed (printed, so callers can say
the check was skipped rather than passed).
"""
import json
import subprocess
import sys


def load_tokenizers():
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "tokenizers"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            print("SKIP: Python package `tokenizers` is not installed and `pip install tokenizers` failed:\n"
                  + result.stderr.strip()[-800:])
            sys.exit(3)
    import tokenizers
    return tokenizers


def main():
    tokenizers = load_tokenizers()
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    failures = 0
    checked = 0
    for case in spec["cases"]:
        tok = tokenizers.Tokenizer.from_file(case["tokenizer"])
        # minillm treats text that spells "[BOS]" as text; so must tokenizers.
        tok.encode_special_tokens = True
        for text, expected in zip(case["texts"], case["ids"]):
            got = tok.encode(text, add_special_tokens=False).ids
            checked += 1
            if got != expected:
                failures += 1
                first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
                print(f"MISMATCH ({case['kind']}) on {text[:60]!r}: first difference at token {first}: "
                      f"tokenizers {got[first:first + 8]} vs minillm {expected[first:first + 8]} "
                      f"(lengths {len(got)} vs {len(expected)})")
            elif case["kind"] == "bpe" and tok.decode(got) != text:
                failures += 1
                print(f"DECODE MISMATCH on {text[:60]!r}")
    print(f"tokenizers {tokenizers.__version__}: {checked} texts, {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
