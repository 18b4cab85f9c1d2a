"""How a document was read, for a researcher whose document came out wrong (pure).

`inspect_text` returns plain data: each plan with its title, 文号, issuer and date and where
each came from; the outline tree with line numbers and, for every node, why it is or is not
a task; each task with its notes; and the lines no task holds, with the reason.
`render_text` lays the same out for one screen.
"""
from __future__ import annotations

from kg_build.extract import extract_gazette
from kg_build.outline import Outline, OutlineNode
from kg_build.records import LEAD, PlanRecord, TaskRecord


def _node(n: OutlineNode, prefix: str, task_paths: set[str]) -> dict:
    path = prefix + n.path
    is_task = path in task_paths or any(p.startswith(path + ".p") for p in task_paths)
    return {"path": path, "line": n.paragraphs[0].line if n.paragraphs else None, "title": n.title,
            "kind": n.kind, "task": is_task, "reason": n.reason or ("inside a task" if is_task else ""),
            "children": [_node(c, prefix, task_paths) for c in n.children]}


def _task(t: TaskRecord) -> dict:
    return {"path": t.path, "line": t.line, "end_line": t.end_line, "label": t.label,
            "lead": [u.name for u in t.units if u.role == LEAD],
            "responsible": [u.name for u in t.units if u.role != LEAD],
            "mentioned": list(t.mentioned_units), "scope": list(t.scope), "status": t.status,
            "deadlines": [{"text": d.text, "date": d.date} for d in t.deadlines],
            "targets": [{"text": x.text, "value": x.value, "unit": x.unit, "comparator": x.comparator,
                         "kind": x.kind} for x in t.targets]}


def _skipped(lines: list[str], plans: list[PlanRecord], outlines: list[list[tuple[str, Outline]]]) -> list[dict]:
    """Non-blank lines no task holds, each with the reason, as runs of consecutive lines."""
    reason: dict[int, str] = {}
    for plan, parts in zip(plans, outlines):
        for ln in range(plan.line, plan.end_line + 1):
            reason[ln] = "the plan's notice, title or signature"
        for _prefix, outline in parts:
            for p in outline.preamble:
                for ln in range(p.line, p.end_line + 1):
                    reason[ln] = "text before the first numbered heading (preamble)"
            stack = list(outline.roots)
            while stack:
                n = stack.pop()
                for p in n.paragraphs:
                    why = n.reason or ("a goal item: read for the plan's targets" if n.kind == "goal"
                                       else "a section heading or its own text")
                    for ln in range(p.line, p.end_line + 1):
                        reason[ln] = why
                stack.extend(n.children)
            for table in outline.tables:
                for p in table.rows:
                    reason[p.line] = f"a table row ({table.section} table): read for units and targets"
    in_task = {ln for p in plans for t in p.tasks for ln in range(t.line, t.end_line + 1)}
    runs: list[dict] = []
    for i, raw in enumerate(lines, 1):
        if not raw.strip() or i in in_task:
            continue
        why = reason.get(i, "outside every plan (cover, table of contents or another document)")
        if runs and runs[-1]["reason"] == why and runs[-1]["last"] >= i - 2:
            runs[-1]["last"] = i
        else:
            runs.append({"first": i, "last": i, "reason": why})
    return runs


def inspect_text(text: str, *, file_name: str) -> dict:
    """How `text` is read: plans, outline, tasks and skipped lines (raises InputError as a build does)."""
    outlines: list[list[tuple[str, Outline]]] = []
    record = extract_gazette(text, file_name=file_name, outlines=outlines)
    lines = text.split("\n")
    plans = []
    for plan, parts in zip(record.plans, outlines):
        task_paths = {t.path for t in plan.tasks}
        plans.append({
            "title": plan.title, "titles": [plan.title, *plan.titles], "doc_number": plan.doc_number,
            "notice_title": plan.notice_title, "issuer": plan.issuer, "issued": plan.issued, "kind": plan.kind,
            "lines": [plan.line, plan.end_line], "key": plan.key, "sources": plan.sources,
            "articles": any(o.articles for _p, o in parts),
            "outline": [_node(n, prefix, task_paths) for prefix, o in parts for n in o.roots],
            "tasks": [_task(t) for t in plan.tasks],
            "plan_targets": [{"text": x.text, "value": x.value, "unit": x.unit, "line": ln}
                             for x, ln in zip(plan.targets, plan.target_lines)],
        })
    return {"file": file_name, "lines": len(lines), "plans": plans,
            "skipped": _skipped(lines, record.plans, outlines)}


def _tree_lines(nodes: list[dict], depth: int = 0):
    for n in nodes:
        mark = "✓" if n["task"] else "·"
        line = f"{n['line']:>5}" if n["line"] else "     "
        why = f"  — {n['reason']}" if n["reason"] and not n["task"] else ""
        yield f"{line}  {'  ' * depth}{mark} {n['path']} {n['title'][:40]}{why}"
        yield from _tree_lines(n["children"], depth + 1)


def render_text(report: dict) -> str:
    """One screen per plan: where its fields came from, the outline, the tasks, the skipped lines."""
    out = [f"{report['file']}: {len(report['plans'])} plan(s), {report['lines']} lines"]
    for p in report["plans"]:
        out.append("")
        out.append(f"PLAN {p['title']}  (lines {p['lines'][0]}-{p['lines'][1]}, key {p['key']})")
        for field in ("doc_number", "issuer", "issued"):
            where = p["sources"].get(field, "not found")
            out.append(f"  {field:11s} {p[field] or '—'}   [{where}]")
        for field in ("kind", "title", "year", "parts"):
            if field in p["sources"]:
                out.append(f"  {field:11s} [{p['sources'][field]}]")
        if p["articles"]:
            out.append("  shape       article-format (第X条): tasks are duty-laying articles of operative chapters")
        out.append("  outline (✓ task, · not a task — why):")
        out.extend("  " + s for s in _tree_lines(p["outline"]))
        out.append(f"  tasks ({len(p['tasks'])}):")
        for t in p["tasks"]:
            notes = []
            if t["lead"]:
                notes.append("lead " + "、".join(t["lead"]))
            if t["responsible"]:
                notes.append("responsible " + "、".join(t["responsible"]))
            if t["mentioned"]:
                notes.append("mentioned in prose " + "、".join(t["mentioned"]))
            if t["deadlines"]:
                notes.append("deadlines " + ", ".join(f"{d['text']}→{d['date']}" for d in t["deadlines"]))
            if t["status"]:
                notes.append(f"status {t['status']}")
            if t["targets"]:
                notes.append(f"{len(t['targets'])} target(s)")
            out.append(f"  {t['line']:>5}-{t['end_line']:<5} {t['path']} {t['label'][:30]}")
            if notes:
                out.append("              " + "; ".join(notes))
        if p["plan_targets"]:
            out.append(f"  plan targets: {len(p['plan_targets'])}")
    out.append("")
    out.append("lines no task holds:")
    for run in report["skipped"]:
        span = f"{run['first']}" if run["first"] == run["last"] else f"{run['first']}-{run['last']}"
        out.append(f"  {span:>11}  {run['reason']}")
    return "\n".join(out)
