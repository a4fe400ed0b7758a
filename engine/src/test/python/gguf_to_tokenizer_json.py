"""Writes a Hugging Face tokenizer.json (and tokenizer_config.json) for a byte-level BPE GGUF model, built
with the `tokenizers` library itself, so the Java reader of tokenizer.json is tested on the real format.

Run (the venv needs `pip install gguf tokenizers`):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/gguf_to_tokenizer_json.py MODEL.gguf OUT_DIR

TokenizerJsonTest runs it when the system properties iteralign.testModel and iteralign.python are set.
Only the pre-tokenizers of SmolLM2 ("smollm": digits split one by one, then GPT-2's regex) and GPT-2 are
written; others are refused rather than guessed.
"""
import json
import os
import sys

import gguf
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers


def field(reader, key):
    f = reader.fields[key]
    if len(f.data) == 1 and key not in ("tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.token_type"):
        part = f.parts[f.data[0]]
        return bytes(part).decode("utf-8") if f.types[0] == gguf.GGUFValueType.STRING else int(part[0])
    if f.types[-1] == gguf.GGUFValueType.STRING:
        return [bytes(f.parts[i]).decode("utf-8") for i in f.data]
    return [int(f.parts[i][0]) for i in f.data]


def main():
    model_path, out_dir = sys.argv[1], sys.argv[2]
    reader = gguf.GGUFReader(model_path)
    tokens = field(reader, "tokenizer.ggml.tokens")
    types = field(reader, "tokenizer.ggml.token_type")
    merges = field(reader, "tokenizer.ggml.merges")
    pre = field(reader, "tokenizer.ggml.pre")
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if pre == "smollm":
        pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
    elif pre == "gpt2":
        pre_tokenizer = byte_level
    else:
        sys.exit("unsupported tokenizer.ggml.pre: " + pre)
    vocab = {text: i for i, text in enumerate(tokens)}
    pairs = [tuple(m.split(" ", 1)) for m in merges]
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=pairs, fuse_unk=False, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.decoder = decoders.ByteLevel()
    # GGUF token type 3 is a control token, 4 a user-defined one (matched even in plain text).
    tokenizer.add_tokens([AddedToken(tokens[i], special=(types[i] == 3), normalized=False)
                          for i in range(len(tokens)) if types[i] in (3, 4)])
    os.makedirs(out_dir, exist_ok=True)
    tokenizer.save(os.path.join(out_dir, "tokenizer.json"))
    config = {
        "bos_token": tokens[field(reader, "tokenizer.ggml.bos_token_id")],
        "eos_token": tokens[field(reader, "tokenizer.ggml.eos_token_id")],
        "add_bos_token": bool(field(reader, "tokenizer.ggml.add_bos_token")),
        "chat_template": field(reader, "tokenizer.chat_template"),
    }
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as out:
        json.dump(config, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
