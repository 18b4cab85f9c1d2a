"""A plan's body paragraphs → its outline, tasks, goal text and tables (pure).

Two shapes of document are read:
- plans (方案/计划/意见): tasks are the leaves of the outline inside the task sections
  (重点任务 / 重点工作 …, or every section when none is named so). Sections such as 总体要求,
  主要目标, 保障措施 hold no tasks; goal sections (主要目标 / 发展目标) feed the plan's targets.
- article-format documents (办法/条例/规定, 第X章 / 第X条): tasks are the articles of the
  operative chapters (not 总则 / 法律责任 / 附则) that lay a duty on a public body; an article
  that only defines, permits, grants a right or sanctions is not a task.
Everywhere, an item or paragraph that carries its own unit note （牵头单位：…）/（X负责） is a
task of its own, whatever section it stands in. 专栏 boxes are kept as text of the task they
stand in. Every node records why it is or is not a task (`reason`), for `gazettekg inspect`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_build import conventions as cv
from kg_build.outline_markers import (ARTICLE, BULLET, CHAPTER, GLUED_ARTICLE, heading_title, path_component,
                                      split_marker)
from kg_build.paragraphs import Paragraph
from kg_build.units import has_unit_note

ATTACHMENT = re.compile(r"^附\s*件")
BOX = re.compile(r"^专栏\s*\d*")


@dataclass
class OutlineNode:
    level: float
    number: str
    title: str
    path: str
    paragraphs: list[Paragraph] = field(default_factory=list)   # the heading paragraph first
    children: list["OutlineNode"] = field(default_factory=list)
    kind: str = "other"          # task / goal / other
    reason: str = ""             # why the node is (not) a task: shown by `gazettekg inspect`


@dataclass
class TaskDraft:
    path: str
    label: str
    paragraphs: list[Paragraph]
    item: bool = False           # the task is a numbered item (its first paragraph starts with a marker)


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
    preamble: list[Paragraph] = field(default_factory=list)     # text before the first heading
    articles: bool = False       # an article-format document (第X条)


def _split_glued_article(p: Paragraph) -> list[Paragraph]:
    """第二章　规划建设　　第八条 … on one line → the chapter heading and the article, same line."""
    m = GLUED_ARTICLE.match(p.text)
    if not m:
        return [p]
    cut = m.end()
    head = Paragraph(p.text[:cut], p.line, p.line, [(0, p.line)])
    rest = Paragraph(p.text[cut:], p.line, p.end_line,
                     [(max(0, off - cut), line) for off, line in p.pieces if off >= cut] or [(0, p.line)])
    return [head, rest]


def build_tree(paras: list[Paragraph]):
    """Numbered headings nest by level; other paragraphs belong to the innermost open heading.

    Returns the roots, every table row with the node it sits under, the attachment paragraphs
    and the paragraphs before the first heading.
    """
    roots: list[OutlineNode] = []
    stack: list[OutlineNode] = []
    rows: list[tuple[OutlineNode | None, Paragraph]] = []
    attachment: list[Paragraph] = []
    preamble: list[Paragraph] = []
    in_attachment = False
    box_level: float | None = None      # level of the node a 专栏 box stands in
    for p in (piece for q in paras for piece in _split_glued_article(q)):
        if ATTACHMENT.match(p.text) and len(p.text) < 80:
            in_attachment = True
            continue
        if in_attachment:
            attachment.append(p)
            continue
        if "\t" in p.text:
            rows.append((stack[-1] if stack else None, p))
            continue
        marker = split_marker(p.text)
        if BOX.match(p.text):
            box_level = stack[-1].level if stack else -1
            marker = None
        elif marker is not None and box_level is not None and marker[0] > box_level:
            marker = None        # an item of the box: text of the task the box stands in
        if marker is None:
            (stack[-1].paragraphs if stack else preamble).append(p)
            continue
        box_level = None
        level, number, rest = marker
        while stack and stack[-1].level >= level:
            stack.pop()
        siblings = stack[-1].children if stack else roots
        if level == BULLET:
            number = str(1 + sum(1 for s in siblings if s.level == BULLET))
        parent_path = stack[-1].path + "." if stack else ""
        node = OutlineNode(level, number, heading_title(rest), parent_path + path_component(level, number), [p])
        siblings.append(node)
        stack.append(node)
    return roots, rows, attachment, preamble


def walk(nodes: list[OutlineNode]):
    for n in nodes:
        yield n
        yield from walk(n.children)


def _leaves(node: OutlineNode):
    if not node.children:
        yield node
    for c in node.children:
        yield from _leaves(c)


def _subtree_paragraphs(node: OutlineNode) -> list[Paragraph]:
    out = list(node.paragraphs)
    for c in node.children:
        out.extend(_subtree_paragraphs(c))
    return sorted(out, key=lambda p: (p.line, p.pieces[0][0] if p.pieces else 0))


def _noted(node: OutlineNode) -> bool:
    return any(has_unit_note(p.text, item=(k == 0)) for k, p in enumerate(node.paragraphs))


# Plans ------------------------------------------------------------------------------------

def _classify(roots: list[OutlineNode]) -> None:
    explicit = any(cv.TASK_SECTION.search(r.title) for r in roots)
    for r in roots:
        if cv.GOAL_SECTION.search(r.title) and not cv.TASK_SECTION.search(r.title):
            r.kind, r.reason = "goal", "a goal section: its numbers are the plan's targets"
        elif cv.TASK_SECTION.search(r.title):
            r.kind, r.reason = "task", "a task section"
        elif not explicit and not cv.NON_TASK_SECTION.search(r.title):
            r.kind, r.reason = "task", "an operative section (the plan names no task section)"
        elif cv.NON_TASK_SECTION.search(r.title):
            r.reason = f"section “{r.title}” holds no tasks (only items with their own unit note)"
        else:
            r.reason = "not a task section (the plan names its task sections)"
        if r.kind != "task":
            for c in walk(r.children):     # （三）主要目标 inside 一、总体要求
                if cv.GOAL_SECTION.search(c.title):
                    c.kind, c.reason = "goal", "a goal item: its numbers are the plan's targets"


def _heading_only(p: Paragraph) -> bool:
    marker = split_marker(p.text)
    rest = marker[2] if marker else p.text
    return len(rest) <= 30 and rest.count("。") <= 1 and not re.search(r"[。][^。]", rest)


def leaf_tasks(leaf: OutlineNode, *, noted_only: bool = False) -> list[TaskDraft]:
    """One task per unit-note chunk of a leaf; a leaf without notes is one task (or, with
    `noted_only`, in a section that holds no tasks, none)."""
    paras = leaf.paragraphs
    is_item = bool(leaf.number) or leaf.level == BULLET
    noted = [i for i, p in enumerate(paras) if has_unit_note(p.text, item=(i == 0 and is_item))]
    if noted_only and not noted:
        return []
    split = len(noted) > 1 or (noted_only and 0 not in noted and _heading_only(paras[0]))
    if not split:
        return [TaskDraft(leaf.path, leaf.title, paras, item=is_item)]
    chunks: list[list[int]] = []
    cur: list[int] = []
    for i in range(len(paras)):
        cur.append(i)
        if i in noted:
            chunks.append(cur)
            cur = []
    if cur:
        chunks[-1].extend(cur)
    if _heading_only(paras[0]) and 0 not in noted and chunks[0][0] == 0 and len(chunks[0]) > 1:
        chunks[0] = chunks[0][1:]      # （1）装备制造产业。 is a heading over its paragraphs
    out = []
    for chunk in chunks:
        first = chunk[0]
        ps = [paras[i] for i in chunk]
        if first == 0:
            out.append(TaskDraft(leaf.path, leaf.title, ps, item=is_item))
        else:
            out.append(TaskDraft(f"{leaf.path}.p{first + 1}", heading_title(paras[first].text), ps))
    return out


def _plan_tasks(roots: list[OutlineNode]) -> tuple[list[TaskDraft], list[Paragraph]]:
    _classify(roots)
    tasks: list[TaskDraft] = []
    goals: list[Paragraph] = []
    for r in roots:
        for inner in walk(r.children):
            if inner.children and _noted(inner):
                # an item with its own note is a task even where items stand below it
                inner.reason = "carries its own unit note (items below it are tasks too)"
                tasks.append(TaskDraft(inner.path, inner.title, list(inner.paragraphs), item=True))
        for leaf in _leaves(r):
            if r.kind == "task":
                if leaf is r and not r.paragraphs[1:] and _heading_only(r.paragraphs[0]):
                    r.reason = "an empty task section heading"
                    continue
                found = leaf_tasks(leaf)
                if leaf is not r:
                    leaf.reason = "a leaf of a task section"
            else:
                found = leaf_tasks(leaf, noted_only=True)
                if found and leaf is not r:
                    leaf.reason = "carries its own unit note"
            tasks.extend(found)
        for n in walk([r]):
            if n.kind == "goal":
                goals.extend(p for g in walk([n]) for p in g.paragraphs)
    tasks.sort(key=lambda d: (d.paragraphs[0].line, d.paragraphs[0].pieces[0][0] if d.paragraphs[0].pieces else 0))
    return tasks, goals


# Article-format documents -------------------------------------------------------------------

def _private_actor(before: str) -> bool:
    """Whether the actor of a duty word is a private one: the nearest comma phrase before it
    names one (任何组织或者个人不得), or else the first actor of the clause is one (公民…的，应当)."""
    near = re.split(r"[，,]", before)[-1]
    if cv.ARTICLE_PRIVATE.search(near) or cv.ARTICLE_PUBLIC.search(near):
        return cv.ARTICLE_PUBLIC.search(near) is None
    private, public = cv.ARTICLE_PRIVATE.search(before), cv.ARTICLE_PUBLIC.search(before)
    return private is not None and (public is None or private.start() < public.start())


def lays_a_duty(text: str) -> tuple[bool, str]:
    """Whether an article lays a duty on a public body, and why (or why not).

    >>> lays_a_duty("州数据资源主管部门应当编制全州政务数据资源发展规划。")
    (True, 'lays a duty (应当)')
    >>> lays_a_duty("本办法所称政务数据，是指政务部门在履行职责过程中制作或者获取的各类数据。")
    (False, 'a definition, classification or allocation of liability')
    >>> lays_a_duty("公民、法人和其他组织要求获取数据的，应当依法提出申请。")
    (False, 'a duty of private actors only')
    """
    first = re.split(r"[。；：]", text, maxsplit=1)[0]
    if cv.ARTICLE_SANCTION.search(text) and cv.ARTICLE_CONDITION.search(first):
        return False, "a sanction (…的，由…责令 / 追究责任)"
    if cv.ARTICLE_PRINCIPLES.search(text[:len(first) + 1]):
        return False, "declares principles"
    opens_with_right = bool(cv.ARTICLE_RIGHT.search(first))
    private_duty = False
    for clause in re.split(r"[。；]", text):
        for m in cv.ARTICLE_DUTY.finditer(clause):
            before = clause[:m.start()]
            if _private_actor(before) or (opens_with_right and not cv.ARTICLE_PUBLIC.search(before)):
                private_duty = True
                continue
            return True, f"lays a duty ({m.group()})"
    if cv.ARTICLE_DEFINITION.search(first):
        return False, "a definition, classification or allocation of liability"
    for clause in re.split(r"[。；]", text):
        m = cv.ARTICLE_ACT.search(clause)
        if m and not _private_actor(clause[:m.start()]) and not cv.ARTICLE_PERMISSION.search(clause[:m.end()]) \
                and not cv.ARTICLE_RIGHT.search(clause):
            return True, f"a public body acts ({m.group()})"
    if private_duty:
        return False, "a duty of private actors only"
    if cv.ARTICLE_PERMISSION.search(text):
        return False, "a permission, right or encouragement"
    return False, "lays no duty on a public body"


def _article_tasks(roots: list[OutlineNode]) -> list[TaskDraft]:
    tasks: list[TaskDraft] = []
    chaptered = any(r.level == CHAPTER for r in roots)
    for r in roots:
        if r.level == CHAPTER:
            if cv.NON_TASK_CHAPTER.search(r.title):
                r.reason = f"chapter “{r.title}” holds no tasks (only items with their own unit note)"
                operative = False
            else:
                r.kind, r.reason, operative = "task", "an operative chapter", True
            articles = [n for n in walk(r.children) if n.level == ARTICLE]
        else:
            operative = not chaptered
            articles = [n for n in walk([r]) if n.level == ARTICLE]
        for art in articles:
            tasks.extend(_article(art, operative))
    return tasks


def _article(art: OutlineNode, operative: bool) -> list[TaskDraft]:
    items = [c for c in walk(art.children)]
    for c in items:
        c.reason = "part of its article (lists conditions, ways or duties of the article)"
    noted_items = [c for c in items if _noted(c)]
    if noted_items:
        # （一）户籍登记数据，由公安机关负责；: each noted item is a task, the article a section
        art.reason = "a section over items that name their own owners"
        for c in noted_items:
            c.kind, c.reason = "task", "carries its own unit note"
        return [TaskDraft(c.path, c.title, _subtree_paragraphs(c), item=True) for c in noted_items]
    text = "".join(p.text for p in _subtree_paragraphs(art))
    if _noted(art):
        art.kind, art.reason = "task", "carries its own unit note"
    elif not operative:
        art.reason = "outside the operative chapters"
        return []
    else:
        duty, why = lays_a_duty(text)
        art.reason = why
        if not duty:
            return []
        art.kind = "task"
    return [TaskDraft(art.path, art.title, _subtree_paragraphs(art), item=True)]


def build_outline(paras: list[Paragraph]) -> Outline:
    roots, rows, attachment, preamble = build_tree(paras)
    if not roots:
        # A plan without numbered headings: each paragraph with a unit note is a task.
        pseudo = OutlineNode(0, "", "", "", kind="task")
        pseudo.paragraphs = [p for p in paras if "\t" not in p.text]
        tasks = leaf_tasks(pseudo) if pseudo.paragraphs else []
        return Outline([], tasks, [], _tables(rows, attachment))
    articles = any(n.level == ARTICLE for n in walk(roots))
    if articles:
        tasks, goals = _article_tasks(roots), []
    else:
        tasks, goals = _plan_tasks(roots)
    return Outline(roots, tasks, goals, _tables(rows, attachment, roots), preamble, articles)


def _section_of(node: OutlineNode | None, roots: list[OutlineNode]) -> str:
    if node is None:
        return "other"
    for r in roots:
        for n in walk([r]):
            if n is node:
                if n.kind == "goal" or r.kind == "goal":
                    return "goal"
                return r.kind
    return "other"


def _tables(rows, attachment, roots=None) -> list[TableDraft]:
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
