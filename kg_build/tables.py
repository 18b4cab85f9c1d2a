"""Tab-separated tables of a plan → plain rows (pure).

Two kinds occur in plans:
- indicator tables (序号 / 指标名称 / 2021年目标值 / 2025年目标值): one target per row and year column;
- task tables (序号 / 工作重点 / 工作目标 / 重点任务 / 牵头单位 / 责任主体), usually an attachment: a numbered
  row opens a work item, rows with an empty 序号 continue it, and after a page break the header and
  the current row's first cells are printed again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_build.paragraphs import Paragraph, clean_line
from kg_build.units import split_unit_list

_YEAR_COL = re.compile(r"(\d{4})\s*年")
_UNIT_IN_NAME = re.compile(r"[（(]([^（）()]{1,8})[）)]\s*$")


@dataclass
class IndicatorCell:
    indicator: str       # 人均预期寿命
    unit: str            # 岁
    cell: str            # ≤4.2
    year: int
    line: int


@dataclass
class TaskTableRow:
    number: str                       # 序号 as printed
    focus: str                        # 工作重点
    goal: str                         # 工作目标
    goal_line: int
    line: int
    end_line: int
    subtasks: list[tuple[str, int]] = field(default_factory=list)   # (text, line)
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)


def _cells(p: Paragraph) -> list[str]:
    """Cells with layout spaces removed — except unit cells, where a space separates two bodies."""
    return [c.strip() for c in p.text.split("\t")]


def _find(header: list[str], *names: str) -> int | None:
    for i, h in enumerate(header):
        if any(n in h for n in names):
            return i
    return None


def is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0] in ("序号", "编号") or sum(1 for c in cells if c in ("牵头单位", "责任单位", "指标名称", "指标")) > 0


def indicator_cells(rows: list[Paragraph]) -> list[IndicatorCell]:
    """Cells of an indicator table with a year column; [] when the table is not one."""
    if not rows:
        return []
    header = _cells(rows[0])
    name_col = _find(header, "指标名称", "指标")
    years = [(i, int(m.group(1))) for i, h in enumerate(header) if (m := _YEAR_COL.search(h))]
    if name_col is None or not years:
        return []
    out: list[IndicatorCell] = []
    for p in rows[1:]:
        cells = _cells(p)
        if is_header(cells) or len(cells) <= name_col:
            continue
        name = clean_line(cells[name_col])
        m = _UNIT_IN_NAME.search(name)
        unit = m.group(1) if m else ""
        indicator = name[:m.start()] if m else name
        for col, year in years:
            if col < len(cells) and cells[col]:
                out.append(IndicatorCell(indicator, unit, clean_line(cells[col]), year, p.line))
    return out


def _table_units(cell: str) -> list[str]:
    """Units in a table cell: separated by spaces as well as 、，; a space before （ is layout."""
    cell = re.sub(r"\s+(?=[（(〔])", "", cell.strip())
    names: list[str] = []
    for part in re.split(r"\s+", cell):
        names.extend(split_unit_list(part))
    return [n for n in names if n]


def task_table_rows(rows: list[Paragraph]) -> list[TaskTableRow]:
    """Work items of a task table, merged across continuation rows and page breaks."""
    header: list[str] | None = None
    cols: dict[str, int | None] = {}
    items: dict[str, TaskTableRow] = {}
    order: list[str] = []
    current: TaskTableRow | None = None
    for p in rows:
        if "\t" not in p.text:
            # a line without tabs continues the last cell of the current row
            if current is not None and current.subtasks:
                text, line = current.subtasks[-1]
                current.subtasks[-1] = (text + clean_line(p.text), line)
                current.end_line = p.end_line
            continue
        cells = _cells(p)
        if is_header([clean_line(c) for c in cells]):
            header = [clean_line(c) for c in cells]
            cols = {k: _find(header, *names) for k, names in {
                "no": ("序号", "编号"), "focus": ("工作重点", "重点工作", "工作事项", "任务名称"),
                "goal": ("工作目标", "目标"), "task": ("重点任务", "主要任务", "具体任务", "工作措施", "任务"),
                "lead": ("牵头单位", "牵头部门"), "resp": ("责任主体", "责任单位", "配合单位", "参与单位")}.items()}
            continue
        if header is None or cols.get("lead") is None and cols.get("resp") is None:
            continue

        def cell(key: str, *, raw: bool = False) -> str:
            i = cols.get(key)
            value = cells[i] if i is not None and i < len(cells) else ""
            return value if raw else clean_line(value)

        no = cell("no")
        if no:
            if no not in items:
                items[no] = TaskTableRow(no, cell("focus"), cell("goal"), p.line, p.line, p.line)
                order.append(no)
            current = items[no]
        if current is None:
            continue
        task_text = cell("task")
        if task_text:
            current.subtasks.append((task_text, p.line))
        for name in _table_units(cell("lead", raw=True)):
            if name not in current.lead:
                current.lead.append(name)
        for name in _table_units(cell("resp", raw=True)):
            if name not in current.responsible:
                current.responsible.append(name)
        current.end_line = p.end_line
    return [items[k] for k in order]
