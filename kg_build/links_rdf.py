"""LinkResult → rdflib Graph: the only place linking results become RDF.

Writes the canonical gk:Indicator nodes and each target's gk:indicator (to_rdf leaves
them out: which indicator a target measures is decided across all plans), gk:relatedTo
in both directions with one gk:RelationEvidence per pair and basis, and gk:Conflict
nodes. IRIs come from iris.py; literals from to_rdf's helpers.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
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


def links_graph(result: LinkResult) -> Graph:
    g = Graph()
    for key, ind in result.indicators.items():
        node = indicator_iri(key)
        g.add((node, RDF.type, GK.Indicator))
        g.add((node, SKOS.prefLabel, text(ind.label)))
        for s in sorted(ind.spellings - {ind.label}):
            g.add((node, SKOS.altLabel, text(s)))
    for c in result.claims:
        g.add((target_iri(c.target), GK.indicator, indicator_iri(c.indicator)))
    for r in result.relations:
        a, b = task_iri(r.a), task_iri(r.b)
        g.add((a, GK.relatedTo, b))
        g.add((b, GK.relatedTo, a))     # symmetric: stated both ways so a query needs no reasoner
        ev = iris.evidence(a, b, r.basis)
        g.add((ev, RDF.type, GK.RelationEvidence))
        g.add((ev, GK.evidenceFor, a))
        g.add((ev, GK.evidenceFor, b))
        g.add((ev, GK.score, decimal(r.score)))
        g.add((ev, GK.basis, text(r.basis)))
        for term in r.shared:
            g.add((ev, GK.sharedTerm, text(term)))
    for c in result.conflicts:
        kind, _, subject = c.key.partition("/")
        node = iris.conflict(kind, subject)
        g.add((node, RDF.type, GK.Conflict))
        g.add((node, GK.conflictKind, GK[c.kind]))
        g.add((node, GK.severity, text(c.severity)))
        g.add((node, RDFS.comment, text_in(c.comment_zh, "zh")))
        g.add((node, RDFS.comment, text_in(c.comment_en, "en")))
        for side in c.sides:
            g.add((node, GK.involves, _side_iri(side)))
    return g
