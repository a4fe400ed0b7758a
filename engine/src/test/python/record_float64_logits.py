"""Computes the test model's logits in float64 numpy straight from the dequantised GGUF weights: the
exact answer the Java forward pass should reproduce up to float32 rounding.

Run (from the repository root, with the project's venv, which has numpy and gguf):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/record_float64_logits.py \
        /path/to/SmolLM2-135M-Instruct.Q4_1.gguf \
        engine/src/test/resources/org/iteralign/engine/model/smollm2-llamacpp-logits.json \
        engine/src/test/resources/org/iteralign/engine/model/smollm2-float64-logits.json

It takes the token ids of the first prompts in the llama.cpp vectors (so all references see the same
input) and writes the same layout: per position the top-5 ids and logits, and the logits of the shared
vocabulary sample at the last position. Llama architecture only (interleaved RoPE, no biases).
"""
import json
import sys

import gguf
import numpy as np
from gguf.quants import dequantize

PROMPTS = 8


def main(model_path, llamacpp_path, out_path):
    reader = gguf.GGUFReader(model_path)
    tensors = {t.name: t for t in reader.tensors}

    def meta(key):
        field = reader.fields[key]
        return field.parts[field.data[0]][0]

    def weight(name):
        t = tensors[name]
        a = dequantize(t.data, t.tensor_type).astype(np.float64)
        return a.reshape([int(d) for d in reversed(t.shape)]) if len(t.shape) > 1 else a.reshape(-1)

    dim = int(meta("llama.embedding_length"))
    layers = int(meta("llama.block_count"))
    heads = int(meta("llama.attention.head_count"))
    kv_heads = int(meta("llama.attention.head_count_kv"))
    eps = float(meta("llama.attention.layer_norm_rms_epsilon"))
    base = float(meta("llama.rope.freq_base"))
    hs = dim // heads
    emb = weight("token_embd.weight")
    out_w = weight("output.weight") if "output.weight" in tensors else emb
    blocks = [{k: weight(f"blk.{i}.{k}.weight") for k in
               ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]}
              for i in range(layers)]
    final_norm = weight("output_norm.weight")

    def rms(x, w):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w

    def rope(v, n, nh):
        v = v.reshape(n, nh, hs).copy()
        angles = np.arange(n)[:, None] * (base ** (-np.arange(0, hs, 2) / hs))[None, :]
        c, s = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
        x0, x1 = v[..., 0::2].copy(), v[..., 1::2].copy()
        v[..., 0::2] = x0 * c - x1 * s
        v[..., 1::2] = x0 * s + x1 * c
        return v

    def forward(tokens):
        n = len(tokens)
        x = emb[tokens]
        for b in blocks:
            xb = rms(x, b["attn_norm"])
            q = rope(xb @ b["attn_q"].T, n, heads)
            k = rope(xb @ b["attn_k"].T, n, kv_heads)
            v = (xb @ b["attn_v"].T).reshape(n, kv_heads, hs)
            out = np.zeros((n, heads, hs))
            for h in range(heads):
                kh = h // (heads // kv_heads)
                s = q[:, h, :] @ k[:, kh, :].T / np.sqrt(hs) + np.triu(np.full((n, n), -np.inf), 1)
                a = np.exp(s - s.max(-1, keepdims=True))
                out[:, h, :] = (a / a.sum(-1, keepdims=True)) @ v[:, kh, :]
            x = x + out.reshape(n, -1) @ b["attn_output"].T
            xf = rms(x, b["ffn_norm"])
            g = xf @ b["ffn_gate"].T
            x = x + (g / (1 + np.exp(-g)) * (xf @ b["ffn_up"].T)) @ b["ffn_down"].T
        return rms(x, final_norm) @ out_w.T

    with open(llamacpp_path, encoding="utf-8") as f:
        ref = json.load(f)
    sample_ids = ref["sample_ids"]
    cases = []
    for case in ref["cases"][:PROMPTS]:
        logits = forward(case["tokens"])
        positions = []
        for row in logits:
            top = np.argsort(-row, kind="stable")[:5]
            positions.append({"ids": [int(i) for i in top], "logits": [round(float(row[i]), 5) for i in top]})
        cases.append({"text": case["text"], "tokens": case["tokens"], "positions": positions,
                      "last_sample": [round(float(logits[-1][i]), 5) for i in sample_ids]})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"model": model_path.rsplit("/", 1)[-1], "reference": "numpy float64", "vocab": ref["vocab"],
                   "sample_ids": sample_ids, "cases": cases}, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
