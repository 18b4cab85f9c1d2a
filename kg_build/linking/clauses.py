"""A task's text as clauses: the units of commitment that linking compares (pure).

A long task carries many commitments (加快郑许市域铁路建设，实施忠武路、省道227项目，…；
大力推广“公转铁”，加快铁路专用线建设). A clause is one of them: a sentence cut at 。；！？
and at commas, where a piece too short to stand alone (其中，/ 到2022年，) stays with the
next one; a 、-list stays whole under its verb. Unit notes （责任单位：…） are not content.

Each clause knows the line it starts on. A record has the lines of its targets only, so a
clause takes the line of the last target that starts at or before it (a task printed over a
page break then quotes the right page), else the task's first line.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from kg_build.linking.model import TaskRef
from kg_build.records import PlanRecord, TaskRecord

MIN_CLAUSE = 6          # content characters a clause needs to stand alone
_NOTE = re.compile(r"[（(](?:牵头单位|责任单位|责任主体|配合单位|主要责任单位)[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*[）)]")
_LEAD = re.compile(r"\s*(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、是]|其[一二三四五六七八九十]是)\s*")
_SENTENCE = re.compile(r"[^。；;！？!?]+")
_COMMA = re.compile(r"[，,：:]")
_NOT_CONTENT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")


@dataclass(frozen=True)
class ClauseSpan:
    text: str
    start: int          # offset in the task's text
    line: int


def _anchors(task: TaskRecord) -> list[tuple[int, int]]:
    """(offset, line) of the targets whose offsets are into this text (an attachment row's are not)."""
    out = []
    for t, line in zip(task.targets, task.target_lines):
        if task.line <= line <= task.end_line and task.text[t.start:t.end] == t.text and t.text:
            out.append((t.start, line))
    return sorted(out)


def _line_at(anchors: list[tuple[int, int]], offset: int, first: int) -> int:
    """The line of the last anchor at or before `offset`, else `first`."""
    k = bisect_right(anchors, (offset, math.inf))
    return anchors[k - 1][1] if k else first


class _ContentCount:
    """How many content characters (CJK, Latin letters, digits) a span of a text holds. A
    task is cut into dozens of pieces: the few other characters (punctuation, spaces) are
    found once, and each span's count is two bisections."""

    def __init__(self, text: str):
        self.others = [m.start() for m in _NOT_CONTENT.finditer(text)]

    def __call__(self, start: int, end: int) -> int:
        return end - start - (bisect_left(self.others, end) - bisect_left(self.others, start))


def split_clauses(task: TaskRecord) -> list[ClauseSpan]:
    """The task's clauses in text order.

    >>> from kg_build.records import TaskRecord
    >>> t = TaskRecord("一.1", "", "1. 治理水体。加大黑臭水体治理力度，开展排查整治；其中，完成5座。（责任单位：市水利局）", 7, 7)
    >>> [c.text for c in split_clauses(t)]
    ['治理水体', '加大黑臭水体治理力度', '开展排查整治', '其中，完成5座']
    """
    anchors = _anchors(task)
    return [ClauseSpan(task.text[a:b], start, _line_at(anchors, start, task.line))
            for start, a, b in _cut(_DIGIT.sub("0", task.text))]


# Where a text is cut depends on its punctuation and on how many content characters each
# piece holds, not on what its digits are: a plan reissued with new figures (97% → 98%) is
# cut once. A digit becomes 0 in the key, so the offsets still hold for the real text.
_DIGIT = re.compile(r"[1-9]")


@lru_cache(maxsize=65_536)
def _cut(text: str) -> tuple[tuple[int, int, int], ...]:
    """(offset, start, end) of each clause of a task's text: the offset it is known by (after
    an item number), and the span of its words."""
    text = _NOTE.sub(lambda m: "。" + " " * (len(m.group()) - 1), text)    # same length: offsets hold
    content = _ContentCount(text)
    out: list[tuple[int, int, int]] = []
    for sentence in _SENTENCE.finditer(text):
        pending = None                   # a short piece waiting for the next one
        pos = sentence.start()
        pieces = _COMMA.split(sentence.group())
        for n, piece in enumerate(pieces):
            start = pos
            pos += len(piece) + 1
            if pending is not None:
                start = pending
            end = pos - 1
            if content(start, end) < MIN_CLAUSE and n < len(pieces) - 1:
                pending = start
                continue
            pending = None
            lead = _LEAD.match(text, start, end)
            if lead:
                start = lead.end()
            if content(start, end) >= 2:
                body = text[start:end]
                a = start + len(body) - len(body.lstrip())
                out.append((start, a, a + len(body.strip())))
    return tuple(out)


def task_clauses(plans: list[PlanRecord]) -> dict[TaskRef, list[ClauseSpan]]:
    """Every task's clauses, cut once: matching and quoting both read them."""
    return {TaskRef(p.key, t.path, t.line, p.doc_number): split_clauses(t) for p in plans for t in p.tasks}
