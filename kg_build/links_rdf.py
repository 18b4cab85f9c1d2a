"""LinkResult → rdflib Graph: the only place linking results become RDF.

Writes the canonical gk:Indicator nodes and each target's gk:indicator (to_rdf leaves
them out: which indicator a target measures is decided across all plans), gk:relatedTo
in both directions with one gk:RelationEvidence per pair and basis, and gk:Conflict
nodes. IRIs come from iris.py; literals from to_rdf's helpers.
"""
from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF, RDFS, SKOS

from kg_build import iris
from kg_build.linking.model import LinkResult, Side, TargetRef, TaskRef
from kg_build.to_rdf import decimal, text, text_in
from ontology.namespaces import GK


def task_iri(ref: TaskRef) -> URIRef:
    return iris.task(ref.plan_key, ref.path)


def target_iri(ref: TargetRef) -> URIRef:
    if ref.path is None:
        return iris.plan_target(ref.plan_key, ref.n)
    return iris.task_target(iris.task(ref.plan_key, ref.path), ref.n)


def indicator_iri(key: str) -> URIRef:
    label, _, scope = key.partition("@")
    return iris.indicator(label, scope)


def _side_iri(side: Side) -> URIRef:
    return target_iri(side.target) if side.target is not None else task_iri(side.task)


# What the links graph says about nodes it only names (their issue graphs describe them):
# a task's related tasks, a target's indicator. Validation of the links graph alone checks
# these properties of such nodes and nothing else about them.
NAMED_PROPERTIES = {GK.Task: (GK.relatedTo,), GK.Target: (GK.indicator,)}


def links_graph(result: LinkResult) -> Graph:
    g = Graph()
    for triple in links_triples(result):
        g.add(triple)
    return g


def links_triples(result: LinkResult) -> Iterator[tuple[Node, Node, Node]]:
    """The links graph as triples, without an rdflib Graph to hold them (a collection's links
    run to millions of triples), so that it can be streamed in chunks: each triple comes once,
    a subject's triples come together, and a node the links graph types (an indicator) is
    typed before anything names it."""
    for key, ind in result.indicators.items():
        node = indicator_iri(key)
        yield node, RDF.type, GK.Indicator
        yield node, SKOS.prefLabel, text(ind.label)
        for s in sorted(ind.spellings - {ind.label}):
            yield node, SKOS.altLabel, text(s)
    for c in result.claims:
        yield target_iri(c.target), GK.indicator, indicator_iri(c.indicator)
    # a task is named by ~20 rows: its IRI is minted once (minting is most of the cost here)
    nodes: dict[TaskRef, URIRef] = {}
    node = lambda ref: nodes.get(ref) or nodes.setdefault(ref, task_iri(ref))
    related: dict[TaskRef, set[TaskRef]] = {}
    for r in result.relations:
        related.setdefault(r.a, set()).add(r.b)
        related.setdefault(r.b, set()).add(r.a)     # symmetric: stated both ways, no reasoner needed
    related_to, evidence, evidence_for, score, basis, shared = (
        GK.relatedTo, GK.RelationEvidence, GK.evidenceFor, GK.score, GK.basis, GK.sharedTerm)
    for task in sorted(related):
        for other in sorted(related[task]):
            yield node(task), related_to, node(other)
    for r in result.relations:
        a, b = node(r.a), node(r.b)
        ev = iris.evidence(a, b, r.basis)
        yield ev, RDF.type, evidence
        yield ev, evidence_for, a
        yield ev, evidence_for, b
        yield ev, score, decimal(r.score)
        yield ev, basis, text(r.basis)
        for term in r.shared:
            yield ev, shared, text(term)
    for c in result.conflicts:
        kind, _, subject = c.key.partition("/")
        node = iris.conflict(kind, subject)
        yield node, RDF.type, GK.Conflict
        yield node, GK.conflictKind, GK[c.kind]
        yield node, GK.severity, text(c.severity)
        yield node, RDFS.comment, text_in(c.comment_zh, "zh")
        yield node, RDFS.comment, text_in(c.comment_en, "en")
        for side in c.sides:
            yield node, GK.involves, _side_iri(side)
