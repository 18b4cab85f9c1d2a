"""api/graphs.py: the /graph/… pages and their JSON over the sample store."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.viz_support import CROSS_COUNT, NEIGHBOURS_COUNT, OVERVIEW_COUNT, count, make_app

ID = "https://w3id.org/gazettekg/id/"
TASK = ID + "task/xuzheng-2020-7/2-2-3"


@pytest.fixture(scope="module")
def client(sample_store):
    with TestClient(make_app(sample_store.path, sample_store)) as c:
        yield c


def error(r, status):
    assert r.status_code == status, r.text
    return r.json()["error"]


def test_views_as_json_match_sparql(client, sample_store):
    assert len(client.get("/graph/overview.json").json()["nodes"]) == count(sample_store, OVERVIEW_COUNT)
    assert len(client.get("/graph/cross.json").json()["nodes"]) == count(sample_store, CROSS_COUNT)
    body = client.get("/graph/entity.json", params={"iri": TASK}).json()
    assert len(body["nodes"]) == count(sample_store, NEIGHBOURS_COUNT % (TASK, TASK)) + 1
    assert body["links"] == {"idBase": "/id/", "ns": ID, "entity": "/graph/entity", "expand": "/graph/entity.json"}


@pytest.mark.parametrize("url", ["/graph/overview", "/graph/cross", f"/graph/entity?iri={TASK}&hops=2&cap=30"])
def test_pages_use_the_services_own_assets(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'src="/graph/static/vis-network.min.js"' in r.text and "connect-src 'self'" in r.text
    for asset in ("vis-network.min.js", "vis-network.css", "graph.js", "graph.css"):
        a = client.get(f"/graph/static/{asset}")
        assert a.status_code == 200 and len(a.content) > 1000
    error(client.get("/graph/static/..%2Fgraphs.py"), 404)


def test_entity_errors(client):
    assert error(client.get("/graph/entity", params={"iri": ID + "task/none"}), 404)["title"] == "No such entity"
    assert error(client.get("/graph/entity", params={"iri": "not an iri"}), 400)["title"] == "Bad IRI"
    error(client.get("/graph/entity", params={"iri": TASK, "hops": 9}), 400)
    error(client.get("/graph/entity"), 400)


CONSTRUCT = "CONSTRUCT { ?t gk:inPlan ?p } WHERE { ?t gk:inPlan ?p }"


def test_query_as_graph(client, sample_store):
    assert "<form" in client.get("/graph/query").text
    tasks = count(sample_store, "SELECT (COUNT(?t) AS ?c) WHERE { ?t gk:inPlan ?p }")
    plans = count(sample_store, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?t gk:inPlan ?p }")
    r = client.post("/graph/query", data={"query": CONSTRUCT})
    assert r.status_code == 200 and 'id="graph-data"' in r.text
    body = client.post("/graph/query.json", content=CONSTRUCT,
                       headers={"Content-Type": "application/sparql-query"}).json()
    assert len(body["nodes"]) == tasks + plans and len(body["edges"]) == tasks
    assert len(client.get("/graph/query.json", params={"query": CONSTRUCT}).json()["nodes"]) == tasks + plans


def test_query_refusals(client):
    r = client.post("/graph/query", data={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "CONSTRUCT" in r.text and "<form" in r.text
    assert error(client.get("/graph/query.json", params={"query": "CONSTRUCT WHERE { ?s ?p"}), 400)
    service = "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    assert error(client.get("/graph/query.json", params={"query": service}), 403)
    assert error(client.get("/graph/query.json", params={"query": "CLEAR ALL"}), 400)
