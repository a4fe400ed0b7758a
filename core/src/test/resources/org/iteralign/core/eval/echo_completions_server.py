"""A reference /v1/completions server for CompletionsScoringModelReferenceTest.

llama-cpp-python's own server echoes prompt log-probabilities one token late for models without a BOS token,
so this one computes them from the Python API directly, with OpenAI's semantics: token_logprobs[i] is
log-softmax(logits after tokens[:i])[tokens[i]], None for the first token, text_offset counts characters of the
detokenized prefix (as llama-cpp-python does), and one greedy token follows the prompt.

POST /reference {"context", "continuation"} scores the pair independently, the way lm-evaluation-harness does:
tokenize context and context+continuation, the continuation's tokens are those after len(context tokens).

Usage: python echo_completions_server.py MODEL.gguf PORT_FILE   (writes the port to PORT_FILE when ready)
"""
import http.server
import json
import sys

import llama_cpp
import numpy as np

model_path, port_file = sys.argv[1], sys.argv[2]
# use_extra_bufts=False: llama.cpp's AMX weight repacking crashes on the test machine.
llm = llama_cpp.Llama(model_path, n_ctx=2048, logits_all=True, use_extra_bufts=False, verbose=False,
                      n_threads=2, n_threads_batch=2)


def tokenize(text):
    return llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)


def log_softmax_rows(tokens):
    llm.reset()
    llm.eval(tokens)
    logits = np.array(llm._scores[: len(tokens)], dtype=np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def completion(prompt, echo):
    tokens = tokenize(prompt)
    rows = log_softmax_rows(tokens)
    shown = 1 if tokens[0] == llm.token_bos() else 0
    offsets, strings, values = [], [], []
    if echo:
        for i in range(shown, len(tokens)):
            offsets.append(len(llm.detokenize(tokens[shown:i]).decode("utf-8", errors="ignore")))
            strings.append(llm.detokenize([tokens[i]], prev_tokens=tokens[:i]).decode("utf-8", errors="ignore"))
            values.append(float(rows[i - 1, tokens[i]]) if i > 0 else None)
        if shown == 0:
            values[0] = None
    nxt = int(np.argmax(rows[-1]))
    text = llm.detokenize([nxt], prev_tokens=tokens).decode("utf-8", errors="ignore")
    offsets.append(len(prompt))
    strings.append(text)
    values.append(float(rows[-1, nxt]))
    return {"choices": [{"index": 0, "text": (prompt if echo else "") + text, "finish_reason": "length",
                         "logprobs": {"text_offset": offsets, "tokens": strings, "token_logprobs": values}}]}


def reference(context, continuation):
    spaces = len(context) - len(context.rstrip())
    if spaces:
        context, continuation = context[:-spaces], context[-spaces:] + continuation
    whole = tokenize(context + continuation)
    start = len(tokenize(context))
    rows = log_softmax_rows(whole)
    return {"logprob": float(sum(rows[i - 1, whole[i]] for i in range(start, len(whole)))),
            "tokens": len(whole) - start}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.endswith("/completions"):
            answer = completion(request["prompt"], bool(request.get("echo")))
        elif self.path.endswith("/reference"):
            answer = reference(request["context"], request["continuation"])
        else:
            self.send_error(404)
            return
        body = json.dumps(answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
