#!/usr/bin/env bash
# Set up everything gazettekg needs on a fresh machine, idempotently:
# a virtual environment in .venv with the project and its test tools installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here);
# CJK fonts make Chinese labels readable in headless screenshots.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1 \
      || echo "setup: could not install ${need[*]} (browser tests will say they are skipped)" >&2
  else
    echo "setup: ${need[*]} missing; install with: sudo apt-get install ${need[*]}" >&2
  fi
fi

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

# Optional: Virtuoso for tests/test_virtuoso.py (N-Quads bulk load + the query library).
# Only with GAZETTEKG_VIRTUOSO=1; the test skips, saying why, where Virtuoso is missing.
if [ "${GAZETTEKG_VIRTUOSO:-0}" = 1 ] && ! command -v virtuoso-t >/dev/null 2>&1; then
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
         virtuoso-opensource; } >.venv/virtuoso-setup.log 2>&1; then
    tail -n 20 .venv/virtuoso-setup.log >&2
    echo "could not install virtuoso-opensource (needs apt and root); tests/test_virtuoso.py will be skipped" >&2
  fi
fi
