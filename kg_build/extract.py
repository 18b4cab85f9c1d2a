"""Gazette text → GazetteRecord: plans, tasks and what each task commits to (pure).

The single entry point `extract_gazette` wires the small extractors together; it does
no file access (pipeline.py reads files) and knows nothing of RDF (to_rdf.py writes it).
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right

from kg_build import conventions as cv
from kg_build import dates, projects, regions, targets, units
from kg_build.iris import plan_key
from kg_build.outline import Outline, TaskDraft, build_outline, walk
from kg_build.outline_markers import split_marker
from kg_build.paragraphs import Paragraph, clean_line, join_page_breaks, lines_are_paragraphs, split_paragraphs
from kg_build.reading import InputError
from kg_build.records import (DeadlineMention, GazetteRecord, LEAD, PlanRecord, RegionMention, RESPONSIBLE,
                              TargetMention, TaskRecord, UnitMention)
from kg_build.segment import PlanSegment, segment_plans
from kg_build.units import canonical_unit
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


def _year(seg: PlanSegment) -> tuple[int | None, str]:
    """The year that dates 6月底前 / 年底前 / 今年: from the notice date, the 文号 or the title."""
    for s, where in ((seg.issued or "", "the date"), (seg.doc_number or "", "the document number"),
                     (seg.title or "", "the title")):
        m = _YEAR.search(s)
        if m:
            return int(m.group(0)), f"{m.group(0)}, from {where}"
    return None, "none: the document states no year"


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


def _notes(draft: TaskDraft) -> list[tuple[int, units.Note]]:
    """(offset in the task text, note) of every unit note of a task, in reading order; the
    first paragraph of a numbered item may close with an unbracketed 由X负责."""
    out, base = [], 0
    for k, p in enumerate(draft.paragraphs):
        out += [(base + s, n) for s, _e, n in units.notes_in(p.text)]
        if k == 0 and draft.item:
            owner = units.item_owner_note(p.text)
            if owner is not None:
                out.append((base + owner[0], owner[2]))
        base += len(p.text)
    return sorted(out, key=lambda x: x[0])


def task_record(draft: TaskDraft, year: int | None, within: str | None = None, *,
                first_is_lead: bool = False) -> TaskRecord:
    """`first_is_lead`: an earlier note of the plan declared the first-listed unit of every
    note the lead (列第一位者为牵头单位，下同); a note of this task may declare it too."""
    body = Joined(draft.paragraphs)
    text = body.text
    rec = TaskRecord(draft.path, draft.label, text, body.line, body.end_line)
    for _offset, note in _notes(draft):
        first_is_lead = first_is_lead or note.first_is_lead
        _add_units(rec, units.resolve_roles(note, first_is_lead=first_is_lead))
        rec.scope += [s for s in note.scope if s not in rec.scope]
    noted = {canonical_unit(u.name)[0] for u in rec.units}
    prose = [n for p in draft.paragraphs for n in units.prose_units(_without_notes(_unnumbered(p.text)))]
    rec.mentioned_units = [n for n in dict.fromkeys(prose) if canonical_unit(n)[0] not in noted]
    found = dates.find_deadlines(text, year=year)
    rec.deadlines = _unique_deadlines(found)
    rec.status = dates.find_status(text)
    for t in targets.find_targets(text, year=year, deadlines=found):
        _add_target(rec, t, body.line_at(t.start))
    rec.regions = regions.find_regions(text, within=within)
    # a note's 适用范围 names the zones a measure applies to (浙江自贸试验区); 所有/各… is a category
    rec.regions += [RegionMention(z) for z in rec.scope
                    if not z.startswith(("所有", "各", "全部", "全国")) and all(r.name != z for r in rec.regions)]
    rec.projects = projects.find_projects(text, within=within)
    return rec


def _unnumbered(text: str) -> str:
    """A paragraph without its numbering marker: 第八条州数据局应当… → 州数据局应当…"""
    marker = split_marker(text)
    return marker[2] if marker else text


def _without_notes(text: str) -> str:
    for start, end, _n in reversed(units.notes_in(text)):
        text = text[:start] + "。" + text[end:]
    return text


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


def _blanket_notes(outline: Outline) -> list[tuple[int, str, list[UnitMention]]]:
    """(line, outline path it covers, units) of each note that covers the items after it:
    以下均需试点城市政府落实，不再列出 — in the preamble or in a section's own paragraphs."""
    found = []
    holders = [("", outline.preamble)] + [(n.path, n.paragraphs) for n in walk(outline.roots)]
    for path, paras in holders:
        for p in paras:
            for m in cv.BLANKET_NOTE.finditer(p.text):
                role = (LEAD if "牵头" in m.group(0) else
                        RESPONSIBLE if "落实" in m.group(0) else units.OWNER)
                names = [n for n in units.split_unit_list(m.group("units")) if n]
                note = units.Note(tuple(UnitMention(n, role) for n in names))
                found.append((p.line, path, units.resolve_roles(note, first_is_lead=False)))
    return found


