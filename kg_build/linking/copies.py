"""Tasks reissued unchanged: one class per task restated across a family's issues (pure).

A city that reissues a plan every year repeats most of its tasks word for word, with new
figures (到2021年达到95% → 到2022年达到96%). Matching every copy's clauses against every
other copy's repeats the same work once per issue, and the work grows with the square of
the issues. A *copy class* is the tasks of one family of plans (topics.family) at the same
outline path whose texts differ only in their free-standing numbers; its first task (in
task order) stands for it. Clauses are matched between representatives, and each relation
found (and capped, linking._strongest) is then laid out over the members (lay_out), so a
reissue costs a pass over its tasks, not a comparison of its clauses with everyone's.
"""
from __future__ import annotations

from collections.abc import Callable

from kg_build.linking.clauses import ClauseSpan
from kg_build.linking.model import Quote, Relation, TaskRef
from kg_build.linking.words import normalise
from kg_build.records import PlanRecord


def copy_classes(plans: list[PlanRecord], family: Callable[[PlanRecord], str]) -> dict[TaskRef, tuple[TaskRef, ...]]:
    """Each class of two or more copies, keyed by its representative (its first member).

    >>> from kg_build.records import PlanRecord, TaskRecord
    >>> def plan(key, text):
    ...     return PlanRecord(None, "", "方案", None, None, 1, 1, key=key, tasks=[TaskRecord("一.1", "", text, 5, 5)])
    >>> fam = lambda p: p.title
    >>> list(copy_classes([plan("a", "建成95座"), plan("b", "建成96座"), plan("c", "建成96个")], fam).values())
    [(TaskRef(plan_key='a', path='一.1', line=5, doc_number=None), TaskRef(plan_key='b', path='一.1', line=5, doc_number=None))]
    """
    groups: dict[tuple[str, str, str], list[TaskRef]] = {}
    for plan in plans:
        fam = family(plan)
        for task in plan.tasks:
            groups.setdefault((fam, task.path, normalise(task.text)), []).append(
                TaskRef(plan.key, task.path, task.line, plan.doc_number))
    classes = {}
    for members in groups.values():
        if len({m.plan_key for m in members}) > 1:
            members = sorted(members)
            classes[members[0]] = tuple(members)
    return classes


def member_quote(quote: Quote, member: TaskRef, spans: dict[TaskRef, list[ClauseSpan]]) -> Quote | None:
    """The clause of a copy that stands where `quote` stands in its representative: the same
    position when the copy is cut into as many clauses, else the clause that reads the same
    but for its figures; None if there is none."""
    mine = spans[member]
    if len(mine) == len(spans[quote.task]) and quote.n <= len(mine):
        c = mine[quote.n - 1]
        return Quote(member, quote.n, c.text, c.line)
    want = normalise(quote.text)
    for n, c in enumerate(mine, 1):
        if normalise(c.text) == want:
            return Quote(member, n, c.text, c.line)
    return None


def _pairs(xs: tuple[TaskRef, ...], ys: tuple[TaskRef, ...], cap: int) -> list[tuple[TaskRef, TaskRef]]:
    """Members of two related classes, paired: a single task with the first `cap` copies of
    the other class (a task keeps at most that many links into a family of copies), else the
    k-th copy of one with the k-th of the other (copies sort by plan, so by issue)."""
    if len(xs) == 1:
        return [(xs[0], b) for b in ys[:cap]]
    if len(ys) == 1:
        return [(a, ys[0]) for a in xs[:cap]]
    return list(zip(xs, ys))


def lay_out(relations: list[Relation], restated: dict[TaskRef, tuple[tuple[str, ...], Quote]],
            copies: dict[TaskRef, tuple[TaskRef, ...]], spans: dict[TaskRef, list[ClauseSpan]],
            cap: int) -> list[Relation]:
    """Relations between representatives as relations between their members (_pairs), each
    quoting the member's own clause; and each copy related to the next copy of its class, the
    same commitment restated (`restated`: the shared words and the representative's clause)."""
    out: dict[tuple[TaskRef, TaskRef, str], Relation] = {}

    def put(r: Relation) -> None:
        if r.b < r.a:
            r = r._replace(a=r.b, b=r.a, quotes=r.quotes[::-1])
        have = out.get((r.a, r.b, r.basis))
        if have is None or r.score > have.score:
            out[(r.a, r.b, r.basis)] = r

    for r in relations:
        if r.a not in copies and r.b not in copies:
            put(r)
            continue
        for a, b in _pairs(copies.get(r.a, (r.a,)), copies.get(r.b, (r.b,)), cap):
            if a.plan_key != b.plan_key:
                put(r._replace(a=a, b=b, quotes=_quotes(r.quotes, (a, b), spans)))
    for rep, (words, quote) in restated.items():
        members = copies[rep]
        for a, b in zip(members, members[1:]):
            put(Relation(a, b, "text", 1.0, words, "duplicate", _quotes((quote, quote), (a, b), spans)))
    return list(out.values())


def _quotes(quotes: tuple[Quote, ...], members: tuple[TaskRef, TaskRef],
            spans: dict[TaskRef, list[ClauseSpan]]) -> tuple[Quote, ...]:
    if not quotes:
        return ()
    mine = tuple(member_quote(q, m, spans) for q, m in zip(quotes, members))
    return () if None in mine else mine
