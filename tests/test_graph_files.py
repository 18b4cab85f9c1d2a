"""Graph views as GraphML and GEXF for Gephi (issue 13): the files parse with networkx and
hold exactly the nodes and edges of the view's JSON."""
from __future__ import annotations

import networkx as nx
import pytest

from tests.test_api_sparql import make_client

TASK = "https://w3id.org/gazettekg/id/plan/xuzheng-2020-7"
QUERY = "CONSTRUCT { ?t gk:leadUnit ?u } WHERE { ?t a gk:Task ; gk:leadUnit ?u } LIMIT 30"


@pytest.fixture(scope="module")
def client(sample_store):
    with make_client(sample_store) as c:
        yield c


@pytest.mark.parametrize("view,params", [("overview", {}), ("cross", {}), ("entity", {"iri": TASK}),
                                         ("query", {"query": QUERY})])
@pytest.mark.parametrize("fmt,read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_every_view_exports_its_nodes_and_edges(client, tmp_path, view, params, fmt, read):
    expected = client.get(f"/graph/{view}.json", params=params).json()
    r = client.get(f"/graph/{view}.{fmt}", params=params)
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(r.content)
    g = read(str(path))
    assert set(g.nodes) == {n["id"] for n in expected["nodes"]}
    assert g.number_of_edges() == len(expected["edges"]) > 0
    labels = nx.get_node_attributes(g, "label")
    assert all(labels[n["id"]] == n["label"] for n in expected["nodes"])


def test_a_select_query_is_refused(client):
    r = client.get("/graph/query.gexf", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and r.json()["error"]["title"] == "Not a graph query"
