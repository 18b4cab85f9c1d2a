"""The W3C SPARQL 1.1 Protocol test suite against /sparql (tests/data/w3c-sparql11-protocol,
origin in its ORIGIN.md).

Every request of every entry is sent as the manifest says (path, method, headers, body in
its declared encoding) and the response is checked against the expected status, format and
boolean. Documented deviation: the endpoint is read-only, so the update cases get 403.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

SUITE = Path(__file__).parent / "data" / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

TABULAR = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"}
BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


def _manifest():
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(g.subjects(MF.entries, None))
    return g, list(Collection(g, g.value(root, MF.entries)))


GRAPH, ENTRIES = _manifest()


def _name(entry: URIRef) -> str:
    return str(entry).rsplit("#", 1)[1]


def _requests(entry):
    action = GRAPH.value(entry, MF.action)
    for req in Collection(GRAPH, GRAPH.value(action, HT.requests)):
        headers = {}
        hlist = GRAPH.value(req, HT.headers)
        if hlist is not None:
            for h in Collection(GRAPH, hlist):
                headers[str(GRAPH.value(h, HT.fieldName))] = str(GRAPH.value(h, HT.fieldValue))
        body = GRAPH.value(req, HT.body)
        data = None
        if body is not None:
            data = str(GRAPH.value(body, CNT.chars)).encode(str(GRAPH.value(body, CNT.characterEncoding)))
        resp = GRAPH.value(req, HT.resp)
        yield {"path": str(GRAPH.value(req, HT.absolutePath)), "method": str(GRAPH.value(req, HT.methodName)),
               "headers": headers, "body": data,
               "statuses": {str(s).rsplit("#", 1)[1] for s in GRAPH.objects(resp, MF.expectedStatus)},
               "format": GRAPH.value(resp, MF.expectedFormat),
               "boolean": GRAPH.value(resp, MF.expectedBoolean)}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The endpoint over a store holding data1-3.nt in the named graphs the manifest labels."""
    import pyoxigraph as ox
    from fastapi.testclient import TestClient
    from api.app import create_app
    from api.settings import Settings
    from queries.engines import MANIFEST
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    for entry in ENTRIES:
        for gd in GRAPH.objects(entry, UT.graphData):
            target = ox.NamedNode(str(GRAPH.value(gd, RDFS.label)))
            source = SUITE / Path(str(GRAPH.value(gd, UT.graph))).name
            store.load(path=str(source), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
    store.flush()
    del store
    (path / MANIFEST).write_text(json.dumps({"inputs": ["w3c-sparql11-protocol"]}), encoding="utf-8")
    with TestClient(create_app(Settings.from_env({}, store=path, time_limit=5))) as c:
        yield c


def _boolean(response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return response.json()["boolean"]
    el = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return el.text == "true"


def test_suite_is_complete():
    names = [_name(e) for e in ENTRIES]
    assert len(names) == 34
    assert sum(n.startswith("bad_") for n in names) == 14
    assert sum(n.startswith("update_") for n in names) == 7


@pytest.mark.parametrize("entry", ENTRIES, ids=_name)
def test_protocol_case(client, entry):
    name = _name(entry)
    for i, req in enumerate(_requests(entry)):
        path = "/sparql/" + req["path"][len("/sparql/"):]
        response = client.request(req["method"], path, headers=req["headers"], content=req["body"])
        if name.startswith("update_"):
            # documented deviation: read-only endpoint; the follow-up ASK depends on the update
            assert response.status_code == 403, response.text
            assert response.json()["error"]["title"] == "Read-only endpoint"
            return
        if "StatusCode4xx" in req["statuses"]:
            assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
            assert set(response.json()["error"]) == {"status", "title", "detail", "hint"}
            continue
        assert 200 <= response.status_code < 400, (name, response.status_code, response.text)
        media = response.headers["content-type"].split(";")[0]
        expected = str(req["format"]) if req["format"] is not None else None
        if expected == "boolean":
            assert media in BOOLEAN
        elif expected == "tabular":
            assert media in TABULAR
        elif expected == "RDF":
            assert media in RDF
            Graph().parse(data=response.content, format={"text/turtle": "turtle"}.get(media, "nt"))
        if req["boolean"] is not None:
            assert _boolean(response) is req["boolean"].toPython(), name


def test_dataset_from_protocol_replaces_the_query_dataset(client):
    """query_multiple_dataset also holds in the other direction: FROM is ignored once the
    protocol names a dataset, so the default graph is then empty."""
    q = "ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> { ?s ?p ?o }"
    assert client.get("/sparql", params={"query": q}).json()["boolean"] is True
    r = client.get("/sparql", params={"query": q,
                                      "named-graph-uri": "http://kasei.us/2009/09/sparql/data/data1.rdf"})
    assert r.json()["boolean"] is False
