"""llama.cpp's side of `bench/run eval`: scores multiple-choice requests one by one and times it.

Run: PYTHON bench/src/main/python/llamacpp_eval_speed.py MODEL.gguf THREADS REQUESTS.json OUT.json
REQUESTS.json is {"requests": [{"context": [ids], "continuation": [ids]}, ...]}, the token ids the engine scored
(the Java side, ScoringSuite, writes it). Each request runs from an empty KV cache, as a harness calling
llama.cpp once per request would, with logits asked for only at the positions that predict a continuation token;
its log-likelihood is the sum of log-softmax (float64) of those tokens. OUT.json gets {"seconds": the time of all
requests, "log_likelihoods": [...]}. llama.cpp runs with its default settings (including any repacking of weights
for this CPU), as llamacpp_speed.py does; its log goes to stderr.
"""
import json
import sys
import time

import llama_cpp
import numpy as np

N_BATCH = 512


def log_likelihood(ctx, batch, vocab, context, continuation):
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
    tokens = context + continuation[:-1]
    first_scored = len(context) - 1
    total = 0.0
    for start in range(0, len(tokens), N_BATCH):
        chunk = tokens[start:start + N_BATCH]
        batch.n_tokens = len(chunk)
        for i, token in enumerate(chunk):
            batch.token[i] = token
            batch.pos[i] = start + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = start + i >= first_scored
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise RuntimeError("llama_decode failed")
        for i in range(len(chunk)):
            if start + i >= first_scored:
                row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, i), shape=(vocab,)).astype(np.float64)
                shifted = row - row.max()
                total += shifted[continuation[start + i - first_scored]] - np.log(np.exp(shifted).sum())
    return total


def main(model_path, threads, requests_path, out_path):
    with open(requests_path, encoding="utf-8") as f:
        requests = json.load(f)["requests"]
    longest = max(len(r["context"]) + len(r["continuation"]) for r in requests)
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=(longest // 256 + 1) * 256, n_batch=N_BATCH,
                          n_threads=threads, n_threads_batch=threads, verbose=True)
    batch = llama_cpp.llama_batch_init(N_BATCH, 0, 1)
    vocab = llm.n_vocab()
    try:
        t0 = time.perf_counter()
        scores = [log_likelihood(llm.ctx, batch, vocab, r["context"], r["continuation"]) for r in requests]
        seconds = time.perf_counter() - t0
    finally:
        llama_cpp.llama_batch_free(batch)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"seconds": seconds, "log_likelihoods": scores}, f)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
