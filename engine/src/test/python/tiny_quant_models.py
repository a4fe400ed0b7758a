"""Writes tiny random models of each supported architecture, quantises them with llama.cpp's own quantiser to
every type the engine computes with, and records llama.cpp's logits on them: test vectors for
TinyQuantModelsTest, so CI compares against llama.cpp without building it.

Run (from the repository root, with the project's venv that has llama-cpp-python and gguf):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/tiny_quant_models.py \
        engine/src/test/resources/org/iteralign/engine/model/tiny-quant

OUT_DIR receives tiny-quant-logits.json and the Q4_K and Q6_K files (NAME.q4_k.gguf, NAME.q6_k.gguf). The
other types are not kept: the Java test rebuilds the F32 model from the same counter-based generator
(splitmix64 of the tensor's seed and the element's index; the Llama 3 RoPE factors are in the JSON) and
encodes F16, BF16, Q8_0, Q4_0 and Q4_1 itself, checking each tensor's SHA-256 against the one recorded here
from llama.cpp's file. K-quant encoders would be far more code, so the test has this script make those files
(`tiny_quant_models.py kept DIR`: the same F32 models through llama.cpp's quantiser, no logits) and checks their
hashes too; only the JSON is committed (git ignores the .gguf files a recording leaves in OUT_DIR).

Settings: n_threads=2, logits_all=True, llama.cpp's default F16 KV cache without flash attention (as in
record_llamacpp_logits.py), use_extra_bufts=False (the AMX/repacked buffers crash on this project's CI
machine), and llama_model_quantize with pure=True, so every matrix of a file has the one type under test
(without it llama.cpp picks Q6_K for output.weight and mixes types per layer).
"""
import ctypes
import hashlib
import json
import math
import os
import random
import sys
import tempfile

import gguf
import llama_cpp
import numpy as np

DIM = 256  # K-quant rows are whole 256-value super-blocks, so every matrix row is a multiple of 256
HEADS = 4
FFN = 256
VOCAB = 256
LAYERS = 2
EPS = 1e-5
CONTEXT = 128
SEQUENCES_SEED = 20251202
SEQUENCE_LENGTHS = [6, 16, 40]
SAMPLE = 24
KEPT = ["Q4_K", "Q6_K"]

# name, architecture, KV heads, RoPE base, tied embeddings, Llama 3 RoPE factors, seed
VARIANTS = [
    ("llama3", "llama", 1, 500000.0, False, True, 1),
    ("smollm2", "llama", 4, 100000.0, True, False, 2),
    ("mistral", "llama", 2, 1000000.0, False, False, 3),
    ("qwen2", "qwen2", 2, 1000000.0, True, False, 4),
]

FTYPES = {
    "F16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16,
    "BF16": llama_cpp.LLAMA_FTYPE_MOSTLY_BF16,
    "Q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0,
    "Q4_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0,
    "Q4_1": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_1,
    "Q4_K": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M,
    "Q6_K": llama_cpp.LLAMA_FTYPE_MOSTLY_Q6_K,
}

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    """splitmix64's finaliser, on numpy uint64 arrays (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(seed, n):
    """n values in [0, 1) with 24 random bits each: element i is mix(seed + (i + 1) * GOLDEN) >> 40, over 2^24."""
    i = np.arange(1, n + 1, dtype=np.uint64)
    z = mix(np.uint64(seed & MASK) + i * np.uint64(GOLDEN))
    return (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24


def tensor_seed(variant_seed, ordinal):
    return int(mix(np.array([variant_seed * 1000 + ordinal], dtype=np.uint64))[0])


def matrix(seed, rows, cols):
    return ((uniform(seed, rows * cols) - 0.5) * 0.25).astype(np.float32).reshape(rows, cols)


def norm(seed, n):
    return (0.75 + uniform(seed, n) * 0.5).astype(np.float32)


def llama3_rope_factors(base, head_size):
    """rope_freqs as llama.cpp's converter computes it from Llama 3.1's rope_scaling (factor 8, low 1, high 4,
    original context 8192)."""
    factor, low, high, old = 8.0, 1.0, 4.0, 8192
    out = []
    for i in range(0, head_size, 2):
        wavelen = 2 * math.pi * base ** (i / head_size)
        if wavelen < old / high:
            out.append(1.0)
        elif wavelen > old / low:
            out.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def tensors(arch, kv_heads, tied, rope_factors, seed, base):
    """The model's tensors in file order, each drawn from its own seed: the Java test draws them alike."""
    head = DIM // HEADS
    kv = kv_heads * head
    shapes = [("token_embd.weight", "m", VOCAB, DIM), ("output_norm.weight", "n", DIM)]
    if not tied:
        shapes.append(("output.weight", "m", VOCAB, DIM))
    for l in range(LAYERS):
        p = f"blk.{l}."
        shapes += [(p + "attn_norm.weight", "n", DIM), (p + "attn_q.weight", "m", DIM, DIM),
                   (p + "attn_k.weight", "m", kv, DIM), (p + "attn_v.weight", "m", kv, DIM),
                   (p + "attn_output.weight", "m", DIM, DIM)]
        if arch == "qwen2":
            shapes += [(p + "attn_q.bias", "b", DIM), (p + "attn_k.bias", "b", kv), (p + "attn_v.bias", "b", kv)]
        shapes += [(p + "ffn_norm.weight", "n", DIM), (p + "ffn_gate.weight", "m", FFN, DIM),
                   (p + "ffn_up.weight", "m", FFN, DIM), (p + "ffn_down.weight", "m", DIM, FFN)]
    out = []
    for ordinal, (tname, kind, *shape) in enumerate(shapes):
        s = tensor_seed(seed, ordinal)
        if kind == "m":
            out.append((tname, matrix(s, *shape)))
        elif kind == "n":
            out.append((tname, norm(s, *shape)))
        else:
            out.append((tname, matrix(s, 1, *shape).reshape(-1)))
    if rope_factors:
        out.append(("rope_freqs.weight", llama3_rope_factors(base, head)))
    return out


