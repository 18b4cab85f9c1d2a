#!/usr/bin/env bash
# Set up everything gazettekg needs on a fresh machine, idempotently:
# a virtual environment in .venv with the project and its test tools installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "gazettekg needs Python 3.11 or newer (found: $("$PY" --version 2>&1))" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.gazettekg-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log=.venv/setup.log
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e '.[test]'; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "setup failed; the full log is in $log" >&2
    exit 2
  fi
  touch "$stamp"
fi
