"""Records llama.cpp's next-token logits on the test model, as reference vectors for the Java forward pass.

Run (from the repository root, with the project's venv that has llama-cpp-python installed):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/record_llamacpp_logits.py \
        /path/to/SmolLM2-135M-Instruct.Q4_1.gguf \
        engine/src/test/resources/org/iteralign/engine/model/smollm2-llamacpp-logits.json

For each prompt the file holds the token ids llama.cpp fed (so the Java test needs no tokenizer), and
for every position the top-5 token ids and logits. For the last position it also holds the logits of
a fixed sample of the vocabulary ("sample_ids", the same for all prompts, drawn with a fixed seed),
which is enough to estimate the mean absolute logit difference over the whole vocabulary while
keeping the file small. Settings: n_threads=2, logits_all=True, default (f16) KV cache, and
use_extra_bufts=False: on this project's CI machine the AMX/repacked weight buffers that llama.cpp
picks by default crash in llama_decode, and the plain CPU buffers compute the same model. (verbose=False
also crashed llama-cpp-python 0.3.36 there, so llama.cpp's log goes to stderr.)
"""
import json
import random
import sys

import llama_cpp
import numpy as np

PROMPTS = [
    "The capital of France is",
    "Once upon a time, there was a little",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return",
    "1, 2, 3, 4, 5, 6,",
    "The quick brown fox jumps over the lazy",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nWrite a haiku about autumn.<|im_end|>\n<|im_start|>assistant\n",
    "Water boils at a temperature of",
    "La capitale de l'Allemagne est",
    "import numpy as np\nx = np.array([1, 2, 3])\nprint(x.",
    "Q: What is the largest planet in the solar system?\nA:",
    "The mitochondria is the powerhouse of the",
    "SELECT name, age FROM users WHERE",
    "In 1492, Columbus sailed across the",
    "Hello",
    "!",
    "The first law of thermodynamics states that energy",
    "To be, or not to be, that is the",
    "{\"name\": \"Alice\", \"age\": 30, \"city\":",
    "Photosynthesis converts sunlight, water and carbon dioxide into",
    "<|im_start|>user\nTranslate 'good morning' into Spanish.<|im_end|>\n<|im_start|>assistant\n",
    "Machine learning is a field of study in artificial intelligence concerned with the development of "
    "statistical algorithms that can learn from data and generalize to unseen data, and thus perform tasks "
    "without explicit instructions. Within a subdiscipline of machine learning, advances in the field of deep "
    "learning have allowed neural networks to surpass many previous approaches in",
    "for (int i = 0; i < n; i++) {\n    sum +=",
    "The square root of 144 is",
    "Dear Sir or Madam,\n\nI am writing to",
    "The three primary colors are red, blue, and",
    "   leading spaces and\ttabs\n\nand blank lines",
    "Ein, zwei, drei, vier,",
    "日本の首都は",
    "Roses are red, violets are",
    "<|im_start|>user\nList three fruits.<|im_end|>\n<|im_start|>assistant\n1. Apple\n2.",
    "The Eiffel Tower is located in",
    "E = mc^2 is a famous equation by",
    "Monday, Tuesday, Wednesday,",
]
TOP_K = 5
SAMPLE = 2048


def plain_cpu_buffers():
    params = DEFAULT_MODEL_PARAMS()
    params.use_extra_bufts = False
    return params


DEFAULT_MODEL_PARAMS = llama_cpp.llama_model_default_params
llama_cpp.llama_model_default_params = plain_cpu_buffers
llama_cpp.llama.llama_cpp.llama_model_default_params = plain_cpu_buffers


def main(model_path, out_path):
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=512, n_threads=2, n_threads_batch=2,
                          logits_all=True, verbose=True, seed=0)
    vocab = llm.n_vocab()
    sample_ids = sorted(random.Random(20251122).sample(range(vocab), SAMPLE))
    cases = []
    for text in PROMPTS:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        logits = np.array(llm.scores[: len(ids)], dtype=np.float32)
        positions = []
        for row in logits:
            top = np.argsort(-row, kind="stable")[:TOP_K]
            positions.append({"ids": [int(i) for i in top], "logits": [round(float(row[i]), 4) for i in top]})
        cases.append({
            "text": text,
            "tokens": [int(i) for i in ids],
            "positions": positions,
            "last_sample": [round(float(logits[-1][i]), 4) for i in sample_ids],
        })
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"model": model_path.rsplit("/", 1)[-1], "llama_cpp_python": llama_cpp.__version__,
                   "vocab": vocab, "sample_ids": sample_ids, "cases": cases}, f, ensure_ascii=False,
                  separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
