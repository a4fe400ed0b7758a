"""A real SentencePiece vocabulary for the Java SentencePiece BPE tokenizer: Mistral 7B v0.1's
tokenizer.model, as the `mistral-common` package ships it, written as a vocabulary-only GGUF file the way
llama.cpp's convert_hf_to_gguf.py writes Llama/Mistral vocabularies (tokenizer.ggml.model = "llama").

Needs `pip install gguf sentencepiece` and `pip install --no-deps mistral-common` (only its data file is
read), plus llama-cpp-python for `vectors`. From the repository root:
    # record llama.cpp's ids into the test resources (done once; the output is committed)
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/spm_vocab_fixture.py vectors \
        engine/src/test/resources/org/iteralign/engine/tokenizer/mistral-v0.1-llamacpp-vectors.json
    # write just the GGUF file (MistralSentencePieceTest does this in a temporary folder)
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/spm_vocab_fixture.py gguf OUT.gguf
"""
import importlib.util
import json
import os
import sys
import tempfile

import gguf
import sentencepiece

from tokenizer_vectors import CORPUS, random_cases

SPM_CORPUS = CORPUS + [
    "<s>[INST] What is 2+2? [/INST] 4</s>",
    "</s><s>",
    "<unk> is the unknown token",
    "[INST]",
    " leading space",
    "two  spaces and ▁ the meta symbol",
    "\u2581\u2581",
]


def write_gguf(path):
    # Located, not imported: the package's own imports are not needed for its data file.
    spec = importlib.util.find_spec("mistral_common")
    if spec is None:
        raise ModuleNotFoundError("No module named 'mistral_common' (see this script's header)")
    model = os.path.join(spec.submodule_search_locations[0], "data", "tokenizer.model.v1")
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
    tokens, scores, types = [], [], []
    for i in range(sp.vocab_size()):
        tokens.append(sp.id_to_piece(i).encode("utf-8"))
        scores.append(sp.get_score(i))
        if sp.is_unknown(i):
            types.append(gguf.TokenType.UNKNOWN)
        elif sp.is_control(i):
            types.append(gguf.TokenType.CONTROL)
        elif sp.is_unused(i):
            types.append(gguf.TokenType.UNUSED)
        elif sp.is_byte(i):
            types.append(gguf.TokenType.BYTE)
        else:
            types.append(gguf.TokenType.NORMAL)
    writer = gguf.GGUFWriter(path, "llama")
    # llama.cpp reads the hyperparameters even for a vocabulary-only load; these are Mistral 7B's.
    writer.add_context_length(32768)
    writer.add_embedding_length(4096)
    writer.add_block_count(32)
    writer.add_feed_forward_length(14336)
    writer.add_head_count(32)
    writer.add_head_count_kv(8)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(sp.bos_id())
    writer.add_eos_token_id(sp.eos_id())
    writer.add_unk_token_id(sp.unk_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_vectors(out_path):
    import llama_cpp

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mistral-v0.1-vocab.gguf")
        write_gguf(path)
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        cases = []
        for text in SPM_CORPUS + random_cases(200):
            data = text.encode("utf-8")
            cases.append({
                "text": text,
                "ids": llm.tokenize(data, add_bos=False, special=False),
                "ids_special": llm.tokenize(data, add_bos=False, special=True),
            })
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"model": "mistral-common tokenizer.model.v1", "producer": %s, "cases": [\n'
                  % json.dumps("llama-cpp-python " + llama_cpp.__version__))
        out.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        out.write("\n]}\n")


if __name__ == "__main__":
    if sys.argv[1] == "gguf":
        write_gguf(sys.argv[2])
    else:
        write_vectors(sys.argv[2])
