"""Tasks of different plans that concern the same commitment (pure).

Three kinds of evidence, each found by blocking so that the work grows with the size of
the input, never with the number of task pairs:
- project: the tasks name the same facility (an inverted index facility → tasks);
- indicator: they set targets on the same indicator and scope (indicator → tasks);
- text: a sentence of one is a near-duplicate of a sentence of the other — MinHash-LSH
  on character 3-grams (minhash.py), verified by an IDF-weighted Jaccard similarity.
Rarity decides what counts: a 3-gram, facility or indicator found in many plans
(各县〔市、区〕政府〔管委会〕, 加快推进, 高质量发展) says little, so weights are IDF over plans
and the commonest 3-grams are dropped before hashing.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter

from kg_build.linking.minhash import candidate_pairs, signature
from kg_build.linking.model import Claim, Relation, TaskRef
from kg_build.linking.projects import facility, project_key
from kg_build.records import PlanRecord
from kg_build.regions import find_regions

SHINGLE = 3
RARE = 0.5                # IDF weight from which a 3-gram counts as distinctive
NEAR_DUPLICATE = 0.3      # weighted Jaccard of two sentences' distinctive 3-grams
SHARED_PHRASE = 4.8       # summed IDF of the 3-grams of the longest phrase two sentences share
WINDOW = 8                # a posting list is paired by sorted neighbourhood beyond this size
POSTING_CAP = 64          # a 3-gram in more sentences than this blocks nothing: it is a common phrase,
                          # and whole sentences repeated that often are still paired by LSH
_NOTE = re.compile(r"[（(](?:牵头单位|责任单位|责任主体|配合单位|主要责任单位)[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*[）)]")
_ASIDE = re.compile(r"[〔（(][^〔〕（）()]{1,6}[〕）)]")      # 〔市、区〕, （管委会）: qualifiers, not content
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fffA-Za-z]")
_FUNCTION = re.compile(r"[的和及与等为之其关于]")    # a 3-gram holding one is phrasing, not content


_PLAN_KEY = attrgetter("plan_key")


def _order(x):
    """Sort key of a posting: a TaskRef by its fields, compared as a plain tuple (the dataclass
    order, without its Python-level __lt__), anything else as is."""
    return (x.plan_key, x.path, x.line, x.doc_number or "") if isinstance(x, TaskRef) else x


def _idf(df: int, n: int) -> float:
    """1 for something only two share, 0 for something everyone has."""
    if n <= 2:
        return 1.0
    return max(0.0, min(1.0, math.log(n / df) / math.log(n / 2)))


def _idf_table(n: int) -> list[float]:
    """_idf(df, n) for every df from 0 to n: one logarithm per count, not one per 3-gram."""
    return [0.0] + [_idf(df, n) for df in range(1, n + 1)]


def _pairs(posting: Iterable) -> Iterable[tuple]:
    """Pairs of a posting list, a < b; a long list by sorted neighbourhood (each with the next WINDOW)."""
    items = sorted(set(posting), key=_order)
    for i, a in enumerate(items):
        yield from ((a, b) for b in items[i + 1:i + 1 + WINDOW])


def _sentences(text: str, within: str | None) -> list[str]:
    """Sentences without unit notes, short asides, numbers and place names (禹州市、长葛市、建安区
    in two plans is not a shared commitment)."""
    text = _ASIDE.sub("", _NOTE.sub("", text))
    out = []
    for s in re.split(r"[。；;！？]", text):
        for r in reversed(find_regions(s, within=within)):
            s = s[:r.start] + "，" + s[r.end:]
        s = _NOT_TEXT.sub("", re.sub(r"\d+(?:\.\d+)?[年月日]?", "", s))
        if len(s) > SHINGLE:
            out.append(s)
    return out


def _shingles(norm: str) -> set[str]:
    return {norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def _runs(a: str, common: set[str], weight: dict[str, float]) -> list[tuple[float, str]]:
    """The phrases of `a` covered by shared 3-grams, each with the summed weight of its
    3-grams, heaviest first."""
    spans: list[list[int]] = []
    for i in range(len(a) - SHINGLE + 1):
        if a[i:i + SHINGLE] in common:
            if spans and i <= spans[-1][1]:
                spans[-1][1] = i + SHINGLE
            else:
                spans.append([i, i + SHINGLE])
    runs = {(round(sum(weight.get(a[k:k + SHINGLE], 0.0) for k in range(s, e - SHINGLE + 1)), 3), a[s:e])
            for s, e in spans}
    return sorted(runs, key=lambda x: (-x[0], x[1]))


def text_relations(plans: list[PlanRecord]) -> list[Relation]:
    """Task pairs of different plans holding near-duplicate sentences or a shared rare phrase.

    Work is per *distinct* sentence: a sentence repeated by many plans is indexed, hashed and
    scored once, and its occurrences are paired by sorted neighbourhood (each with the next
    WINDOW), so neither repetition nor the number of plans makes the cost quadratic.
    """
    occurrences: dict[str, list[TaskRef]] = {}      # distinct sentence → its tasks, in input order
    for plan in plans:
        for task in plan.tasks:
            ref = TaskRef(plan.key, task.path, task.line, plan.doc_number)
            for s in _sentences(task.text, plan.jurisdiction):
                occurrences.setdefault(s, []).append(ref)
    texts = list(occurrences)
    grams = [_shingles(s) for s in texts]
    tasks_with: dict[str, set[TaskRef]] = defaultdict(set)
    for s, gs in zip(texts, grams):
        refs = set(occurrences[s])
        for g in gs:
            tasks_with[g] |= refs
    # rare among tasks *and* among plans: a formula every plan repeats is boilerplate even
    # when each plan says it only once
    n = len({ref for refs in occurrences.values() for ref in refs})
    n_plans = len(plans)
    by_tasks, by_plans = _idf_table(n), _idf_table(n_plans)
    weight = {g: min(by_tasks[len(ts)], by_plans[len(set(map(_PLAN_KEY, ts)))]) for g, ts in tasks_with.items()}
    rare = [{g for g in gs if weight[g] >= RARE and not _FUNCTION.search(g)} for gs in grams]
    mass = [sum(weight[g] for g in gs) for gs in rare]
    # candidates: near-duplicate sentences (LSH) and sentences sharing a distinctive 3-gram
    sigs = {i: sig for i, gs in enumerate(rare) if len(gs) >= 3 and (sig := signature(gs))}
    candidates = candidate_pairs(sigs, window=WINDOW)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, gs in enumerate(rare):
        for g in gs:
            postings[g].append(i)
    for g in sorted(postings):
        if len(postings[g]) <= POSTING_CAP:
            candidates.update(_pairs(postings[g]))
    # a sentence repeated in several tasks is a near-duplicate of itself
    candidates.update((i, i) for i in sigs if len(occurrences[texts[i]]) > 1)
    # the best pair of sentences speaks for a pair of tasks: the highest score, then the
    # heaviest shared phrase, then the first in sentence order
    best: dict[tuple[TaskRef, TaskRef], tuple[tuple[float, float], tuple[str, ...]]] = {}
    for i, j in sorted(candidates):
        scored = _score(texts[i], rare[i], rare[j], mass[i], mass[j], weight)
        if scored is None:
            continue
        rank, terms = scored
        for a, b in _occurrence_pairs(occurrences[texts[i]], occurrences[texts[j]], same=i == j):
            if a.plan_key == b.plan_key:
                continue
            key = (a, b) if a < b else (b, a)
            if rank > best.get(key, ((0.0, 0.0),))[0]:
                best[key] = (rank, terms)
    ordered = sorted(best.items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1])))
    return [Relation(a, b, "text", rank[0], terms) for (a, b), (rank, terms) in ordered]


def _score(sa: str, rare_a: set[str], rare_b: set[str], mass_a: float, mass_b: float,
           weight: dict[str, float]) -> tuple[tuple[float, float], tuple[str, ...]] | None:
    """((score, weight of the heaviest shared phrase), shared phrases) of two sentences, or
    None when they share too little."""
    common = rare_a & rare_b
    if len(common) < 3:
        return None
    shared = sum(weight[g] for g in common)
    jaccard = shared / (mass_a + mass_b - shared)
    runs = _runs(sa, common, weight)
    phrase = runs[0][0] if runs else 0.0
    if jaccard < NEAR_DUPLICATE and phrase < SHARED_PHRASE:
        return None
    score = round(max(jaccard, min(1.0, phrase / (2 * SHARED_PHRASE))), 3)
    return (score, phrase), tuple(r for w, r in runs[:5] if len(r) >= 4)


def _occurrence_pairs(xs: list[TaskRef], ys: list[TaskRef], *, same: bool) -> Iterable[tuple[TaskRef, TaskRef]]:
    """Tasks of sentence x paired with tasks of sentence y: all pairs while both are few, else
    by sorted neighbourhood (each occurrence with the next WINDOW of the other sentence)."""
    if same:
        yield from _pairs(xs)
        return
    if len(xs) * len(ys) <= WINDOW * (len(xs) + len(ys)):
        yield from ((a, b) for a in xs for b in ys)
        return
    sides = sorted(set(xs), key=_order), sorted(set(ys), key=_order)
    for side, mine in enumerate(sides):
        other = sides[1 - side]
        for a in mine:
            k = bisect_right(other, _order(a), key=_order)
            yield from ((a, b) for b in other[k:k + WINDOW])


def _posting_relations(postings: dict[str, set[TaskRef]], labels: dict[str, str], basis: str,
                       n_plans: int) -> list[Relation]:
    found: dict[tuple[TaskRef, TaskRef], tuple[float, list[str]]] = {}
    for key in sorted(postings):
        refs = postings[key]
        df = len(set(map(_PLAN_KEY, refs)))
        if df < 2:
            continue
        w = _idf(df, n_plans)
        if w <= 0:
            continue
        for a, b in _pairs(refs):
            if a.plan_key == b.plan_key:
                continue
            score, terms = found.get((a, b), (0.0, []))
            found[(a, b)] = (1 - (1 - score) * (1 - 0.5 - 0.5 * w), terms + [labels[key]])
    return [Relation(a, b, basis, round(min(1.0, s), 3), tuple(sorted(set(t))))
            for (a, b), (s, t) in found.items()]


def project_relations(plans: list[PlanRecord], skip: frozenset[TaskRef] = frozenset()) -> list[Relation]:
    """Tasks of different plans that name one facility (the tasks in `skip`, copies that a
    representative stands for, left out)."""
    postings: dict[str, set[TaskRef]] = defaultdict(set)
    labels: dict[str, str] = {}
    live = {plan.key for plan in plans if not plan.tasks}
    for plan in plans:
        for task in plan.tasks:
            ref = TaskRef(plan.key, task.path, task.line, plan.doc_number)
            if ref in skip:
                continue
            live.add(plan.key)
            for m in task.projects:
                key, label = project_key(m.name, plan.jurisdiction)
                postings[facility(key)].add(ref)
                labels.setdefault(facility(key), facility(label))
    return _posting_relations(postings, labels, "project", len(live))


def _specific(label: str) -> bool:
    """An indicator worth linking on: a measure of its own (not 数量 of something vague)."""
    core = re.sub(r"数量$", "", label)
    return len(core) >= 4 and not re.search(r"[、和]|等$", core)


def indicator_relations(claims: list[Claim], n_plans: int) -> list[Relation]:
    postings: dict[str, set[TaskRef]] = defaultdict(set)
    labels: dict[str, str] = {}
    for c in claims:
        label, _, scope = c.indicator.partition("@")
        if c.task is not None and _specific(label):
            postings[c.indicator].add(c.task)
            labels[c.indicator] = f"{scope}{label}"
    return _posting_relations(postings, labels, "indicator", n_plans)
