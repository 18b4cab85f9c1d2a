"""LinkResult → rdflib Graph: the only place linking results become RDF.

Writes the canonical gk:Indicator nodes and each target's gk:indicator (to_rdf leaves
them out: which indicator a target measures is decided across all plans), gk:Topic nodes
with the gk:Clause nodes that mention them and each task's gk:hasTopic, gk:relatedTo in
both directions with one gk:RelationEvidence per pair and basis (its kind and its two
quoted clauses), and gk:Conflict nodes with their reason. IRIs come from iris.py;
literals from to_rdf's helpers.
"""
from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF, RDFS, SKOS

from kg_build import iris
from kg_build.linking.model import LinkResult, Quote, Side, TargetRef, TaskRef
from kg_build.to_rdf import decimal, integer, text, text_in
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
NAMED_PROPERTIES = {GK.Task: (GK.relatedTo, GK.hasTopic), GK.Target: (GK.indicator,)}


def links_graph(result: LinkResult) -> Graph:
    g = Graph()
    for triple in links_triples(result):
        g.add(triple)
    return g


def links_triples(result: LinkResult) -> Iterator[tuple[Node, Node, Node]]:
    """The links graph as triples, without an rdflib Graph to hold them (a collection's links
    run to millions of triples), so that it can be streamed in chunks: each triple comes once,
    a subject's triples come together, and a node the links graph types (an indicator) is
    typed before anything names it (indicators, topics, then clauses, then what names them)."""
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
    topics_of: dict[TaskRef, set[str]] = {}
    yield from _topic_triples(result, node, topics_of)
    related: dict[TaskRef, set[TaskRef]] = {}
    for r in result.relations:
        related.setdefault(r.a, set()).add(r.b)
        related.setdefault(r.b, set()).add(r.a)     # symmetric: stated both ways, no reasoner needed
    related_to, evidence, evidence_for, score, basis, shared = (
        GK.relatedTo, GK.RelationEvidence, GK.evidenceFor, GK.score, GK.basis, GK.sharedTerm)
    for task in sorted(set(related) | set(topics_of)):     # a task's rows together
        for other in sorted(related.get(task, ())):
            yield node(task), related_to, node(other)
        for label in sorted(topics_of.get(task, ())):
            yield node(task), GK.hasTopic, iris.topic(label)
    for r in result.relations:
        a, b = node(r.a), node(r.b)
        ev = iris.evidence(a, b, r.basis)
        yield ev, RDF.type, evidence
        yield ev, evidence_for, a
        yield ev, evidence_for, b
        yield ev, score, decimal(r.score)
        yield ev, basis, text(r.basis)
        yield ev, GK.relationKind, text(r.kind)
        for term in r.shared:
            yield ev, shared, text(term)
        for q in r.quotes:
            yield ev, GK.quotes, iris.clause(node(q.task), q.n)
    for c in result.conflicts:
        kind, _, subject = c.key.partition("/")
        node = iris.conflict(kind, subject)
        yield node, RDF.type, GK.Conflict
        yield node, GK.conflictKind, GK[c.kind]
        yield node, GK.severity, text(c.severity)
        yield node, RDFS.comment, text_in(c.comment_zh, "zh")
        yield node, RDFS.comment, text_in(c.comment_en, "en")
        if c.reason_zh:
            yield node, GK.reason, text_in(c.reason_zh, "zh")
            yield node, GK.reason, text_in(c.reason_en, "en")
        for side in c.sides:
            yield node, GK.involves, _side_iri(side)


def _topic_triples(result: LinkResult, node, topics_of: dict[TaskRef, set[str]]) -> Iterator[tuple[Node, Node, Node]]:
    """Topics, then every quoted clause once (a topic's mentions and the relations' quotes),
    a node typed before a later subject names it; fills `topics_of` (task → its topics)."""
    quoted: dict[tuple[TaskRef, int], tuple[Quote, set[str]]] = {}
    for label, topic in result.topics.items():
        yield iris.topic(label), RDF.type, GK.Topic
        yield iris.topic(label), SKOS.prefLabel, text(label)
        for q in topic.mentions:
            quoted.setdefault((q.task, q.n), (q, set()))[1].add(label)
    for r in result.relations:
        for q in r.quotes:
            quoted.setdefault((q.task, q.n), (q, set()))
    for (task, n), (q, labels) in sorted(quoted.items(), key=lambda kv: (_ref(kv[0][0]), kv[0][1])):
        c = iris.clause(node(task), n)
        yield c, RDF.type, GK.Clause
        yield c, GK.clauseOf, node(task)
        yield c, GK.clauseText, text(q.text)
        yield c, GK.clauseLine, integer(q.line)
        for label in sorted(labels):
            yield c, GK.mentionsTopic, iris.topic(label)
        topics_of.setdefault(task, set()).update(labels)


def _ref(t: TaskRef) -> tuple:
    return (t.plan_key, t.path, t.line, t.doc_number or "")
