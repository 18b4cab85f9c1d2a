"""/tasks facets (issue 13): every count equals what an independent SPARQL COUNT says, for
a single facet value and for combined ones; every state is a URL with JSON and CSV."""
from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from tests.test_api_sparql import make_client

# the same questions asked directly, one COUNT per facet value (bound, never pasted)
COUNT_BY = {
    "plan": "?task gk:inPlan ?v", "lead": "?task gk:leadUnit ?v", "responsible": "?task gk:responsibleUnit ?v",
    "region": "?task gk:region ?v", "indicator": "?task gk:hasTarget/gk:indicator ?v",
    "year": "?task gk:hasDeadline/gk:date ?d FILTER(STR(YEAR(?d)) = ?v)", "topic": "?task gk:hasTopic ?v",
}


@pytest.fixture(scope="module")
def client(sample_store):
    with make_client(sample_store) as c:
        yield c


def sparql_count(store, picks: list[tuple[str, str]]) -> int:
    patterns = []
    bindings = {}
    for i, (facet, value) in enumerate(picks):
        var = f"v{i}"
        patterns.append(COUNT_BY[facet].replace("?v", f"?{var}").replace("?d", f"?d{i}"))
        bindings[var] = ox.Literal(value) if facet == "year" else ox.NamedNode(value)
    select = " ".join(f"?{v}" for v in bindings)  # Oxigraph binds projected variables only
    text = (f"SELECT (COUNT(DISTINCT ?task) AS ?n) {select} WHERE {{ ?task a gk:Task . {' . '.join(patterns)} }} "
            f"GROUP BY {select}")
    rows = list(store.query(text, bindings=bindings).rows)
    return int(rows[0][0].value) if rows else 0


@pytest.mark.parametrize("facet", ["plan", "lead", "responsible", "region", "year", "indicator"])
def test_facet_counts_equal_sparql_counts(client, sample_store, facet):
    data = client.get("/tasks.json").json()
    assert data["count"] == int(next(iter(sample_store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?t a gk:Task }").rows))[0].value)
    values = data["facets"][facet]
    assert values
    for v in values[:5] + values[-2:]:
        assert v["count"] == sparql_count(sample_store, [(facet, v["value"])]), v


def test_combined_facets_count_like_sparql(client, sample_store):
    first = client.get("/tasks.json").json()["facets"]["lead"][0]
    narrowed = client.get(first["url"]).json()
    assert narrowed["count"] == first["count"]
    year = narrowed["facets"]["year"][0]
    both = client.get(year["url"]).json()
    assert both["count"] == year["count"] == sparql_count(sample_store, [("lead", first["value"]),
                                                                        ("year", year["value"])])
    assert {f["facet"] for f in both["filters"]} == {"lead", "year"}
    region = both["facets"]["region"]
    for v in region:
        assert v["count"] == sparql_count(sample_store, [("lead", first["value"]), ("year", year["value"]),
                                                         ("region", v["value"])])


def test_topic_facet_reads_gk_has_topic(client, sample_store):
    # the sample has no topics yet: the facet is empty, not an error, and agrees with SPARQL
    topics = client.get("/tasks.json").json()["facets"]["topic"]
    total = int(next(iter(sample_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?t gk:hasTopic ?x }").rows))[0].value)
    assert sum(v["count"] for v in topics) == total


def test_every_state_has_csv_and_an_unknown_facet_is_refused(client):
    first = client.get("/tasks.json").json()["facets"]["plan"][0]
    rows = list(csv.DictReader(io.StringIO(client.get(first["url"].replace(".json", ".csv")).text.lstrip("\ufeff"))))
    assert len(rows) == first["count"] and {r["plan"] for r in rows} == {first["value"]}
    page = client.get(first["url"].replace(".json", "")).text
    assert f'<span id="task-count">{first["count"]}</span>' in page
    err = client.get("/tasks", params={"colour": "red"})
    assert err.status_code == 400 and "not a facet" in err.json()["error"]["detail"]
