"""Commitments of different plans that say the same thing, matched clause by clause (pure).

Every task is cut into clauses (clauses.py) and every clause into terms (words.py: jieba
words, with the corpus's own multi-word terms joined). A term weighs by its rarity among the
*families* of plans — a plan and its reissues are one family (`family`), so a city reissuing a
plan every year does not make its words common — as IDF: 1 for a term of two families, 0 for
one every family uses; a single character weighs a quarter (黑 alone says little).

Two clauses are candidates when they share a key term (posting lists, each long list paired
by sorted neighbourhood: the work grows with the clauses, not with their pairs). They relate
when the terms they share weigh at least LINK in all and one of them is a key term; the pair
is a *duplicate* (one commitment restated) when the shared terms are most of both clauses'
weight, an *overlap* (one topic, different scope or action) otherwise. The key terms that
link clauses of different plans become topics, and every clause naming one is its mention.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg_build.linking.clauses import ClauseSpan
from kg_build.linking.copies import member_quote
from kg_build.linking.model import Quote, Relation, TaskRef, Topic
from kg_build.linking.words import SPECIFIC, learn_lexicon, nominal, normalise, specificity, terms
from kg_build.records import PlanRecord
from kg_build.regions import find_regions

KEY = 0.3               # weight from which a specific noun is a key term (a topic)
PHRASE = 0.4            # weight of a shared phrase (adjacent terms, one of them key) that relates two clauses
STRONG = 0.3            # weight of the key term a linking phrase must hold
TOTAL = 2.5             # or: summed weight of the shared terms, with three key terms among them
DUPLICATE = 0.45        # weighted Jaccard from which two clauses are one commitment restated
FAMILY_POWER = 1.0
SINGLE = 0.25           # weight factor of a one-character word
WINDOW = 8              # a long posting list is paired by sorted neighbourhood (each with the next WINDOW)
PLACE_PAIRS = 16        # place pairs of two clauses taken all while their product is this small
PLACE_WINDOW = 2        # else each place's neighbours in the other clause's places
POSTING_CAP = 64        # beyond this many distinct clauses a term pairs by neighbourhood only
MAX_SHARED = 6          # shared terms kept as evidence

_FAMILY_NOISE = re.compile(r"[（(]?(?:19|20)\d\d(?:年)?(?:\s*[—\-－~至]+\s*(?:19|20)\d\d年?)?[）)]?")


def family(plan: PlanRecord) -> str:
    """Plans that are one plan reissued share a family: one government's, with the title
    without its years.

    >>> from kg_build.records import PlanRecord
    >>> t = lambda title: family(PlanRecord(None, "", title, None, None, 1, 1, key="k"))
    >>> t("许昌市推动制造业高质量发展行动方案（2020—2022年）") == t("许昌市推动制造业高质量发展行动方案（2023—2025年）")
    True
    >>> t("方案90") == t("方案91")
    False
    """
    return f"{plan.jurisdiction or ''}/{_FAMILY_NOISE.sub('', plan.title) or plan.key}"


def _idf(df: int, n: int) -> float:
    """1 for what only two share, 0 for what everyone has."""
    if n <= 2:
        return 1.0
    return max(0.0, min(1.0, math.log(n / df) / math.log(n / 2)))


@dataclass
class _Clause:
    """A distinct clause text (normalised), its terms in order and every place it occurs."""
    seq: tuple[str | None, ...]       # None where words are not adjacent (a place name, punctuation)
    places: list[tuple[TaskRef, Quote]]
    names: frozenset[str] = frozenset()     # the terms in quotation marks, and codes such as 5G

    @property
    def terms(self) -> frozenset[str]:
        """Its words and learned terms, and each quoted name whole (its words are terms too:
        “钧瓷文化旅游节” still shares 钧瓷 with a clause that names 钧瓷 alone)."""
        return frozenset(t for t in self.seq if t is not None) | self.names


_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# A code of letters and digits (5G, IPv6) names a technology as a quoted name names a campaign.
_CODE_NAME = re.compile(r"(?<![A-Za-z\d])(?:[A-Za-z]+\d[A-Za-z\d]*|\d+[A-Za-z]+[A-Za-z\d]*)(?![A-Za-z\d])")
# A name in quotation marks: a campaign, a slogan or a system the plans cite by name
# (“一网通办”, “四个一百”, “厕所革命”); whatever the segmenter makes of it, it is one term.
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"，。；]{2,16})[”」』\"]")


def quoted_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of the names in quotation marks in a clause.

    >>> s = "巩固“一网通办”前提下“最多跑一次”改革成果"
    >>> [s[a:b] for a, b in quoted_names(s)]
    ['一网通办', '最多跑一次']
    """
    return [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text) if _CONTENT.search(m.group(1))]


