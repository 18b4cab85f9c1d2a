"""Cross-plan linking: shared indicators and projects, related tasks, conflicts (pure).

    link(records) -> LinkResult

Plain records in, plain records out; links_rdf.links_graph writes the RDF. Every step
groups or blocks (indicator, facility, MinHash-LSH band) rather than comparing all pairs
of tasks, so linking thousands of plans stays close to linear (bench/linking.py).
"""
from __future__ import annotations

import gc
import re
from collections import Counter, defaultdict
from contextlib import contextmanager

from kg_build.linking.clauses import ClauseSpan, task_clauses
from kg_build.linking.copies import copy_classes, lay_out
from kg_build.linking.conflicts import deadline_conflicts, list_conflicts, value_conflicts
from kg_build.linking.indicators import claims_of, indicators_of, merge_similar
from kg_build.linking.model import (Claim, Conflict, Indicator, LinkResult, Project, Quote, Relation, Side,
                                    TargetRef, TaskRef, Topic)
from kg_build.linking.projects import facility_lists, projects_of
from kg_build.linking.related import indicator_relations, project_relations
from kg_build.linking.topics import family, match_clauses
from kg_build.records import GazetteRecord, PlanRecord
from kg_build.regions import division_level, same_line

_SEVERITY = {"high": 0, "medium": 1, "low": 2}


# Lines on the map (a canal, a railway, a motorway) are named as landmarks by unrelated tasks:
# one such name alone is not a shared commitment.
_LANDMARK = re.compile(r"(?:铁路|高铁|高速|高速公路|干渠|渠|河|公路|快速通道|国道\d*|省道\d*)$")


def _supported(by_project: list[Relation], others: list[Relation]) -> list[Relation]:
    backed = {(r.a, r.b) for r in others}
    kept = [r for r in by_project
            if len(r.shared) >= 2 or (r.a, r.b) in backed or not all(_LANDMARK.search(t) for t in r.shared)]
    return kept + others


# Relations a task keeps into one family of plans (a plan and its reissues, topics.family).
# Only reissued copies need a cap: a collection that reissues a plan every year would
# otherwise relate each task to every copy of every related task, and the links would grow
# with the square of the issues. Links to distinct plans are never capped.
MAX_RELATED = 5


def _government_groups(plans: list[PlanRecord]) -> list[list[PlanRecord]]:
    """The plans that may relate, as groups: a city's plans with its counties' and with every
    plan above a city (a province's, or one whose government is unknown). Rarity is weighed
    within a group, so a city's links do not change when other cities join the collection."""
    above, cities = [], {}
    for plan in plans:
        code = plan.jurisdiction
        if code is None or division_level(code) == "province":
            above.append(plan)
        else:
            cities.setdefault(code[:4] + "00", []).append(plan)
    if not cities:
        return [above]
    return [sorted(group + above, key=lambda p: p.key) for _, group in sorted(cities.items())]


def _within_governments(relations: list[Relation], jurisdiction: dict[str, str | None]) -> list[Relation]:
    """Relations between plans of one government, or of a government and one above it. Two
    cities' plans may share wording (both copy the province's), but a city's commitment is
    not the same commitment as another city's: gk:relatedTo does not cross that line."""
    line = {pair: same_line(*pair) for pair in {(jurisdiction[r.a.plan_key], jurisdiction[r.b.plan_key]) for r in relations}}
    return [r for r in relations if line[(jurisdiction[r.a.plan_key], jurisdiction[r.b.plan_key])]]


def _strongest(relations: list[Relation], families: dict[str, str], k: int) -> tuple[list[Relation], int]:
    """The relations of task pairs that are among the k strongest pairs of both their tasks
    into the other task's family of plans, where that family holds reissued copies (strength:
    the best score over the bases, a duplicate before an overlap; ties by the other task, in
    task order); and how many pairs were dropped."""
    copies = Counter(families.values())
    strength: dict[tuple[TaskRef, TaskRef], tuple[bool, float]] = {}
    for r in relations:
        s = (r.kind == "duplicate", r.score)
        if s > strength.get((r.a, r.b), (False, -1.0)):
            strength[(r.a, r.b)] = s
    pairs_of: dict[tuple[TaskRef, str], list] = defaultdict(list)
    for (a, b), (dup, score) in strength.items():
        if copies[fb := families[b.plan_key]] > 1:
            pairs_of[(a, fb)].append((not dup, -score, b, (a, b)))
        if copies[fa := families[a.plan_key]] > 1:
            pairs_of[(b, fa)].append((not dup, -score, a, (a, b)))
    dropped: set[tuple[TaskRef, TaskRef]] = set()
    for pairs in pairs_of.values():
        if len(pairs) > k:
            pairs.sort()            # refs are tuples: the tie-break on the other task runs in C
            dropped.update(pair for *_, pair in pairs[k:])
    return [r for r in relations if (r.a, r.b) not in dropped], len(dropped)


