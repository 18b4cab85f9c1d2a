"""Linking time as the number of plans grows: the sample's 12 plans replicated 1×, 4×, 16×,
64× (each copy renamed — its own document number and plan key — and its numbers varied,
so copies are near-duplicates that disagree), timed through kg_build.linking.link.

    .venv/bin/python bench/linking.py [--factors 1,4,16,64] [--repeat 3]

Prints one row per size (the best of --repeat runs: wall and CPU seconds) and the growth
ratio of time against the growth of plans; close to linear means the time ratio stays near
the plan ratio (not its square). Issue 12 asks for 64x plans in at most 10x time.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gazettekg.common import sample_path  # noqa: E402
from kg_build.linking import link  # noqa: E402
from kg_build.pipeline import read_gazette  # noqa: E402
from kg_build.records import GazetteRecord  # noqa: E402


def _vary(text: str, k: int) -> str:
    """Free-standing numbers of copy k shift by k (97 → 97+k): copies disagree like real plans
    do. A number inside a name (5G, IPv6) is left alone: a reissue does not rename 5G to 69G."""
    return re.sub(r"(?<![A-Za-z\d.])\d+(?![A-Za-z\d])",
                  lambda m: str(int(m.group()) + k) if len(m.group()) < 5 else m.group(), text)


def replicate(record: GazetteRecord, factor: int) -> list[GazetteRecord]:
    out = []
    for k in range(factor):
        r = copy.deepcopy(record)
        r.file_name = f"copy-{k}-{r.file_name}"
        for p in r.plans:
            p.key = f"{p.key}-copy{k}"
            p.doc_number = re.sub(r"(\d+)号$", lambda m: f"{m.group(1)}-{k}号", p.doc_number or "")
            for t in p.tasks:
                t.text = _vary(t.text, k)
                t.targets = [replace(x, value=x.value + k) for x in t.targets]
            p.targets = [replace(x, value=x.value + k) for x in p.targets]
        out.append(r)
    return out


def _timed(records: list[GazetteRecord], repeat: int):
    """The best of `repeat` runs, as (wall seconds, CPU seconds, result). The best, because the
    machine is shared: a slower run measures the neighbours, not the linking."""
    best = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        res = link(records)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = (min(wall, best[0]), min(cpu, best[1]), res) if best else (wall, cpu, res)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factors", default="1,4,16,64")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the best is kept")
    args = ap.parse_args(argv)
    base = read_gazette(sample_path())
    link([base])        # untimed: loads jieba's dictionary (seconds, once per process), not linking work
    rows = []
    for f in (int(x) for x in args.factors.split(",")):
        records = replicate(base, f)
        plans = sum(len(r.plans) for r in records)
        tasks = sum(len(p.tasks) for r in records for p in r.plans)
        wall, cpu, res = _timed(records, args.repeat)
        rows.append((f, plans, tasks, wall, cpu, len(res.relations), len(res.conflicts)))
    print(f"{'factor':>6} {'plans':>6} {'tasks':>6} {'seconds':>8} {'cpu s':>7} {'relations':>9} {'conflicts':>9} "
          f"{'plans x':>8} {'time x':>7}")
    for i, (f, plans, tasks, wall, cpu, rel, con) in enumerate(rows):
        px = plans / rows[i - 1][1] if i else 1.0
        tx = wall / rows[i - 1][3] if i else 1.0
        print(f"{f:>6} {plans:>6} {tasks:>6} {wall:>8.2f} {cpu:>7.2f} {rel:>9} {con:>9} {px:>8.1f} {tx:>7.1f}")
    p0, t0, c0 = rows[0][1], rows[0][3], rows[0][4]
    p1, t1, c1 = rows[-1][1], rows[-1][3], rows[-1][4]
    print(f"overall: {p1 / p0:.0f}x plans took {t1 / t0:.1f}x time ({c1 / c0:.1f}x CPU time; "
          f"best of {args.repeat} runs each; linear would be {p1 / p0:.0f}x, quadratic {(p1 / p0) ** 2:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
