"""A plan's body paragraphs → its outline, tasks, goal text and tables (pure).

Tasks are the leaves of the outline inside the plan's task sections (重点任务 / 重点工作 …).
Sections such as 总体要求, 主要目标, 保障措施, 奖补政策 hold no tasks; goal sections
(主要目标 / 发展目标) feed the plan-level targets instead. Inside a leaf, an un-numbered
paragraph that carries its own unit note （牵头单位：…） is a task of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_build.outline_markers import heading_title, path_component, split_marker
from kg_build.paragraphs import Paragraph
from kg_build.units import find_unit_notes

TASK_SECTION = re.compile(r"重点任务|重点工作|主要任务|工作任务|重点项目|主要措施|具体措施|工作措施|重点举措|"
                          r"任务措施|主要内容|工作重点|重点领域|行动任务|实施内容|重点行动")
GOAL_SECTION = re.compile(r"主要目标|发展目标|总体目标|工作目标|预期目标|目标任务|目标要求|行动目标")
NON_TASK_SECTION = re.compile(r"总体要求|指导思想|基本原则|总体思路|保障措施|组织保障|组织实施|奖补政策|工作要求|"
                              r"实施步骤|职责分工|附则|工作机制|政策支持|支持政策|激励政策|保障机制|实施保障|"
                              r"组织领导|工作保障|进度安排|时间安排|步骤安排|监督考核|督导考核")
ATTACHMENT = re.compile(r"^附\s*件")
BOX = re.compile(r"^专栏\s*\d*")


@dataclass
class OutlineNode:
    level: int
    number: str
    title: str
    path: str
    paragraphs: list[Paragraph] = field(default_factory=list)   # the heading paragraph first
    children: list["OutlineNode"] = field(default_factory=list)
    kind: str = "other"          # task / goal / other


@dataclass
class TaskDraft:
    path: str
    label: str
    paragraphs: list[Paragraph]


@dataclass
class TableDraft:
    section: str                 # goal / task / attachment / other
    rows: list[Paragraph]
    caption: str = ""


@dataclass
class Outline:
    roots: list[OutlineNode]
    tasks: list[TaskDraft]
    goal_paragraphs: list[Paragraph]
    tables: list[TableDraft]


def build_tree(paras: list[Paragraph]) -> tuple[list[OutlineNode], list[tuple[OutlineNode | None, Paragraph]], list[Paragraph]]:
    """Numbered headings nest by level; other paragraphs belong to the innermost open heading.

    Returns the roots, every table row with the node it sits under, and the attachment paragraphs.
    """
    roots: list[OutlineNode] = []
    stack: list[OutlineNode] = []
    rows: list[tuple[OutlineNode | None, Paragraph]] = []
    attachment: list[Paragraph] = []
    in_attachment = False
    in_box = False
    for p in paras:
        if ATTACHMENT.match(p.text) and len(p.text) < 80:
            in_attachment = True
            continue
        if in_attachment:
            attachment.append(p)
            continue
        if "\t" in p.text:
            rows.append((stack[-1] if stack else None, p))
            continue
        if BOX.match(p.text):
            in_box = True        # a 专栏 box restates examples; it is not part of the outline
            continue
        marker = split_marker(p.text)
        if marker is None:
            if in_box:
                continue
            if stack:
                stack[-1].paragraphs.append(p)
            continue
        in_box = False
        level, number, rest = marker
        while stack and stack[-1].level >= level:
            stack.pop()
        parent_path = stack[-1].path + "." if stack else ""
        node = OutlineNode(level, number, heading_title(rest), parent_path + path_component(level, number), [p])
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots, rows, attachment


def _classify(roots: list[OutlineNode]) -> None:
    explicit = any(TASK_SECTION.search(r.title) for r in roots)
    for r in roots:
        if GOAL_SECTION.search(r.title) and not TASK_SECTION.search(r.title):
            r.kind = "goal"
        elif TASK_SECTION.search(r.title):
            r.kind = "task"
        elif not explicit and not NON_TASK_SECTION.search(r.title):
            r.kind = "task"
        if r.kind != "task":
            for c in r.children:     # （三）主要目标 inside 一、总体要求
                if GOAL_SECTION.search(c.title):
                    c.kind = "goal"


def _leaves(node: OutlineNode):
    if not node.children:
        yield node
    for c in node.children:
        yield from _leaves(c)


def _has_unit_note(p: Paragraph) -> bool:
    return bool(find_unit_notes(p.text))


def _heading_only(p: Paragraph) -> bool:
    marker = split_marker(p.text)
    rest = marker[2] if marker else p.text
    return len(rest) <= 30 and rest.count("。") <= 1 and not re.search(r"[。][^。]", rest)


def leaf_tasks(leaf: OutlineNode) -> list[TaskDraft]:
    """One task per unit-note chunk of a leaf; a leaf without notes is one task."""
    paras = leaf.paragraphs
    noted = [i for i, p in enumerate(paras) if _has_unit_note(p)]
    if len(noted) <= 1 or (len(noted) == 1 and noted[0] == len(paras) - 1):
        return [TaskDraft(leaf.path, leaf.title, paras)]
    chunks: list[list[int]] = []
    cur: list[int] = []
    for i in range(len(paras)):
        cur.append(i)
        if i in noted:
            chunks.append(cur)
            cur = []
    if cur:
        chunks[-1].extend(cur)
    if _heading_only(paras[0]) and not _has_unit_note(paras[0]) and chunks[0] == [0] + chunks[0][1:] and len(chunks[0]) > 1:
        chunks[0] = chunks[0][1:]      # （1）装备制造产业。 is a heading over its paragraphs
    out = []
    for n, chunk in enumerate(chunks):
        first = chunk[0]
        ps = [paras[i] for i in chunk]
        if first == 0:
            out.append(TaskDraft(leaf.path, leaf.title, ps))
        else:
            out.append(TaskDraft(f"{leaf.path}.p{first + 1}", heading_title(paras[first].text), ps))
    return out


def _walk(nodes: list[OutlineNode]):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def build_outline(paras: list[Paragraph]) -> Outline:
    roots, rows, attachment = build_tree(paras)
    if not roots:
        # A plan without numbered headings: each paragraph with a unit note is a task.
        pseudo = OutlineNode(0, "", "", "", kind="task")
        roots_for_tasks = [pseudo]
        pseudo.paragraphs = [p for p in paras if "\t" not in p.text]
        tasks = leaf_tasks(pseudo) if pseudo.paragraphs else []
        return Outline([], tasks, [], _tables(rows, attachment))
    _classify(roots)
    tasks: list[TaskDraft] = []
    goals: list[Paragraph] = []
    for r in roots:
        if r.kind == "task":
            for leaf in _leaves(r):
                if leaf is r and not r.paragraphs[1:] and _heading_only(r.paragraphs[0]):
                    continue      # an empty 重点任务 heading
                tasks.extend(leaf_tasks(leaf))
        for n in _walk([r]):
            if n.kind == "goal":
                goals.extend(p for g in _walk([n]) for p in g.paragraphs)
    kinds = {id(n): n.kind for n in _walk(roots)}
    return Outline(roots, tasks, goals, _tables(rows, attachment, roots, kinds))


def _section_of(node: OutlineNode | None, roots: list[OutlineNode]) -> str:
    if node is None:
        return "other"
    for r in roots:
        for n in _walk([r]):
            if n is node:
                if n.kind == "goal" or r.kind == "goal":
                    return "goal"
                return r.kind
    return "other"


def _tables(rows, attachment, roots=None, kinds=None) -> list[TableDraft]:
    tables: list[TableDraft] = []
    last_node = object()
    for node, p in rows:
        section = _section_of(node, roots or [])
        if tables and node is last_node:
            tables[-1].rows.append(p)
        else:
            cap = node.paragraphs[-1].text if node is not None and node.paragraphs else ""
            tables.append(TableDraft(section, [p], cap))
        last_node = node
    att_rows = [p for p in attachment if "\t" in p.text]
    if att_rows:
        tables.append(TableDraft("attachment", att_rows, ""))
    # attachment lines without tabs that continue a row are kept for the table parser
    cont = [p for p in attachment if "\t" not in p.text]
    if att_rows and cont:
        merged = sorted(att_rows + cont, key=lambda p: p.line)
        tables[-1].rows = merged
    return tables
