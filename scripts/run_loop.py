"""Run ./run N times (default 30) and count how often it reaches "serving".

Each run gets PORT=0 (a free port, so other services on the machine do not matter), is
read line by line until `gazettekg: serving …` appears (or it exits, or a time limit
passes), then its own process group is stopped. Prints one line per run and a summary;
exits 0 only when every run reached "serving".

    .venv/bin/python scripts/run_loop.py            # 30 runs
    .venv/bin/python scripts/run_loop.py --runs 5
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(timeout: float) -> tuple[bool, float, str]:
    """(reached serving, seconds, last lines of output)."""
    env = {**os.environ, "PORT": "0"}
    start = time.monotonic()
    proc = subprocess.Popen([str(ROOT / "run")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    served = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("gazettekg: serving "):
                served.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    ok = served.is_set()
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this script started, by its id
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return ok, time.monotonic() - start, "\n".join(lines[-5:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=180, help="seconds one run may take to reach serving")
    args = ap.parse_args(argv)
    reached = 0
    for i in range(1, args.runs + 1):
        ok, seconds, tail = one_run(args.timeout)
        reached += ok
        print(f"run {i:2d}: {'serving' if ok else 'FAILED'} after {seconds:.1f}s", flush=True)
        if not ok:
            print("  last output:\n  " + tail.replace("\n", "\n  "), flush=True)
    print(f"./run reached serving {reached}/{args.runs} times")
    return 0 if reached == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
