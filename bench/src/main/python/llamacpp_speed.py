"""llama.cpp's side of `bench/run engine`: prompt processing and single-stream decode speed of one GGUF.

Run: PYTHON bench/src/main/python/llamacpp_speed.py MODEL.gguf THREADS PROMPT_TOKENS DECODE_TOKENS ROUNDS
Prints one JSON line: prefill_tps and decode_tps (the best round of a prompt of ids 100, 107, 114, ...
then greedy tokens), and this process's VmRSS / VmHWM in MB after generating. The Java side (EngineSuite)
feeds the engine the same token ids, so both do the same work. llama.cpp runs with its default settings
(including any repacking of weights for this CPU), as a user would run it; its log goes to stderr.
"""
import json
import sys
import time

import llama_cpp
import numpy as np


def memory_mb():
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def main(model_path, threads, prompt_tokens, decode_tokens, rounds):
    # n_batch = n_ctx: without logits_all, llama-cpp-python keeps n_batch rows of scores, indexed by position.
    n_ctx = prompt_tokens + decode_tokens + 16
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_batch=n_ctx,
                          n_threads=threads, n_threads_batch=threads, verbose=True)
    prompt = [100 + 7 * i for i in range(prompt_tokens)]
    best_prefill = best_decode = 0.0
    for _ in range(rounds):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(prompt)
        t1 = time.perf_counter()
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        for _ in range(decode_tokens):
            llm.eval([token])
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        t2 = time.perf_counter()
        best_prefill = max(best_prefill, prompt_tokens / (t1 - t0))
        best_decode = max(best_decode, decode_tokens / (t2 - t1))
    mem = memory_mb()
    print(json.dumps({"prefill_tps": best_prefill, "decode_tps": best_decode,
                      "vm_rss_mb": mem["VmRSS"], "vm_hwm_mb": mem["VmHWM"]}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