def _clause_terms(norm: str, lexicon: frozenset[str], within: str | None) -> tuple[str | None, ...]:
    """The clause's terms in order, less place names (禹州市、长葛市 in two plans is not a shared
    commitment); a gap (None) wherever two terms are not adjacent in the text."""
    regions = [(r.start, r.end) for r in find_regions(norm, within=within)]
    out: list[str | None] = []
    end = None
    for term, start in terms(norm, lexicon):
        if any(s < start + len(term) and start < e for s, e in regions):
            continue
        if end is not None and start != end:
            out.append(None)
        out.append(term)
        end = start + len(term)
    return tuple(out)


def shared_runs(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> list[tuple[str, ...]]:
    """Maximal runs of terms found, adjacent and in order, in both clauses.

    Walked from the positions where a term of `a` occurs in `b` (few), not over the whole
    len(a) × len(b) table: this is the inner loop of linking.

    >>> shared_runs(("加大", "黑臭水体", "治理", "力度"), ("推进", "城市", "黑臭水体", "治理"))
    [('黑臭水体', '治理')]
    """
    at: dict[str, list[int]] = {}
    for j, t in enumerate(b):
        if t is not None:
            at.setdefault(t, []).append(j)
    runs = set()
    for i, t in enumerate(a):
        for j in at.get(t, ()) if t is not None else ():
            if i and j and a[i - 1] is not None and a[i - 1] == b[j - 1]:
                continue            # inside a run that started earlier
            k = 1
            while i + k < len(a) and j + k < len(b) and a[i + k] is not None and a[i + k] == b[j + k]:
                k += 1
            runs.add(a[i:i + k])
    return sorted(runs)


def _collect(plans: list[PlanRecord], spans: dict[TaskRef, list[ClauseSpan]], skip: frozenset[TaskRef] = frozenset()
             ) -> tuple[dict[str, _Clause], dict[str, str], frozenset[str]]:
    """Distinct clauses of the plans (each task's clauses are in `spans`; the tasks in `skip`,
    copies that a representative stands for, left out), with their places; each plan's
    family; the lexicon."""
    found: list[tuple[PlanRecord, TaskRef, Quote, str]] = []
    for plan in plans:
        for task in plan.tasks:
            ref = TaskRef(plan.key, task.path, task.line, plan.doc_number)
            if ref in skip:
                continue
            for n, c in enumerate(spans[ref], 1):
                found.append((plan, ref, Quote(ref, n, c.text, c.line), normalise(c.text)))
    families = {p.key: family(p) for p in plans}
    lexicon = learn_lexicon(sorted({(families[p.key], norm) for p, _, _, norm in found}))
    clauses: dict[str, _Clause] = {}
    for plan, ref, quote, norm in found:
        entry = clauses.get(norm)
        if entry is None:
            entry = clauses[norm] = _Clause(_clause_terms(norm, lexicon, plan.jurisdiction), [],
                                            frozenset(norm[a:b] for a, b in quoted_names(norm))
                                            | frozenset(_CODE_NAME.findall(norm)))
        entry.places.append((ref, quote))
    return clauses, families, lexicon


def _weights(clauses: dict[str, _Clause], families: dict[str, str]) -> dict[str, float]:
    """A term's weight: its IDF among families of plans times its IDF among tasks (a word in
    a dozen tasks of four plans, 智能化, is a theme of those plans, not one commitment)."""
    fams: dict[str, set[str]] = defaultdict(set)
    tasks: dict[str, set[TaskRef]] = defaultdict(set)
    for c in clauses.values():
        here = {families[ref.plan_key] for ref, _ in c.places}
        refs = {ref for ref, _ in c.places}
        for t in c.terms:
            fams[t] |= here
            tasks[t] |= refs
    n_fam = len(set(families.values()))
    n_tasks = len({ref for c in clauses.values() for ref, _ in c.places})
    return {t: _idf(len(fams[t]), n_fam) ** FAMILY_POWER * _idf(len(tasks[t]), n_tasks) * (SINGLE if len(t) == 1 else 1.0)
            for t in fams}


def _neighbourhood(items: list[int]) -> Iterable[tuple[int, int]]:
    for i, a in enumerate(items):
        yield from ((a, b) for b in items[i + 1:i + 1 + WINDOW])


def _candidates(keys: list[frozenset[str]]) -> set[tuple[int, int]]:
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for t in ks:
            postings[t].append(i)
    pairs: set[tuple[int, int]] = set()
    for t in sorted(postings):
        items = postings[t]
        if len(items) <= POSTING_CAP:
            pairs.update((a, b) for k, a in enumerate(items) for b in items[k + 1:])
        else:
            pairs.update(_neighbourhood(items))
    return pairs


def _place_pairs(xs: list, ys: list, same: bool, window: int = PLACE_WINDOW):
    """Places of clause x with places of clause y: all pairs while few (PLACE_PAIRS), else each
    place with the next `window` of the other list. A clause found in many places is a
    plan reissued: its copies sort together, so a copy is paired with its neighbours, and a
    task keeps at most MAX_RELATED links into a family of copies anyway (linking._strongest)."""
    if same:
        for k, a in enumerate(xs):
            yield from ((a, b) for b in xs[k + 1:k + 1 + window])
    elif len(xs) * len(ys) <= PLACE_PAIRS:
        yield from ((a, b) for a in xs for b in ys)
    else:
        step = max(1, len(ys) // max(1, len(xs)))
        for k, a in enumerate(xs):
            yield from ((a, b) for b in ys[k * step:k * step + window])


def _keys(weight: dict[str, float], lexicon: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    """Key terms: rare among the plans, and either a name in quotation marks or specific in
    general Chinese and a noun (秸秆, 黑臭水体; not 程序, not 排查)."""
    return frozenset(t for t, w in weight.items()
                     if w >= KEY and len(t) >= 2 and (t in names or specificity(t) >= SPECIFIC and nominal(t, lexicon)))


def _judge(a: _Clause, b: _Clause, weight: dict[str, float], key: frozenset[str],
           mass_a: float, mass_b: float, same: bool) -> tuple[str, float, tuple[str, ...], frozenset[str]] | None:
    """(kind, score, shared words, key terms) of two clauses, or None when they share too little.

    What counts is a shared *phrase*: a run of terms adjacent in both (黑臭水体 + 治理,
    静脉产业园 + 建设), or a name in quotation marks (“四个一百”), which is a phrase by itself.
    One common word apart (程序, 拆除) is a coincidence, however rare in a dozen plans; a
    phrase of rare words, or several of them, is a commitment."""
    runs = shared_runs(a.seq, b.seq) + [(n,) for n in sorted(a.names & b.names)]
    if not runs:
        return None
    run_weight = lambda run: sum(weight[t] for t in run)
    best = max(runs, key=lambda run: (run_weight(run), run))
    keys = frozenset(t for run in runs for t in run if t in key)
    total = sum(weight[t] for t in a.terms & b.terms)
    phrase = (run_weight(best) >= PHRASE and any(t in key and weight[t] >= STRONG for t in best)
              or any(n in key and weight[n] >= STRONG for n in a.names & b.names))
    if not (phrase or (total >= TOTAL and len(keys) >= 3)):
        return None
    jaccard = 1.0 if same else total / (mass_a + mass_b - total)
    kind = "duplicate" if jaccard >= DUPLICATE else "overlap"
    score = round(min(1.0, max(jaccard, run_weight(best) / (3 * PHRASE))), 3)
    shown = sorted({"".join(run) for run in runs if run_weight(run) > 0}, key=lambda x: (-len(x), x))
    return kind, score, tuple(shown[:MAX_SHARED]), keys


def match_clauses(plans: list[PlanRecord], spans: dict[TaskRef, list[ClauseSpan]],
                  copies: dict[TaskRef, tuple[TaskRef, ...]] | None = None
                  ) -> tuple[list[Relation], dict[str, Topic], dict[TaskRef, tuple]]:
    """Text relations between tasks of different plans (best clause pair per task pair), the
    topics they share, and what restates each class of copies. `spans` holds every task's
    clauses (clauses.task_clauses), `copies` the classes of tasks reissued unchanged
    (copies.copy_classes): only their representatives are matched (copies.lay_out relates the
    members), while topics list every copy's clause."""
    copies = copies or {}
    skip = frozenset(m for members in copies.values() for m in members[1:])
    clauses, families, lexicon = _collect(plans, spans, skip)
    entries = [clauses[t] for t in sorted(clauses)]
    weight = _weights(clauses, families)
    names = frozenset(t for e in entries for t in e.names)
    key = _keys(weight, lexicon, names)
    keys = [e.terms & key for e in entries]
    mass = [sum(weight[t] for t in e.terms) for e in entries]
    pairs = _candidates(keys)
    pairs.update((i, i) for i, e in enumerate(entries)
                 if keys[i] and (len(e.places) > 1 or any(ref in copies for ref, _ in e.places)))
    best: dict[tuple[TaskRef, TaskRef], tuple] = {}
    restated: dict[TaskRef, tuple] = {}     # a class's representative → (words, quote) that restate it
    topic_terms: set[str] = set()
    # A clause found in the same tasks as an earlier one (every clause of a task reissued
    # unchanged) links those tasks to each other exactly as the earlier one did, at the top
    # rank, which a later clause cannot beat: its place pairs need not be walked again.
    walked: dict[tuple[TaskRef, ...], bool] = {}
    for i, j in sorted(pairs):
        judged = _judge(entries[i], entries[j], weight, key, mass[i], mass[j], i == j)
        if judged is None:
            continue
        kind, score, words, key_terms = judged
        rank = (kind == "duplicate", score)
        linked = False
        if i == j:
            refs = tuple(ref for ref, _ in entries[i].places)
            if refs in walked:
                if walked[refs]:
                    topic_terms |= key_terms
                continue
            for ref, quote in entries[i].places:
                if ref in copies:
                    linked = True
                    restated.setdefault(ref, (words, quote))
        for (ra, qa), (rb, qb) in _place_pairs(entries[i].places, entries[j].places, i == j):
            if ra.plan_key == rb.plan_key:
                continue
            linked = True
            if rb < ra:         # refs of different plans never tie on plan_key, so never reach a None
                ra, qa, rb, qb = rb, qb, ra, qa
            have = best.get((ra, rb))
            if have is None or rank > have[0]:
                best[(ra, rb)] = (rank, words, (qa, qb))
        if linked:
            topic_terms |= key_terms
        if i == j:
            walked[refs] = linked
    relations = [Relation(a, b, "text", rank[1], words, "duplicate" if rank[0] else "overlap", quotes)
                 for (a, b), (rank, words, quotes) in sorted(best.items(), key=lambda kv: kv[0])]
    return relations, _topics(topic_terms, entries, copies, spans), restated


def _topics(topic_terms: set[str], entries: list[_Clause], copies: dict[TaskRef, tuple[TaskRef, ...]],
            spans: dict[TaskRef, list[ClauseSpan]]) -> dict[str, Topic]:
    """Each topic term with every clause that names it, in task order (one per task and topic;
    a representative's clause stands for its copies' clauses)."""
    first: dict[tuple[str, TaskRef], Quote] = {}
    for e in entries:
        for t in e.terms & topic_terms:
            for ref, quote in e.places:
                if (t, ref) not in first or quote.n < first[(t, ref)].n:
                    first[(t, ref)] = quote
    for (t, ref), quote in list(first.items()):
        for member in copies.get(ref, ())[1:]:
            if (q := member_quote(quote, member, spans)) is not None:
                first[(t, member)] = q
    topics = {t: Topic(t) for t in sorted(topic_terms)}
    for (t, _), quote in first.items():
        topics[t].mentions.append(quote)
    for topic in topics.values():
        topic.mentions.sort()      # by (task, n): one mention per task and clause
    return topics
