"""Records llama.cpp's log-likelihoods of the evaluation suites' scoring requests, as reference vectors for
ScoringAgreementTest (our multiple-choice predictions against llama.cpp's on the same token ids).

The requests come from the Java side: when the committed vectors no longer match what the suites score,
ScoringAgreementTest writes the current requests as token ids to core/<build dir>/scoring-requests-SUITE.json
and fails, naming this script. Run (from the repository root, with the venv scripts/test-env.sh makes):
    ~/.cache/iteralign/venv/bin/python core/src/test/python/record_llamacpp_choice_scores.py \
        ~/.cache/iteralign/models/SmolLM2-135M-Instruct.Q4_1.gguf \
        core/target/scoring-requests-truthfulqa-mc.json \
        core/src/test/resources/org/iteralign/core/eval/llamacpp-choice-scores-truthfulqa-mc.json [THREADS]
(likewise for hhh). Requests are evaluated in order; one whose context is the previous one's reuses
llama.cpp's KV cache of that context (as the engine shares a question's prompt across its candidates). A
log-likelihood is the sum over the continuation's tokens of log-softmax of llama.cpp's logits, in float64.
The output holds only item indices, a hash of each request's token ids (sha256 of "c1,c2,...|k1,k2,...", first
16 hex digits; the Java test checks it) and the numbers: no dataset text. Settings as engine/src/test/python/record_llamacpp_logits.py: n_threads=THREADS (default 2; the committed
vectors used 1, faster than 2 on a machine other jobs were loading), logits_all=True, default (f16) KV cache,
use_extra_bufts=False (the AMX/repacked buffers crash in llama_decode on the CI machine).
"""
import hashlib
import json
import sys

import llama_cpp
import numpy as np


def plain_cpu_buffers():
    params = DEFAULT_MODEL_PARAMS()
    params.use_extra_bufts = False
    return params


DEFAULT_MODEL_PARAMS = llama_cpp.llama_model_default_params
llama_cpp.llama_model_default_params = plain_cpu_buffers
llama_cpp.llama.llama_cpp.llama_model_default_params = plain_cpu_buffers


def ids_hash(context, continuation):
    text = ",".join(map(str, context)) + "|" + ",".join(map(str, continuation))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def log_likelihood(llm, context, continuation):
    # The context's KV cache is kept between requests that share it: eval() drops every position past n_tokens.
    if llm.n_tokens < len(context) or list(llm.input_ids[: len(context)]) != context:
        llm.reset()
        llm.eval(context)
    llm.n_tokens = len(context)
    llm.eval(continuation)
    logits = np.array(llm.scores[len(context) - 1: len(context) + len(continuation) - 1], dtype=np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(sum(log_probs[t, token] for t, token in enumerate(continuation)))


def main(model_path, requests_path, out_path, threads=2):
    with open(requests_path, encoding="utf-8") as f:
        dump = json.load(f)
    longest = max(len(r["context"]) + len(r["continuation"]) for item in dump["items"] for r in item["requests"])
    n_ctx = (longest // 256 + 1) * 256
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_batch=512, n_threads=threads, n_threads_batch=threads,
                          logits_all=True, verbose=True, seed=0)
    items = []
    for done, item in enumerate(dump["items"]):
        requests = [{"ids": ids_hash(r["context"], r["continuation"]),
                     "ll": round(log_likelihood(llm, r["context"], r["continuation"]), 6)} for r in item["requests"]]
        items.append({"index": item["index"], "requests": requests})
        print(f"{dump['suite']}: {done + 1}/{len(dump['items'])} items", file=sys.stderr, flush=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"suite": dump["suite"], "model": model_path.rsplit("/", 1)[-1],
                   "llama_cpp_python": llama_cpp.__version__, "items": items}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4], *map(int, sys.argv[4:5]))
