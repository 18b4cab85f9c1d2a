"""/sparql over the sample store: formats, negotiation, the read-only and closed rules, the
limits (time, rows, request size) and the error shape."""
from __future__ import annotations

import csv
import io
import socket
import threading
import time
import xml.etree.ElementTree as ET

import psutil
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from api.app import create_app
from api.settings import Settings
from api.worker import QueryFailed, WorkerPool

PLANS = "SELECT ?plan ?doc WHERE { ?plan a gk:Plan ; gk:docNumber ?doc } ORDER BY ?doc"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ERROR_KEYS = {"status", "title", "detail", "hint"}


def make_client(store, **overrides) -> TestClient:
    return TestClient(create_app(Settings.from_env({}, store=store.path, **overrides)))


@pytest.fixture(scope="module")
def client(sample_store):
    with make_client(sample_store) as c:
        yield c


def assert_error(r, status: int, title_part: str = "") -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert set(err) == ERROR_KEYS and err["status"] == status
    assert title_part.lower() in err["title"].lower()
    assert "Traceback" not in r.text
    return err


# --- answers and formats -------------------------------------------------------------------

def test_select_json_by_default(client):
    r = client.get("/sparql", params={"query": PLANS})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    body = r.json()
    assert body["head"]["vars"] == ["plan", "doc"]
    docs = [b["doc"]["value"] for b in body["results"]["bindings"]]
    assert len(docs) == 12 and "许政〔2020〕7号" in docs
    assert body["truncated"] is False and r.headers["x-gazettekg-truncated"] == "false"
    assert r.headers["x-gazettekg-rows"] == "12"