def _outline_of(lines: list[str], first: int, last: int, one_per_line: bool) -> Outline:
    paras = join_page_breaks(split_paragraphs(lines[first - 1:last], first, one_per_line=one_per_line))
    return build_outline(paras)


def _part_drafts(lines: list[str], seg: PlanSegment, one_per_line: bool) -> list[tuple[Outline, str]]:
    """The outline of each issued document of the plan, with the path prefix of its tasks
    (d2, d3 … for the second and later documents of a notice that issues several)."""
    first_end = seg.parts[0].line - 1 if seg.parts else seg.end_line
    out = [(_outline_of(lines, seg.body_line, first_end, one_per_line), "")]
    for n, part in enumerate(seg.parts, 2):
        out.append((_outline_of(lines, part.body_line, part.end_line, one_per_line), f"d{n}."))
    return out


def extract_plan(lines: list[str], seg: PlanSegment, *, one_per_line: bool = False,
                 file_name: str = "", outlines: list | None = None) -> PlanRecord:
    """One plan's record; `outlines`, if given, receives each document's Outline (for inspect)."""
    year, year_source = _year(seg)
    within = regions.jurisdiction_code(seg.issuer)
    key = plan_key(seg.doc_number, seg.title, within, file_name=file_name)
    plan = PlanRecord(seg.doc_number, seg.notice_title, seg.title, seg.issuer, seg.issued,
                      seg.line, seg.end_line, key=key, jurisdiction=within)
    plan.kind, plan.sources = seg.kind, dict(seg.sources)
    plan.sources["year"] = year_source
    plan.titles = [p.title for p in seg.parts]
    first_is_lead = False
    for outline, prefix in _part_drafts(lines, seg, one_per_line):
        if outlines is not None:
            outlines.append((prefix, outline))
        blankets = _blanket_notes(outline)
        for d in outline.tasks:
            if prefix:
                d = TaskDraft(prefix + d.path, d.label, d.paragraphs, d.item)
            rec = task_record(d, year, within, first_is_lead=first_is_lead)
            first_is_lead = first_is_lead or any(n.first_is_lead for _o, n in _notes(d))
            for line, path, mentions in blankets:
                if rec.line > line and d.path.startswith(prefix + path):
                    _add_units(rec, mentions)
            plan.tasks.append(rec)
        for table in outline.tables:
            for row in task_table_rows(table.rows):
                task = _match_row(plan.tasks, row)
                if task is not None:
                    _merge_table_row(task, row, year)
        targets_found, target_lines = _plan_targets(outline, year)
        plan.targets += targets_found
        plan.target_lines += target_lines
    return plan


def extract_gazette(text: str, *, file_name: str, sha256: str | None = None,
                    source: str | None = None, outlines: list | None = None) -> GazetteRecord:
    """Extract every plan of one gazette issue.

    Raises InputError naming `source` (the path as given; default: file_name) and the
    line, with what was expected, when the text holds no plan. `outlines`, if given,
    receives one list of (path prefix, Outline) per plan, for `gazettekg inspect`.
    """
    source = source or file_name
    lines = text.split("\n")
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    segments = segment_plans(lines)
    if not segments:
        raise InputError(source, 1, "no plan found: expected a title on the first line (…实施方案, "
                         "关于…的意见, …办法) or numbered items (一、 （一） 1. 第一条)")
    one_per_line = lines_are_paragraphs(lines)
    title = next((clean_line(l) for l in lines if l.strip()), None)
    record = GazetteRecord(file_name, digest, title)
    keys: set[str] = set()
    for seg in segments:
        found: list = []
        plan = extract_plan(lines, seg, one_per_line=one_per_line, file_name=file_name, outlines=found)
        if outlines is not None:
            outlines.append(found)
        if plan.key in keys:
            raise InputError(source, seg.line, f"document number {seg.doc_number} appears twice; "
                             "expected each plan once per issue")
        keys.add(plan.key)
        record.plans.append(plan)
    return record
