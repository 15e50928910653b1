#!/usr/bin/env bash
# Set-up and entry point for a fresh machine: creates .venv when needed, then runs the job.
#   ./run.sh demo          kopt's main job: optimize a problem shipped in eval_suite/ (no GPU, no API key)
#   ./run.sh test [ARGS]   the test suite (pytest ARGS)
#   ./run.sh kopt [ARGS]   any kopt command inside the environment
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

ensure_env() {
  if [ ! -x .venv/bin/python ]; then
    echo "run.sh: creating .venv" >&2
    "$PY" -m venv .venv
  fi
  local stamp=.venv/.kopt-installed want
  want=$(cat pyproject.toml | md5sum | cut -c1-32)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! .venv/bin/python -c "import torch" 2>/dev/null; then
      # Any torch >= 2.4 works (pyproject.toml); this release has a CPU wheel on the CI machines,
      # where an unpinned request would pull a multi-GB CUDA build. KOPT_TORCH overrides it.
      echo "run.sh: installing ${KOPT_TORCH:-torch==2.13.0}" >&2
      .venv/bin/pip install -q "${KOPT_TORCH:-torch==2.13.0}"
    fi
    echo "run.sh: installing kopt and its dependencies" >&2
    .venv/bin/pip install -q -e ".[dev]"
    echo "$want" > "$stamp"
  fi
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  demo)
    ensure_env
    # The built-in fusion compiler on a suite problem: linear + residual + LayerNorm becomes a
    # matmul-with-epilogue kernel and a row kernel, each variant verified by the judge.
    exec .venv/bin/kopt optimize eval_suite/level2/19_linear_residual_layernorm.py --proposer builtin \
      --device cpu --budget 4 --out kopt-out/19_linear_residual_layernorm_kopt.py "$@" ;;
  test)
    ensure_env
    # One pytest worker per core: most tests wait on sandboxed worker processes of their own.
    # loadgroup keeps the tests of one costly module fixture on one worker (tests/conftest.py).
    exec .venv/bin/python -m pytest -q -n "${KOPT_TEST_WORKERS:-auto}" --dist loadgroup "$@" ;;
  kopt)
    ensure_env
    exec .venv/bin/kopt "$@" ;;
  *)
    echo "usage: ./run.sh demo | test [pytest args] | kopt [args]" >&2
    exit 2 ;;
esac
