"""REST routes, the query library, entity pages, the query page, offline docs and settings,
over the sample store (counts checked against the store itself)."""
from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from api.app import create_app
from api.settings import Settings
from queries.library import load_library

ID = "https://w3id.org/gazettekg/id/"
ERROR_KEYS = {"status", "title", "detail", "hint"}


@pytest.fixture(scope="module")
def client(sample_store):
    with TestClient(create_app(Settings.from_env({}, store=sample_store.path))) as c:
        yield c


def count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0].value)


P7 = "<https://w3id.org/gazettekg/id/plan/xuzheng-2020-7>"


def assert_error(r, status):
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == ERROR_KEYS
    return r.json()["error"]


# --- REST ------------------------------------------------------------------------------------

def test_plans(client, sample_store):
    body = client.get("/api/plans").json()
    assert body["count"] == count(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a gk:Plan }") == 12
    p7 = next(p for p in body["items"] if p["docNumber"] == "许政〔2020〕7号")
    assert p7["id"] == "xuzheng-2020-7" and p7["api"] == "/api/plans/xuzheng-2020-7"
    assert p7["tasks"] == count(sample_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t gk:inPlan {P7} }}")
    assert p7["issuedBy"]["label"] == "许昌市人民政府"
    assert p7["issued"] == "2020-04-24"


def test_plans_as_csv(client):
    r = client.get("/api/plans?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 12 and {"iri", "docNumber", "title", "tasks"} <= set(rows[0])
    assert_error(client.get("/api/plans?format=xls"), 400)


def test_plan_with_tasks(client, sample_store):
    body = client.get("/api/plans/xuzheng-2020-7").json()
    assert body["docNumber"] == "许政〔2020〕7号" and body["source"]["line"] > 0
    expected = count(sample_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t gk:inPlan {P7} }}")
    assert len(body["tasks"]) == expected > 0
    lines = [t["sourceLine"] for t in body["tasks"]]
    assert lines == sorted(lines)
    assert body["source"]["file"] == "xuchang-gazette-2020-02.txt"
    goals = client.get("/api/plans/xuzheng-2020-12").json()["goals"]
    assert len(goals) == 2 and all(g["value"] is not None for g in goals)


