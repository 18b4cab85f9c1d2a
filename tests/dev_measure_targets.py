"""Dev measurement (not a test): P/R/F1 of find_deadlines and find_targets on the dev gold.

Task text is rebuilt the way the gold defines it (non-blank lines line..end_line joined
without a separator); scoring mirrors /work/shared/eval/score.py: a set of dates per task,
and (value, comparator) pairs per task. Run:
    PYTHONPATH=. .venv/bin/python tests/dev_measure_targets.py [--misses]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kg_build.dates import find_deadlines
from kg_build.targets import find_targets

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold-dev.json"
SAMPLE = ROOT / "gazettekg" / "sample" / "xuchang-gazette-2020-02.txt"
COMP = {"AtLeast": ">=", "AtMost": "<=", "Exactly": "=", "Approximately": "~"}


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else (1.0 if not ngold else 0.0)
    r = tp / ngold if ngold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def task_text(lines: list[str], start: int, end: int) -> str:
    return "".join(line.strip() for line in lines[start - 1:end] if line.strip())


def match_pairs(gold: list[tuple[float, str]], pred: list[tuple[float, str]]) -> int:
    left = list(pred)
    tp = 0
    for value, comp in gold:
        hit = next((i for i, (v, c) in enumerate(left) if abs(v - value) < 1e-6 and c == comp), None)
        if hit is not None:
            tp += 1
            left.pop(hit)
    return tp


def main(show_misses: bool) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    dl = [0, 0, 0]
    tg = [0, 0, 0]
    for plan in gold["plans"]:
        year = int(plan["issued"][:4])
        for task in plan["tasks"]:
            text = task_text(lines, task["line"], task["end_line"])
            deadlines = find_deadlines(text, year=year)
            got_dates = {d.date for d in deadlines if d.date}
            want_dates = {d["date"] for d in task["deadlines"] if d.get("date")}
            dl[0] += len(got_dates & want_dates); dl[1] += len(got_dates); dl[2] += len(want_dates)
            if show_misses and got_dates != want_dates:
                print("DL", plan["doc_no"], task["line"], "want", sorted(want_dates), "got",
                      [(d.text, d.date) for d in deadlines])
            targets = find_targets(text, year=year, deadlines=deadlines)
            got = [(t.value, COMP[t.comparator]) for t in targets]
            want = [(float(t["value"]), t.get("comparator", "=")) for t in task["targets"]
                    if t.get("value") is not None]
            tp = match_pairs(want, got)
            tg[0] += tp; tg[1] += len(got); tg[2] += len(want)
            if show_misses and (tp < len(want) or len(got) > tp):
                print("TG", plan["doc_no"], task["line"], "want", want, "got",
                      [(t.value, COMP[t.comparator], t.text) for t in targets])
    for name, (tp, npred, ngold) in (("deadlines", dl), ("targets", tg)):
        p, r, f = prf(tp, npred, ngold)
        print(f"{name:10s} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={tp} pred={npred} gold={ngold})")


if __name__ == "__main__":
    main("--misses" in sys.argv)
