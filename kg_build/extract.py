"""Gazette text → GazetteRecord: plans, tasks and what each task commits to (pure).

The single entry point `extract_gazette` wires the small extractors together; it does
no file access (pipeline.py reads files) and knows nothing of RDF (to_rdf.py writes it).
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right

from kg_build import dates, projects, regions, targets, units
from kg_build.iris import plan_key
from kg_build.outline import Outline, TaskDraft, build_outline
from kg_build.paragraphs import Paragraph, clean_line, join_page_breaks, split_paragraphs
from kg_build.reading import InputError
from kg_build.records import (DeadlineMention, GazetteRecord, LEAD, PlanRecord, RESPONSIBLE, TargetMention,
                              TaskRecord, UnitMention)
from kg_build.segment import PlanSegment, segment_plans
from kg_build.tables import TaskTableRow, indicator_cells, task_table_rows


_YEAR = re.compile(r"(19|20)\d\d")
_TITLE_NOISE = re.compile(r"[\s，。、“”\"]")


class Joined:
    """Several paragraphs read as one text, with each character's source line."""

    def __init__(self, paras: list[Paragraph]):
        self.text = ""
        self._marks: list[tuple[int, int]] = []
        for p in paras:
            base = len(self.text)
            self._marks.extend((base + off, line) for off, line in p.pieces)
            self.text += p.text
        self._starts = [start for start, _ in self._marks]
        self.line = paras[0].line if paras else 0
        self.end_line = paras[-1].end_line if paras else 0

    def line_at(self, offset: int) -> int:
        """Source line of the character at `offset` (marks are in offset order: bisect)."""
        i = bisect_right(self._starts, offset)
        return self._marks[i - 1][1] if i else self.line


def _year(seg: PlanSegment) -> int | None:
    for s in (seg.issued or "", seg.doc_number or ""):
        m = _YEAR.search(s)
        if m:
            return int(m.group(0))
    return None


def _unique_deadlines(found: list[DeadlineMention]) -> list[DeadlineMention]:
    seen: set[str] = set()
    out = []
    for d in found:
        if d.date and d.date not in seen:
            seen.add(d.date)
            out.append(d)
    return out


def _add_target(task: TaskRecord, t: TargetMention, line: int, *, restated: bool = False) -> None:
    """Add a target once; a restatement (an attachment row repeating the body) matches on the
    number alone, since its wording of the indicator differs."""
    same = ((lambda x: (x.value, x.comparator, x.unit) == (t.value, t.comparator, t.unit)) if restated
            else (lambda x: (x.value, x.comparator, x.unit, x.start) == (t.value, t.comparator, t.unit, t.start)))
    if any(same(x) for x in task.targets):
        return
    task.targets.append(t)
    task.target_lines.append(line)


def _add_units(task: TaskRecord, mentions: list[UnitMention]) -> None:
    for m in mentions:
        if m not in task.units:
            task.units.append(m)


def task_record(draft: TaskDraft, year: int | None, within: str | None = None) -> TaskRecord:
    body = Joined(draft.paragraphs)
    text = body.text
    rec = TaskRecord(draft.path, draft.label, text, body.line, body.end_line)
    for _start, _end, mentions in units.find_unit_notes(text):
        _add_units(rec, mentions)
    found = dates.find_deadlines(text, year=year)
    rec.deadlines = _unique_deadlines(found)
    for t in targets.find_targets(text, year=year, deadlines=found):
        _add_target(rec, t, body.line_at(t.start))
    rec.regions = regions.find_regions(text, within=within)
    rec.projects = projects.find_projects(text, within=within)
    return rec


def _merge_table_row(task: TaskRecord, row: TaskTableRow, year: int | None) -> None:
    """An attachment row restates a body task with its units and goal: add them to the task."""
    _add_units(task, [UnitMention(n, LEAD) for n in row.lead])
    _add_units(task, [UnitMention(n, RESPONSIBLE) for n in row.responsible])
    goal = clean_line(row.goal)
    found = dates.find_deadlines(goal, year=year)
    known = {d.date for d in task.deadlines}
    task.deadlines.extend(d for d in _unique_deadlines(found) if d.date not in known)
    for t in targets.find_targets(goal, year=year, deadlines=found):
        _add_target(task, t, row.goal_line, restated=True)


def _norm_title(s: str) -> str:
    return _TITLE_NOISE.sub("", s)


def _match_row(tasks: list[TaskRecord], row: TaskTableRow) -> TaskRecord | None:
    focus = _norm_title(row.focus)
    if not focus:
        return None
    for t in tasks:
        label = _norm_title(t.label)
        if label and (label == focus or label in focus or focus in label):
            return t
    number_matches = [t for t in tasks if t.path.split(".")[-1] == row.number]
    return number_matches[0] if len(number_matches) == 1 else None


def _plan_targets(outline: Outline, year: int | None) -> tuple[list[TargetMention], list[int]]:
    found: list[TargetMention] = []
    lines: list[int] = []
    for p in outline.goal_paragraphs:
        joined = Joined([p])
        ds = dates.find_deadlines(p.text, year=year)
        for t in targets.find_targets(p.text, year=year, deadlines=ds):
            found.append(t)
            lines.append(joined.line_at(t.start))
    for table in outline.tables:
        for cell in indicator_cells(table.rows):
            t = targets.target_from_cell(cell.cell, indicator=cell.indicator, unit=cell.unit)
            if t is None:
                continue
            due = DeadlineMention(f"{cell.year}年", f"{cell.year}-12-31")
            found.append(TargetMention(t.value, t.unit, t.comparator, t.indicator, t.text, t.value_low, due))
            lines.append(cell.line)
    return found, lines


def extract_plan(lines: list[str], seg: PlanSegment) -> PlanRecord:
    year = _year(seg)
    body_lines = lines[seg.body_line - 1:seg.end_line]
    paras = join_page_breaks(split_paragraphs(body_lines, seg.body_line))
    outline = build_outline(paras)
    within = regions.jurisdiction_code(seg.issuer)
    plan = PlanRecord(seg.doc_number, seg.notice_title, seg.title, seg.issuer, seg.issued,
                      seg.line, seg.end_line, key=plan_key(seg.doc_number, seg.title, within), jurisdiction=within)
    plan.tasks = [task_record(d, year, within) for d in outline.tasks]
    for table in outline.tables:
        for row in task_table_rows(table.rows):
            task = _match_row(plan.tasks, row)
            if task is not None:
                _merge_table_row(task, row, year)
    plan.targets, plan.target_lines = _plan_targets(outline, year)
    return plan


def extract_gazette(text: str, *, file_name: str, sha256: str | None = None,
                    source: str | None = None) -> GazetteRecord:
    """Extract every plan of one gazette issue.

    Raises InputError naming `source` (the path as given; default: file_name) and the
    line, with what was expected, when the text holds no plan.
    """
    source = source or file_name
    lines = text.split("\n")
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    segments = segment_plans(lines)
    if not segments:
        raise InputError(source, 1, "no plan found: expected a notice such as "
                         "“…关于印发…方案的通知” followed by a document number (e.g. 许政〔2020〕7号)")
    title = next((clean_line(l) for l in lines if l.strip()), None)
    record = GazetteRecord(file_name, digest, title)
    keys: set[str] = set()
    for seg in segments:
        plan = extract_plan(lines, seg)
        if plan.key in keys:
            raise InputError(source, seg.line, f"document number {seg.doc_number} appears twice; "
                             "expected each plan once per issue")
        keys.add(plan.key)
        record.plans.append(plan)
    return record