def test_task_in_full(client, sample_store):
    body = client.get("/api/tasks/xuzheng-2020-7/2-2-3").json()
    assert body["label"] == "有力保障城乡供水安全" and body["sectionPath"] == "二.(二).3"
    assert body["plan"]["docNumber"] == "许政〔2020〕7号"
    roles = {(u["label"], u["role"]) for u in body["units"]}
    assert ("市水利局", "responsible") in roles
    n_units = count(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { "
                    "<https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3> gk:leadUnit|gk:responsibleUnit ?u }")
    assert len(body["units"]) == n_units
    assert {r["label"] for r in body["regions"]} >= {"长葛市"}
    assert body["targets"][0]["value"] == 1 and body["targets"][0]["unitOfMeasure"] == "座"
    assert body["targets"][0]["comparator"] == "Exactly"
    assert body["source"]["line"] == 76 and body["source"]["text"].startswith("3. 有力保障城乡供水安全")
    assert body["projects"] and body["projects"][0]["href"].startswith("/id/project/")


def test_task_deadlines(client, sample_store):
    task = sample_store.query("SELECT ?t WHERE { ?t gk:hasDeadline ?d } LIMIT 1").rows[0][0].value
    body = client.get("/api/tasks/" + task[len(ID + "task/"):]).json()
    assert body["deadlines"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["deadlines"][0]["date"])


def test_units(client, sample_store):
    body = client.get("/api/units").json()
    assert body["count"] == count(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?u a gk:Unit }")
    water = next(u for u in body["items"] if u["label"] == "市水利局")
    detail = client.get(water["api"]).json()
    assert len(detail["tasks"]) == water["leadTasks"] + water["responsibleTasks"] > 0
    assert {t["role"] for t in detail["tasks"]} <= {"lead", "responsible"}
    gov = client.get("/api/units/xuchangshirenminzhengfu").json()
    assert len(gov["plansIssued"]) == 12


def test_regions_and_projects(client, sample_store):
    regions = client.get("/api/regions").json()
    assert regions["count"] == count(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?r a gk:Region }")
    changge = next(r for r in regions["items"] if r["label"] == "长葛市")
    assert changge["adminCode"] == "411082" and changge["tasks"] > 0
    projects = client.get("/api/projects").json()
    assert projects["count"] == count(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a gk:Project }")


@pytest.mark.parametrize("url", ["/api/plans/no-such-plan", "/api/tasks/xuzheng-2020-7/9-9-9",
                                 "/api/units/nobody", "/api/nothing"])
def test_unknown_entities_are_404(client, url):
    assert_error(client.get(url), 404)


def test_bad_identifier_is_400(client):
    assert_error(client.get("/api/plans/a%20b%3Cc"), 400)


# --- the query library -------------------------------------------------------------------------

def test_library_listing(client):
    body = client.get("/api/queries").json()
    library = load_library()
    assert body["count"] == len(library) and {q["name"] for q in body["items"]} == set(library)
    q = next(q for q in body["items"] if q["name"] == "plan_tasks")
    assert q["title_zh"] and q["title_en"] and q["params"][0]["name"] == "plan"
    assert client.get(q["example"]).status_code == 200


def test_every_library_query_runs_with_its_examples(client):
    for name, q in load_library().items():
        r = client.get(f"/api/queries/{name}", params=q.example_params())
        assert r.status_code == 200, (name, r.text)


def test_library_query_json_and_csv(client, sample_store):
    params = {"plan": "许政〔2020〕7号"}
    body = client.get("/api/queries/plan_tasks", params=params).json()
    expected = count(sample_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t gk:inPlan {P7} }}")
    assert len(body["results"]["bindings"]) == expected and body["truncated"] is False
    r = client.get("/api/queries/plan_tasks", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == expected and rows[0]["plan"] == "许政〔2020〕7号"
    by_accept = client.get("/api/queries/plan_tasks", params=params, headers={"Accept": "text/csv"})
    assert by_accept.text == r.text


def test_library_ask_and_construct(client):
    assert client.get("/api/queries/unit_known", params={"unit": "市发改委"}).json()["boolean"] is True
    r = client.get("/api/queries/task_graph", params={"task": "id:task/xuzheng-2020-10/2-1-3"})
    assert r.headers["content-type"].startswith("text/turtle") and len(Graph().parse(data=r.text)) > 0


def test_library_parameter_errors(client):
    assert_error(client.get("/api/queries/plan_tasks"), 400)  # missing
    err = assert_error(client.get("/api/queries/plan_tasks", params={"plan": "x", "bogus": "1"}), 400)
    assert "bogus" in err["detail"]
    assert_error(client.get("/api/queries/percentage_targets", params={"min": "ninety"}), 400)
    assert_error(client.get("/api/queries/plan_tasks?plan=a&plan=b"), 400)
    assert_error(client.get("/api/queries/no_such_query"), 404)
    assert_error(client.get("/api/queries/plan_tasks", params={"plan": "x", "format": "turtle"}), 406)


def test_injection_through_a_parameter_stays_a_value(client):
    evil = '许政〔2020〕7号" } } SELECT * WHERE { ?s ?p ?o } #'
    body = client.get("/api/queries/plan_tasks", params={"plan": evil}).json()
    assert body["results"]["bindings"] == []


# --- entity pages --------------------------------------------------------------------------------

def test_entity_html_for_browsers(client):
    r = client.get("/id/task/xuzheng-2020-7/2-2-3", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "有力保障城乡供水安全" in r.text and 'href="/id/plan/xuzheng-2020-7"' in r.text
    assert 'href="/api/tasks/xuzheng-2020-7/2-2-3"' in r.text
    assert r.headers["vary"] == "Accept" and 'rel="alternate"' in r.headers["link"]


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"), ("*/*", "turtle")])
def test_entity_rdf_by_negotiation(client, accept, fmt, sample_store):
    iri = URIRef(ID + "plan/xuzheng-2020-7")
    r = client.get("/id/plan/xuzheng-2020-7", headers={"Accept": accept})
    g = Graph().parse(data=r.content, format=fmt)
    out = count(sample_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{iri}> ?p ?o }}")
    inc = count(sample_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{iri}> }}")
    assert len(g) == out + inc and len(set(g.triples((iri, None, None)))) == out


def test_entity_format_parameter_and_errors(client):
    assert client.get("/id/plan/xuzheng-2020-7?format=nt").headers["content-type"].startswith("application/n-triples")
    assert_error(client.get("/id/plan/none", headers={"Accept": "text/html"}), 404)
    assert_error(client.get("/id/plan/none", headers={"Accept": "text/turtle"}), 404)
    assert_error(client.get("/id/plan/xuzheng-2020-7", headers={"Accept": "image/png"}), 406)


def test_data_is_escaped_in_html(tmp_path):
    """A label or IRI carrying markup is shown as text, never run."""
    from queries.engines import publish
    evil = '<script>alert("x")</script>'
    nt = (f'<{ID}unit/evil> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
          f'<https://w3id.org/gazettekg/ontology#Unit> .\n'
          f'<{ID}unit/evil> <http://www.w3.org/2004/02/skos/core#prefLabel> "{evil.replace(chr(34), chr(92) + chr(34))}" .\n'
          f'<{ID}unit/evil> <http://example.org/p> <javascript:alert(1)> .\n'
          f"<{ID}unit/evil> <http://example.org/q> <http://example.org/a'onmouseover='x> .\n")
    publish(nt.encode(), tmp_path / "store", {"inputs": ["evil"]})
    with TestClient(create_app(Settings.from_env({}, store=tmp_path / "store"))) as c:
        page = c.get("/id/unit/evil", headers={"Accept": "text/html"}).text
        assert evil not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page and "'onmouseover=" not in page
        assert c.get("/api/units").json()["items"][0]["label"] == evil  # JSON carries it as data


# --- the query page, docs, health, settings ----------------------------------------------------

def test_query_page_is_offline_and_configured(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith("/") or s.startswith("#") for s in srcs), srcs  # nothing from another host
    config = json.loads(re.search(r'<script id="config" type="application/json">(.*?)</script>', html).group(1))
    assert config["prefixes"]["gk"] == "https://w3id.org/gazettekg/ontology#" and config["endpoint"] == "/sparql"
    for asset in ("/static/app.js", "/static/highlight.js", "/static/style.css"):
        a = client.get(asset)
        assert a.status_code == 200 and "http://" not in a.text and "https://cdn" not in a.text
    js = client.get("/static/app.js").text + client.get("/static/highlight.js").text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js


def test_docs_work_offline(client):
    html = client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert client.get(u).status_code == 200, u
    spec = client.get("/openapi.json").json()
    assert {"/sparql", "/api/plans", "/api/tasks/{task_id}", "/api/queries/{name}", "/health"} <= set(spec["paths"])
    assert client.get("/redoc").status_code == 404


def test_health_is_fast(client):
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        body = client.get("/health").json()
        times.append(time.perf_counter() - t0)
    assert body["status"] == "ok" and body["triples"] > 7000 and body["workers"]["size"] == 2
    assert sorted(times)[len(times) // 2] < 0.05


def test_every_setting_is_documented(client):
    from dataclasses import fields
    names = {f.name for f in fields(Settings)}
    listed = client.get("/api/settings").json()["items"]
    assert {s["name"] for s in listed} == names
    assert all(len(s["help"]) > 15 and s["env"].startswith("GAZETTEKG_") for s in listed)


def test_settings_from_environment():
    s = Settings.from_env({"GAZETTEKG_TIME_LIMIT": "2.5", "GAZETTEKG_ISOLATE_NETWORK": "no",
                           "GAZETTEKG_STORE": "/x"})
    assert s.time_limit == 2.5 and s.isolate_network is False and str(s.store) == "/x"
    with pytest.raises(ValueError):
        Settings.from_env({"GAZETTEKG_ROW_LIMIT": "many"})
    with pytest.raises(ValueError):
        Settings.from_env({}, workers=0)


def test_every_route_is_covered_by_a_test():
    """A new route must come with a test here or in test_api_sparql.py."""
    from pathlib import Path
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_api_*.py"))
    from api import pages, rest, sparql
    for router in (rest.router, pages.router, sparql.router):
        for route in router.routes:
            stem = re.sub(r"\{[^}]+\}.*", "", route.path).rstrip("/") or "/"
            assert f'"{stem}' in tests, route.path
