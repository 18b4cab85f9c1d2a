"""One huge paragraph: is target extraction linear in its length?

    python bench/paragraph.py [--mb 5] [--dates]

A real paragraph of the bundled sample (its longest line: sentences with targets and
deadlines) repeated, without a line break, to 1/8, 1/4, … of `--mb` megabytes. Prints the
time of kg_build.targets.find_targets per size and its seconds per MB as a ratio to the
smallest size: near 1 is linear, 2 per doubling is quadratic. Issue #15.9: a 5 MB paragraph
took 104 s, `_inside` scanning every span per number. `--dates` also times
kg_build.dates.find_deadlines, which the targets need first.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gazettekg.common import sample_path  # noqa: E402
from kg_build.dates import find_deadlines  # noqa: E402
from kg_build.targets import find_targets  # noqa: E402


def paragraph(megabytes: float) -> str:
    line = max(sample_path().read_text(encoding="utf-8").splitlines(), key=len).strip()
    copies = max(1, int(megabytes * 1e6 / len(line.encode("utf-8"))))
    return line * copies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=5.0, help="the largest paragraph, in MB (default 5)")
    ap.add_argument("--dates", action="store_true", help="also time find_deadlines")
    a = ap.parse_args()
    sizes = [a.mb / 8, a.mb / 4, a.mb / 2, a.mb]
    base = None
    print(f"{'MB':>6} {'targets':>8} {'s':>7} {'s/MB':>7} {'ratio':>6}" + ("  dates s" if a.dates else ""))
    for mb in sizes:
        text = paragraph(mb)
        t = time.perf_counter()
        deadlines = find_deadlines(text, year=2020)
        t_dates = time.perf_counter() - t
        t = time.perf_counter()
        found = find_targets(text, year=2020, deadlines=deadlines)
        seconds = time.perf_counter() - t
        per_mb = seconds / (len(text.encode("utf-8")) / 1e6)
        base = base or per_mb
        print(f"{len(text.encode('utf-8')) / 1e6:6.2f} {len(found):8d} {seconds:7.2f} {per_mb:7.2f} {per_mb / base:6.2f}"
              + (f"  {t_dates:7.2f}" if a.dates else ""), flush=True)


if __name__ == "__main__":
    main()