def write_f32(path, name, arch, kv_heads, base, model_tensors):
    w = gguf.GGUFWriter(path, arch)
    w.add_name(name)
    w.add_context_length(CONTEXT)
    w.add_embedding_length(DIM)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(EPS)
    w.add_rope_freq_base(base)
    w.add_rope_dimension_count(DIM // HEADS)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    # A SentencePiece-style vocabulary only so llama.cpp loads the file; the tests feed token ids.
    w.add_tokenizer_model("llama")
    tokens = ["<unk>", "<s>", "</s>", "<0x0A>"] + [f"▁t{i}" for i in range(4, VOCAB)]
    types = [2, 3, 3, 6] + [1] * (VOCAB - 4)
    w.add_token_list(tokens)
    w.add_token_scores([-float(i) for i in range(VOCAB)])
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    for tname, data in model_tensors:
        w.add_tensor(tname, data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def quantize(src, dst, ftype):
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 2
    params.pure = True
    if llama_cpp.llama_model_quantize(src.encode(), dst.encode(), ctypes.byref(params)) != 0:
        raise RuntimeError(f"llama_model_quantize failed for {dst}")


def tensor_hashes(path):
    return {t.name: hashlib.sha256(t.data.tobytes()).hexdigest() for t in gguf.GGUFReader(path).tensors}


def plain_cpu_buffers():
    params = DEFAULT_MODEL_PARAMS()
    params.use_extra_bufts = False
    return params


DEFAULT_MODEL_PARAMS = llama_cpp.llama_model_default_params
llama_cpp.llama_model_default_params = plain_cpu_buffers
llama_cpp.llama.llama_cpp.llama_model_default_params = plain_cpu_buffers


def logits(path, sequences, sample_ids):
    llm = llama_cpp.Llama(model_path=path, n_ctx=CONTEXT, n_batch=CONTEXT, n_threads=2, n_threads_batch=2,
                          logits_all=True, verbose=True, seed=0, flash_attn=False)
    out = []
    for ids in sequences:
        llm.reset()
        llm.eval(ids)
        rows = np.array(llm.scores[: len(ids)], dtype=np.float32)
        top = [np.argsort(-row, kind="stable")[:2] for row in rows]
        out.append({
            "top_ids": [[int(i) for i in t] for t in top],
            "top_logits": [[round(float(row[i]), 4) for i in t] for row, t in zip(rows, top)],
            "sample": [[round(float(row[i]), 4) for i in sample_ids] for row in rows],
        })
    del llm
    return out


def kept_files(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, arch, kv_heads, base, tied, rope_factors, seed in VARIANTS:
            f32 = os.path.join(tmp, f"{name}.f32.gguf")
            write_f32(f32, name, arch, kv_heads, base, tensors(arch, kv_heads, tied, rope_factors, seed, base))
            for type_name in KEPT:
                quantize(f32, os.path.join(out_dir, f"{name}.{type_name.lower()}.gguf"), FTYPES[type_name])


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rnd = random.Random(SEQUENCES_SEED)
    sequences = [[rnd.randrange(VOCAB) for _ in range(n)] for n in SEQUENCE_LENGTHS]
    sample_ids = sorted(rnd.sample(range(VOCAB), SAMPLE))
    variants = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, arch, kv_heads, base, tied, rope_factors, seed in VARIANTS:
            model_tensors = tensors(arch, kv_heads, tied, rope_factors, seed, base)
            f32 = os.path.join(tmp, f"{name}.f32.gguf")
            write_f32(f32, name, arch, kv_heads, base, model_tensors)
            types = {"F32": {"tensors": tensor_hashes(f32), "sequences": logits(f32, sequences, sample_ids)}}
            for type_name, ftype in FTYPES.items():
                kept = type_name in KEPT
                path = os.path.join(out_dir if kept else tmp, f"{name}.{type_name.lower()}.gguf")
                quantize(f32, path, ftype)
                types[type_name] = {"file": os.path.basename(path) if kept else None,
                                    "tensors": tensor_hashes(path), "sequences": logits(path, sequences, sample_ids)}
            factors = dict(model_tensors).get("rope_freqs.weight")
            variants.append({"name": name, "architecture": arch, "seed": seed, "kv_heads": kv_heads, "rope_base": base,
                             "tied": tied, "rope_factors": None if factors is None else factors.tolist(), "types": types})
    with open(os.path.join(out_dir, "tiny-quant-logits.json"), "w", encoding="utf-8") as f:
        json.dump({"llama_cpp_python": llama_cpp.__version__, "dim": DIM, "heads": HEADS, "ffn": FFN, "vocab": VOCAB,
                   "layers": LAYERS, "rms_eps": EPS, "context": CONTEXT, "sequences": sequences,
                   "sample_ids": sample_ids, "variants": variants}, f, separators=(",", ":"))


if __name__ == "__main__":
    # "kept OUT_DIR" only writes the files the Java test cannot encode itself (the K-quants), without running
    # llama.cpp on them: the test makes them this way instead of keeping model files in the repository.
    if sys.argv[1] == "kept":
        kept_files(sys.argv[2])
    else:
        main(sys.argv[1])