def test_post_form_and_direct_give_the_same_answer(client):
    get = client.get("/sparql", params={"query": PLANS}).json()
    form = client.post("/sparql", data={"query": PLANS}).json()
    direct = client.post("/sparql", content=PLANS.encode(),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8"}).json()
    assert get == form == direct


@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/html, */*;q=0.1", "application/sparql-results+json"),
])
def test_select_formats_by_accept(client, accept, media):
    r = client.get("/sparql", params={"query": PLANS}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["plan", "doc"] and len(rows) == 13
    if media == "text/tab-separated-values":
        lines = r.text.splitlines()
        assert lines[0] == "?plan\t?doc" and len(lines) == 13 and lines[1].startswith("<https://")
    if media == "application/sparql-results+xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        root = ET.fromstring(r.content)
        assert len(root.find(f"{ns}results").findall(f"{ns}result")) == 12


def test_format_parameter_overrides_accept(client):
    r = client.get("/sparql", params={"query": PLANS, "format": "csv"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("text/csv")


def test_ask(client):
    yes = client.get("/sparql", params={"query": "ASK { ?t a gk:Task }"})
    assert yes.json() == {"head": {}, "boolean": True}
    no = client.get("/sparql", params={"query": "ASK { ?t a gk:Nothing }", "format": "xml"})
    assert b"<boolean>false</boolean>" in no.content


@pytest.mark.parametrize("accept,parse_as", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                             ("application/ld+json", "json-ld"),
                                             ("application/rdf+xml", "xml")])
def test_construct_formats(client, accept, parse_as):
    q = "CONSTRUCT { ?p gk:docNumber ?d } WHERE { ?p a gk:Plan ; gk:docNumber ?d }"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == accept
    g = Graph().parse(data=r.content, format=parse_as)
    assert len(g) == 12


def test_describe_answers_rdf(client):
    r = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/gazettekg/id/plan/xuzheng-2020-7>"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert "许政〔2020〕7号" in r.text


def test_not_acceptable(client):
    assert_error(client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"}),
                 406, "not acceptable")
    assert_error(client.get("/sparql", params={"query": PLANS, "format": "turtle"}), 406)


def test_protocol_dataset_applies(client):
    # the sample lives in the default graph; naming an (empty) graph as default empties it
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/g"})
    assert r.json()["boolean"] is False


# --- read-only and closed --------------------------------------------------------------------

@pytest.mark.parametrize("update", ["INSERT DATA { <a:b> <a:c> 1 }", "LOAD <http://example.org/data.ttl>",
                                    "PREFIX ex: <http://e/> CLEAR ALL", "delete where { ?s ?p ?o }",
                                    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_updates_are_refused(client, update):
    assert_error(client.get("/sparql", params={"query": update}), 403, "read-only")
    assert_error(client.post("/sparql", data={"update": update}), 403, "read-only")
    assert_error(client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
                 403, "read-only")


def test_service_is_refused_and_nothing_connects_out(client):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        for q in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ ?x ?y ?z . sErViCe SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"):
            err = assert_error(client.get("/sparql", params={"query": q}), 403, "federated")
            assert "SERVICE" in err["detail"]
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }',
    "SELECT ?service WHERE { BIND(1 AS ?service) }  # SERVICE in a comment",
    "SELECT ?x WHERE { BIND(<http://example.org/SERVICE> AS ?x) }",
    "PREFIX service: <http://example.org/> SELECT ?x WHERE { BIND(service:x AS ?x) }",
    "SELECT ?x WHERE { BIND('''multi\nSERVICE line''' AS ?x) }",
])
def test_service_in_literals_names_and_comments_is_not_refused(client, query):
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_worker_cannot_connect_out_even_without_the_guard(sample_store):
    """Defence in depth: a worker, asked directly, has no network to reach anything."""
    pool = WorkerPool(sample_store.data, size=1, isolate_network=True)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    try:
        pool.start()
        if not pool.stats.isolated:
            pytest.skip("this OS does not let the worker enter its own network namespace")
        job = {"sparql": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/> {{ ?s ?p ?o }} }}",
               "format": "json", "row_limit": 10}
        with pytest.raises(QueryFailed):
            pool.run(job, time_limit=20)
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
        pool.close()


# --- malformed requests ----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p", "SELEKT * {}", "SELECT * WHERE { ?s ?p ?o } }",
                                   "ASK { FILTER( }", "\x00\x01", "SELECT * WHERE { ?s <bad iri> ?o }",
                                   "PREFIX : <x> SELECT ?x WHERE { ?x :p ?y ) }", "SELECT ?x {" * 50])
def test_malformed_queries_get_400_with_position(client, query):
    err = assert_error(client.get("/sparql", params={"query": query}), 400)
    assert err["detail"]


def test_syntax_error_names_line_and_column(client):
    err = assert_error(client.get("/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"}), 400, "syntax")
    assert "error at 2:" in err["detail"] and err["hint"].startswith("check line 2, column")


def test_unknown_prefix_is_named(client):
    err = assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:p ?o }"}), 400)
    assert "Prefix not found" in err["detail"]


def test_engine_evaluation_errors_are_400(sample_store, monkeypatch):
    with make_client(sample_store) as c:
        def fails(*args, **kwargs):
            raise QueryFailed("evaluation", "The store is broken in a way the engine reports")
        monkeypatch.setattr(c.app.state.pool, "run", fails)
        err = assert_error(c.get("/sparql", params={"query": "ASK {}"}), 400, "could not be evaluated")
        assert err["detail"] == "The store is broken in a way the engine reports"


@pytest.mark.parametrize("kwargs,status", [
    ({"params": {"query": "   "}}, 400),
    ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
])
def test_bad_get_requests(client, kwargs, status):
    assert_error(client.get("/sparql", **kwargs), status)


def test_browser_without_query_is_sent_to_the_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.mark.parametrize("content,headers,status", [
    (b"ASK {}", {"Content-Type": "text/plain"}, 415),
    (b"ASK {}", {}, 415),
    ("ASK {}".encode("utf-16"), {"Content-Type": "application/sparql-query; charset=UTF-16"}, 415),
    (b"ASK { \xff }", {"Content-Type": "application/sparql-query"}, 400),
    (b"query=%FF", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
])
def test_bad_post_requests(client, content, headers, status):
    assert_error(client.post("/sparql", content=content, headers=headers), status)


def test_direct_post_with_query_in_url_is_refused(client):
    assert_error(client.post("/sparql?query=ASK%7B%7D", content=b"ASK {}",
                             headers={"Content-Type": "application/sparql-query"}), 400, "twice")


def test_other_methods_are_405(client):
    assert_error(client.put("/sparql", content=b"ASK {}"), 405)
    assert_error(client.delete("/sparql"), 405)


# --- limits --------------------------------------------------------------------------------

def test_row_cap_is_stated(sample_store):
    with make_client(sample_store, row_limit=5) as c:
        r = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a gk:Task }"})
        assert len(r.json()["results"]["bindings"]) == 5
        assert r.json()["truncated"] is True and r.json()["rowLimit"] == 5
        assert r.headers["x-gazettekg-truncated"] == "true" and r.headers["x-gazettekg-row-limit"] == "5"
        exact = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a gk:Task } LIMIT 5"})
        assert exact.json()["truncated"] is False
        g = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a gk:Task }", "format": "nt"})
        assert len(g.text.strip().splitlines()) == 5 and g.headers["x-gazettekg-truncated"] == "true"
        xml = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a gk:Task }", "format": "xml"})
        assert xml.headers["x-gazettekg-truncated"] == "true" and b"truncated" in xml.content


def test_request_size_caps(sample_store):
    with make_client(sample_store, max_request_bytes=2048) as c:
        big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3000
        assert_error(c.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}),
                     413, "too large")

        def chunks():  # no Content-Length: the cap must hold while the body streams
            for _ in range(4):
                yield b"#" + b"x" * 1000
        assert_error(c.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}),
                     413)
        assert_error(c.get("/sparql", params={"query": big}), 414)
        assert c.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}).status_code == 200


def test_timeout_kills_the_worker_and_health_stays_fast(sample_store):
    limit = 1.5
    with make_client(sample_store, time_limit=limit, workers=2) as c:
        pool = c.app.state.pool
        before = set(pool.pids())
        assert len(before) == 2
        outcome = {}

        def slow():
            t0 = time.monotonic()
            outcome["response"] = c.get("/sparql", params={"query": SLOW})
            outcome["elapsed"] = time.monotonic() - t0

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.3)
        health_times = []
        while thread.is_alive():
            t0 = time.monotonic()
            assert c.get("/health").status_code == 200
            health_times.append(time.monotonic() - t0)
            time.sleep(0.05)
        thread.join()
        r = outcome["response"]
        err = assert_error(r, 503, "timed out")
        assert r.headers["retry-after"] == "5" and f"limit {limit:g} s" in err["detail"]
        assert limit <= outcome["elapsed"] < limit + 1.5
        # /health never waits for the running query (that would take ~limit s); the bound is loose
        # because it is a behaviour check, not a latency measurement (bench/load.py measures that)
        assert len(health_times) >= 5 and max(health_times) < limit / 3, health_times

        killed = before - set(pool.pids())
        assert len(killed) == 1
        pid = killed.pop()
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE

        deadline = time.monotonic() + 20
        while c.get("/health").json()["workers"]["idle"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        health = c.get("/health").json()["workers"]
        assert health["idle"] == 2 and health["timeouts"] == 1 and health["started"] == 3
        busy = [psutil.Process(p).cpu_percent(interval=None) for p in pool.pids()]
        time.sleep(0.5)
        busy = [psutil.Process(p).cpu_percent(interval=None) for p in pool.pids()]
        assert max(busy) < 30, busy  # nothing still burning CPU
        assert c.get("/sparql", params={"query": "ASK { ?t a gk:Task }"}).json()["boolean"] is True


def test_errors_never_leak_a_traceback(sample_store, monkeypatch):
    with make_client(sample_store) as c:
        c_raw = TestClient(c.app, raise_server_exceptions=False)

        def boom(*args, **kwargs):
            raise RuntimeError("secret internals /etc/passwd")
        monkeypatch.setattr(c.app.state.pool, "run", boom)
        r = c_raw.get("/sparql", params={"query": "ASK {}"})
        err = assert_error(r, 500, "internal")
        assert "secret" not in r.text and "RuntimeError" not in r.text
