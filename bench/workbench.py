"""How long the workbench pages take on a collection, first request and cached.

    python bench/workbench.py [--issues 10] [--store DIR]

Builds a synthetic collection (bench/synth.py) of N issues, or uses a built store, and
times each page in the same process: the first request (which reads the store for the
findings and the facets; a "Warming up" answer while the worker computes them from its
start is waited out and said) and the median of five after it. Prints the ratio cached/first,
so a change that breaks the cache (ratio near 1) or slows the first request shows here.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATHS = ["/tasks", "/tasks.json?year=2021", "/findings", "/findings.json?severity=high",
         "/charts/deadlines.json", "/api/search?q=市环保局"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--issues", type=int, default=10)
    ap.add_argument("--store", type=Path, default=None, help="a built store (default: build a synthetic one)")
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), str(Path(tmp) / "in"), "--issues",
                            str(args.issues)], check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "gazettekg", "build", str(Path(tmp) / "in"), "--store", str(store)],
                           check=True, capture_output=True)
        started = time.perf_counter()
        with TestClient(create_app(Settings.from_env({}, store=store, workers=1))) as client:
            print(f"workers ready after {time.perf_counter() - started:.1f} s")
            print(f"{'path':34} {'first s':>8} {'cached s':>9} {'ratio':>6}")
            for path in PATHS:
                t0 = time.perf_counter()
                r = client.get(path)
                while r.status_code == 503 and r.json()["error"]["title"] == "Warming up":
                    # the worker computes the facet and findings tables from its start (api.calls.warm)
                    print(f"{path}: warming up ({time.perf_counter() - started:.1f} s after start)")
                    time.sleep(1)
                    t0 = time.perf_counter()
                    r = client.get(path)
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                first = time.perf_counter() - t0
                again = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    client.get(path)
                    again.append(time.perf_counter() - t0)
                warm = statistics.median(again)
                print(f"{path:34} {first:8.3f} {warm:9.3f} {warm / first:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
