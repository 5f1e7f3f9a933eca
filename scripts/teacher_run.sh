#!/usr/bin/env bash
# The real teacher run: Qwen2.5-Coder-1.5B-Instruct (GGUF, llama.cpp server on 127.0.0.1) writes chains of
# thought in `hint` and `fewshot` mode for 100 training questions each of last_letter, coin_flip and
# gsm_symbolic, then `distill filter` builds the training sets. Resumable: rerun after an interruption.
#   scripts/teacher_run.sh [OUT_DIR]      (default artifacts/teacher; not committed, the pipeline rebuilds it)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/teacher}
PORT=${PORT:-8090}
TEACHER=qwen2.5-coder-1.5b-instruct
PY=.venv/bin/python
mkdir -p "$OUT"
.venv/bin/distill models pull "$TEACHER" >/dev/null
GGUF=$($PY -c "from distill.models import OFFLINE_MODELS as M; print(M['$TEACHER'].gguf_path)")
$PY -m llama_cpp.server --model "$GGUF" --host 127.0.0.1 --port "$PORT" --n_ctx 4096 --model_alias "$TEACHER" \
    > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null; do sleep 1; done
for mode in hint fewshot; do
  for bench in last_letter coin_flip gsm_symbolic; do
    .venv/bin/distill generate --teacher "$TEACHER" --backend openai --base-url "http://127.0.0.1:$PORT" \
        --benchmark "$bench" --mode "$mode" --limit 100 --concurrency 1 --out "$OUT/$bench.$mode.jsonl"
  done
done
.venv/bin/distill filter "$OUT"/*.jsonl --out "$OUT/train"
