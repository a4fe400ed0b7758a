"""Measures llama.cpp's prompt-processing and single-stream decode speed, for the Java engine's benchmark
(SpeedBenchmarkTest runs it in the same session so both see the same machine load).

Run: ~/.cache/iteralign/venv/bin/python engine/src/test/python/llamacpp_speed.py MODEL.gguf [THREADS]
Prints one JSON line: {"prefill_tps": ..., "decode_tps": ...}, the best of three rounds of a 128-token
prompt (ids 100, 107, 114, ...) followed by 64 greedy tokens. use_extra_bufts=False for the reason given
in record_llamacpp_logits.py.
"""
import json
import sys
import time

import llama_cpp
import numpy as np

DEFAULT_MODEL_PARAMS = llama_cpp.llama_model_default_params


def plain_cpu_buffers():
    params = DEFAULT_MODEL_PARAMS()
    params.use_extra_bufts = False
    return params


llama_cpp.llama_model_default_params = plain_cpu_buffers
llama_cpp.llama.llama_cpp.llama_model_default_params = plain_cpu_buffers


def main(model_path, threads):
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=512, n_threads=threads,
                          n_threads_batch=threads, verbose=True)
    prompt = [100 + 7 * i for i in range(128)]
    best_prefill = best_decode = 0.0
    for _ in range(3):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(prompt)
        t1 = time.perf_counter()
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        for _ in range(64):
            llm.eval([token])
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        t2 = time.perf_counter()
        best_prefill = max(best_prefill, len(prompt) / (t1 - t0))
        best_decode = max(best_decode, 64 / (t2 - t1))
    print(json.dumps({"prefill_tps": best_prefill, "decode_tps": best_decode}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