def _group_relations(group: list[PlanRecord], claims: list[Claim], spans: dict[TaskRef, list[ClauseSpan]],
                     copies: dict[TaskRef, tuple[TaskRef, ...]], stand_ins: frozenset[TaskRef]
                     ) -> tuple[list[Relation], dict[str, Topic], dict[TaskRef, tuple]]:
    """The relations among one group's tasks, its copies left to their representatives (given
    the group's claims); the topics; what restates each class of copies."""
    by_text, topics, restated = match_clauses(group, spans, copies)
    live = [c for c in claims if c.task not in stand_ins]
    n_plans = sum(1 for p in group       # a plan whose every task a copy stands for is not counted again
                  if not p.tasks or any(TaskRef(p.key, t.path, t.line, p.doc_number) not in stand_ins for t in p.tasks))
    return (_supported(project_relations(group, stand_ins), indicator_relations(live, n_plans) + by_text),
            topics, restated)


def _merge_topics(into: dict[str, Topic], topics: dict[str, Topic]) -> None:
    """A province's plans are in every city's group: a topic's mentions are the union."""
    for label, topic in topics.items():
        have = into.setdefault(label, Topic(label))
        known = {(q.task, q.n) for q in have.mentions}
        have.mentions += [q for q in topic.mentions if (q.task, q.n) not in known]


def _quoted(relations: list[Relation], spans: dict[TaskRef, list[ClauseSpan]]) -> list[Relation]:
    """A project or indicator relation quotes, in each task, the first clause that names what
    they share (瑞贝卡污水处理厂 …), when one does: the evidence shows the words, not only a label."""
    def quote(ref: TaskRef, shared: tuple[str, ...]) -> Quote | None:
        for n, c in enumerate(spans.get(ref, ()), 1):
            if any(term in c.text for term in shared):
                return Quote(ref, n, c.text, c.line)
        return None

    out = []
    for r in relations:
        if not r.quotes:
            qa, qb = quote(r.a, r.shared), quote(r.b, r.shared)
            if qa is not None and qb is not None:
                r = r._replace(quotes=(qa, qb))
        out.append(r)
    return out


@contextmanager
def _without_cycle_collection():
    """Linking allocates millions of small tuples and records, none of them in a cycle; the
    cycle collector would still rescan the whole heap of gazette records again and again
    (40% of the time at 64 copies of the sample, bench/linking.py). Cycles, if any, are
    collected when it is switched back on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def link(records: list[GazetteRecord]) -> LinkResult:
    """Link every plan of every gazette with every other. Deterministic: same input, same result."""
    with _without_cycle_collection():
        return _link(records)


def _link(records: list[GazetteRecord]) -> LinkResult:
    """link(), with the cycle collector off.

    The government groups are independent; finding their relations in the worker pool was
    tried and dropped: at 1,000 issues shipping each city's plans to a worker cost more time
    (779 s against 622 s for the build) and memory (peak 4.0 GB against 3.4 GB) than it saved."""
    plans = sorted((p for r in records for p in r.plans), key=lambda p: p.key)
    claims = merge_similar([c for p in plans for c in claims_of(p)])
    indicators = indicators_of(claims)
    labels = {k: ind.label for k, ind in indicators.items()}
    spans = task_clauses(plans)
    copies = copy_classes(plans, family)
    stand_ins = frozenset(m for members in copies.values() for m in members[1:])
    relations: dict[tuple, Relation] = {}
    topics: dict[str, Topic] = {}
    restated: dict[TaskRef, tuple] = {}
    for group in _government_groups(plans):
        mine = {p.key for p in group}
        found, group_topics, group_restated = _group_relations(
            group, [c for c in claims if c.task is not None and c.task.plan_key in mine], spans, copies, stand_ins)
        _merge_topics(topics, group_topics)
        for rep, how in group_restated.items():
            restated.setdefault(rep, how)
        for r in found:     # a province's plans are in every city's group: keep their best
            key = (r.a, r.b, r.basis)
            if key not in relations or r.score > relations[key].score:
                relations[key] = r
    jurisdiction = {p.key: p.jurisdiction for p in plans}
    # laid out over the copies first, then capped: a task related to several tasks of a plan
    # reissued many times keeps MAX_RELATED links into that family, not as many per task
    relations = lay_out(_quoted(_within_governments(list(relations.values()), jurisdiction), spans),
                        restated, copies, spans, MAX_RELATED)
    relations, dropped = _strongest(relations, {p.key: family(p) for p in plans}, MAX_RELATED)
    relations.sort()        # by (a, b, basis), unique per relation: the tuples compare in C
    for topic in topics.values():
        topic.mentions.sort()      # by (task, n): one mention per task and clause
    conflicts = (value_conflicts(claims, labels) + deadline_conflicts(claims, labels)
                 + list_conflicts([fl for p in plans for fl in facility_lists(p)]))
    conflicts.sort(key=lambda c: (_SEVERITY[c.severity], -len({s.doc_number for s in c.sides}), c.key))
    return LinkResult(indicators, claims, projects_of(plans), relations, conflicts,
                      dict(sorted(topics.items())), dropped)


__all__ = ["link", "LinkResult", "Claim", "Conflict", "Indicator", "Project", "Quote", "Relation", "Side", "TargetRef",
           "TaskRef", "Topic"]
