"""Dev script (not a test): P/R/F1 of units, regions and projects against the dev gold.

Counts the way shared/eval/score.py does: per task and role, the predicted nodes are
the distinct keys of the mentions; a node's labels are its preferred label plus every
spelling seen anywhere in the gazette (as the graph's altLabels would be); a gold string
is matched greedily by a distinct node whose labels contain it.

usage: PYTHONPATH=. .venv/bin/python tests/dev_measure_units_regions.py [--misses]
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

from kg_build.projects import canonical_project, find_projects
from kg_build.records import LEAD
from kg_build.regions import find_regions, region_info
from kg_build.units import canonical_unit, find_unit_notes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gazettekg/sample/xuchang-gazette-2020-02.txt"
GOLD = ROOT / "tests/data/gold-dev.json"
WITHIN = "许昌市"


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def task_text(lines: list[str], task: dict) -> str:
    return "".join(norm(x) for x in lines[task["line"] - 1:task["end_line"]] if x.strip())


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else (1.0 if not ngold else 0.0)
    r = tp / ngold if ngold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match(gold: list[str], nodes: list[set[str]]) -> int:
    used, tp = set(), 0
    for s in gold:
        for i, labels in enumerate(nodes):
            if i not in used and norm(s) in labels:
                used.add(i)
                tp += 1
                break
    return tp


def main() -> None:
    show = "--misses" in sys.argv
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    tasks = [t for p in json.loads(GOLD.read_text(encoding="utf-8"))["plans"] for t in p["tasks"]]
    found = []
    aliases = collections.defaultdict(set)   # (kind, key) → spellings, gazette-wide
    for t in tasks:
        text = task_text(lines, t)
        units = [u for _, _, us in find_unit_notes(text) for u in us]
        regions = find_regions(text, within=WITHIN)
        projects = find_projects(text, within=WITHIN)
        for u in units:
            key, label = canonical_unit(u.name)
            aliases["unit", key] |= {label, norm(u.name)}
        for r in regions:
            key, label, _ = region_info(r.name, within=WITHIN)
            aliases["region", key] |= {label, r.name}
        for pm in projects:
            key, label = canonical_project(pm.name)
            aliases["project", key] |= {label, pm.name}
        found.append((t, units, regions, projects))

    count = collections.Counter()
    for t, units, regions, projects in found:
        for role, gkey in ((LEAD, "lead_units"), ("responsible", "responsible_units")):
            keys = sorted({canonical_unit(u.name)[0] for u in units if u.role == role})
            nodes = [aliases["unit", k] for k in keys]
            tp = match(t[gkey], nodes)
            count["u_tp"] += tp; count["u_pred"] += len(nodes); count["u_gold"] += len(t[gkey])
            if show and (tp < len(t[gkey]) or tp < len(nodes)):
                print("units", t["line"], role, "gold", t[gkey], "pred", [min(n, key=len) for n in nodes])
        for kind, mentions, gkey, info in (
                ("region", regions, "regions", lambda n: region_info(n, within=WITHIN)),
                ("project", projects, "projects", canonical_project)):
            keys = sorted({info(m.name)[0] for m in mentions})
            nodes = [aliases[kind, k] for k in keys]
            tp = match(t[gkey], nodes)
            count[kind + "_tp"] += tp; count[kind + "_pred"] += len(nodes); count[kind + "_gold"] += len(t[gkey])
            if show and (tp < len(t[gkey]) or tp < len(nodes)):
                print(kind, t["line"], "gold", t[gkey], "pred", [info(m.name)[1] for m in mentions])
    for name, k in (("units", "u"), ("regions", "region"), ("projects", "project")):
        p, r, f = prf(count[k + "_tp"], count[k + "_pred"], count[k + "_gold"])
        print(f"{name:9s} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={count[k + '_tp']} pred={count[k + '_pred']} gold={count[k + '_gold']})")


if __name__ == "__main__":
    main()
