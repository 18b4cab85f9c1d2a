"""Shared by the graph tests: a hostile test graph, the web app with the graph router, and
expected node counts from independent SPARQL.

Origin of the hostile corpus: the usual ways to break out of HTML text, attributes,
<script> elements and comments, plus the JavaScript line separators U+2028/U+2029;
each payload sets window.__pwned or opens a dialog if it ever runs.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ontology.namespaces import GK, ID

HOSTILE = [
    "<script>window.__pwned=1;alert(1)</script>",
    "</script><script>window.__pwned=2;alert(2)</script>",
    "<img src=x onerror=\"window.__pwned=3;alert(3)\">",
    "<!--<script>window.__pwned=4;alert(4)//",
    "\" onmouseover=\"window.__pwned=5;alert(5)\" x=\"",
    "<a href=\"javascript:alert(6)\">href 链接 title</a>",
    "第一行\u2028第二行\u2029</script>段落",
]

PLAN = ID["plan/evil-1"]
OTHER_PLAN = ID["plan/evil-2"]


def hostile_graph() -> Graph:
    """Two plans whose tasks, units, regions, a conflict and even a plan title carry the corpus."""
    g = Graph()
    unit, region = ID["unit/evil"], ID["region/evil"]
    g.add((unit, RDF.type, GK.Unit))
    g.add((unit, SKOS.prefLabel, Literal(HOSTILE[2])))
    g.add((region, RDF.type, GK.Region))
    g.add((region, SKOS.prefLabel, Literal(HOSTILE[4])))
    for plan, doc in ((PLAN, HOSTILE[1]), (OTHER_PLAN, "许政〔2020〕99号")):
        g.add((plan, RDF.type, GK.Plan))
        g.add((plan, GK.docNumber, Literal(doc)))
        g.add((plan, DCTERMS.title, Literal(HOSTILE[0])))
    for i, payload in enumerate(HOSTILE):
        task = ID[f"task/evil-1/{i}"]
        g.add((task, RDF.type, GK.Task))
        g.add((task, GK.inPlan, PLAN if i % 2 == 0 else OTHER_PLAN))
        g.add((task, RDFS.label, Literal(payload)))
        g.add((task, GK.text, Literal(f"正文 {payload} 结束")))
        g.add((task, GK.sourceLine, Literal(100 + i)))
        g.add((task, GK.leadUnit, unit))
        g.add((task, GK.region, region))
    g.add((ID["task/evil-1/0"], GK.relatedTo, ID["task/evil-1/1"]))
    g.add((ID["task/evil-1/0"], URIRef("http://example.org/see"), URIRef("javascript:alert(7)")))
    conflict = ID["conflict/evil"]
    g.add((conflict, RDF.type, GK.Conflict))
    g.add((conflict, GK.conflictKind, GK.ValueConflict))
    g.add((conflict, RDFS.comment, Literal(HOSTILE[3], lang="zh")))
    g.add((conflict, GK.involves, ID["task/evil-1/2"]))
    g.add((conflict, GK.involves, ID["task/evil-1/3"]))
    return g


def publish_graph(graph: Graph, path: Path):
    from queries.engines import open_store, publish
    publish(graph.serialize(format="nt", encoding="utf-8"), path, {"inputs": ["test"]})
    return open_store(path)


def make_app(store_path: Path, store):
    """The service's app with the graph router mounted and the store the graphs read."""
    from api.app import create_app
    from api.graphs import router
    from api.settings import Settings
    app = create_app(Settings.from_env({}, store=store_path, workers=1))
    app.state.store = store
    if not any(getattr(r, "path", "") == "/graph/overview" for r in app.routes):
        app.include_router(router)
    return app


def count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0].value)


# Independent counts of what each view must show (written without looking at viz.select).
OVERVIEW_COUNT = """SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {
  { ?n a gk:Plan } UNION { ?n a gk:Task }
  UNION { ?t a gk:Task ; gk:leadUnit ?n } UNION { ?t a gk:Task ; gk:responsibleUnit ?n }
  UNION { ?t a gk:Task ; gk:region ?n } }"""
CROSS_COUNT = """SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {
  { ?n gk:relatedTo ?x
    FILTER(!EXISTS { ?o gk:evidenceFor ?n , ?x ; gk:basis "text" ; gk:relationKind "overlap" }
           || EXISTS { ?e gk:evidenceFor ?n , ?x FILTER NOT EXISTS { ?e gk:basis "text" ; gk:relationKind "overlap" } }) }
  UNION { ?n a gk:Conflict }
  UNION { ?c a gk:Conflict ; gk:involves ?n } UNION { ?c a gk:Conflict ; gk:involves ?x . ?n gk:hasTarget ?x } }"""
NEIGHBOURS_COUNT = """SELECT (COUNT(DISTINCT ?m) AS ?c) WHERE {
  { <%s> ?p ?m . FILTER(isIRI(?m)) } UNION { ?m ?p <%s> }
  FILTER(?p NOT IN (rdf:type, gk:comparator, gk:conflictKind, gk:evidenceFor)) }"""
