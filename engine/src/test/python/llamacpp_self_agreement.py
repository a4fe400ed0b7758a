"""How far llama.cpp's logits move on the test model when only its arithmetic changes: the noise floor
that ReferenceLogitsTest's bound against llama.cpp is set by (see the comment on staysCloseToLlamaCpp).

Run (from the repository root, with the project's venv):
    ~/.cache/iteralign/venv/bin/python engine/src/test/python/llamacpp_self_agreement.py \
        /path/to/SmolLM2-135M-Instruct.Q4_1.gguf

For the prompts of smollm2-float64-logits.json it prints, per llama.cpp setting, the mean |logit diff| over
the vocabulary sample at the last position against the recorded llama.cpp vectors (recorded with the
first setting) and against the exact float64 ones. Settings as record_llamacpp_logits.py (2 threads, plain
CPU buffers), varying one thing at a time.
"""
import json
import pathlib
import sys

import llama_cpp
import numpy as np

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "resources/org/iteralign/engine/model"
SETTINGS = {
    "as recorded (one batch, f16 KV cache)": dict(n_batch=512),
    "f32 KV cache": dict(n_batch=512, type_k=0, type_v=0),
    "flash attention": dict(n_batch=512, flash_attn=True),
    "token by token": dict(n_batch=1),
}


def plain_cpu_buffers():
    params = DEFAULT_MODEL_PARAMS()
    params.use_extra_bufts = False
    return params


DEFAULT_MODEL_PARAMS = llama_cpp.llama_model_default_params
llama_cpp.llama_model_default_params = plain_cpu_buffers
llama_cpp.llama.llama_cpp.llama_model_default_params = plain_cpu_buffers


def last_logits(model_path, cases, sample, n_batch, **kwargs):
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=n_batch, n_threads=2, n_threads_batch=2,
                          logits_all=True, verbose=True, seed=0, **kwargs)
    out = []
    for case in cases:
        llm.reset()
        llm.eval(case["tokens"])
        out.append(np.array(llm.scores[len(case["tokens"]) - 1])[sample])
    return out


def mean_diff(logits, reference):
    return np.mean([np.mean(np.abs(l - np.array(c["last_sample"]))) for l, c in zip(logits, reference["cases"])])


def main(model_path):
    recorded = json.loads((VECTORS / "smollm2-llamacpp-logits.json").read_text(encoding="utf-8"))
    exact = json.loads((VECTORS / "smollm2-float64-logits.json").read_text(encoding="utf-8"))
    for name, kwargs in SETTINGS.items():
        logits = last_logits(model_path, exact["cases"], recorded["sample_ids"], **kwargs)
        print(f"{name}: {mean_diff(logits, recorded):.3f} from the recorded llama.cpp logits,"
              f" {mean_diff(logits, exact):.3f} from float64", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
