"""Prints llama.cpp's next-token logits for given token ids, so a test can check that a GGUF we wrote runs in
llama.cpp as it does in our engine.

Run with the project's venv (llama-cpp-python installed by scripts/test):
    echo '[[1, 2, 3], [4, 5]]' | ~/.cache/iteralign/venv/bin/python cli/src/test/python/llamacpp_logits.py MODEL.gguf

Reads a JSON list of token-id lists on stdin (fed as they are: no BOS is added) and prints one JSON object:
for each list, for every position, the top-5 token ids and their logits. Two threads, as the tests share the
machine's two cores.
"""
import json
import sys

import llama_cpp
import numpy as np

TOP_K = 5


def main(model_path):
    prompts = json.load(sys.stdin)
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=512, n_threads=2, n_threads_batch=2,
                          logits_all=True, verbose=False, seed=0)
    cases = []
    for ids in prompts:
        llm.reset()
        llm.eval(ids)
        logits = np.array(llm.scores[: len(ids)], dtype=np.float32)
        positions = []
        for row in logits:
            top = np.argsort(-row, kind="stable")[:TOP_K]
            positions.append({"ids": [int(i) for i in top], "logits": [float(row[i]) for i in top]})
        cases.append(positions)
    json.dump({"llama_cpp_python": llama_cpp.__version__, "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
