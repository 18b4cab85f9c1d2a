"""Cross-plan linking: shared indicators and projects, related tasks, conflicts (pure).

    link(records) -> LinkResult

Plain records in, plain records out; links_rdf.links_graph writes the RDF. Every step
groups or blocks (indicator, facility, MinHash-LSH band) rather than comparing all pairs
of tasks, so linking thousands of plans stays close to linear (bench/linking.py).
"""
from __future__ import annotations

import re

from kg_build.linking.conflicts import deadline_conflicts, list_conflicts, value_conflicts
from kg_build.linking.indicators import claims_of, indicators_of, merge_similar
from kg_build.linking.model import (Claim, Conflict, Indicator, LinkResult, Project, Relation, Side, TargetRef,
                                    TaskRef)
from kg_build.linking.projects import facility_lists, projects_of
from kg_build.linking.related import indicator_relations, project_relations, text_relations
from kg_build.records import GazetteRecord

_SEVERITY = {"high": 0, "medium": 1, "low": 2}


# Lines on the map (a canal, a railway, a motorway) are named as landmarks by unrelated tasks:
# one such name alone is not a shared commitment.
_LANDMARK = re.compile(r"(?:铁路|高铁|高速|高速公路|干渠|渠|河|公路|快速通道|国道\d*|省道\d*)$")


def _supported(by_project: list[Relation], others: list[Relation]) -> list[Relation]:
    backed = {(r.a, r.b) for r in others}
    kept = [r for r in by_project
            if len(r.shared) >= 2 or (r.a, r.b) in backed or not all(_LANDMARK.search(t) for t in r.shared)]
    return kept + others


def _relation_order(r: Relation) -> tuple:
    """The order of (a, b, basis), as plain tuples: sorting compares them in C, not in TaskRef.__lt__."""
    return (r.a.plan_key, r.a.path, r.a.line, r.a.doc_number or "",
            r.b.plan_key, r.b.path, r.b.line, r.b.doc_number or "", r.basis)


def link(records: list[GazetteRecord]) -> LinkResult:
    """Link every plan of every gazette with every other. Deterministic: same input, same result."""
    plans = sorted((p for r in records for p in r.plans), key=lambda p: p.key)
    claims = merge_similar([c for p in plans for c in claims_of(p)])
    indicators = indicators_of(claims)
    labels = {k: ind.label for k, ind in indicators.items()}
    relations = _supported(project_relations(plans), indicator_relations(claims, len(plans)) + text_relations(plans))
    relations.sort(key=_relation_order)
    conflicts = (value_conflicts(claims, labels) + deadline_conflicts(claims, labels)
                 + list_conflicts([fl for p in plans for fl in facility_lists(p)]))
    conflicts.sort(key=lambda c: (_SEVERITY[c.severity], -len({s.doc_number for s in c.sides}), c.key))
    return LinkResult(indicators, claims, projects_of(plans), relations, conflicts)


__all__ = ["link", "LinkResult", "Claim", "Conflict", "Indicator", "Project", "Relation", "Side", "TargetRef", "TaskRef"]
