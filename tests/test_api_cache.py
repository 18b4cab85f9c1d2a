"""The endpoint's hot path under load (issue 14.6): answers cached per store version, one
worker job for identical service requests that arrive together, the guard's verdict kept
per text, and the library's own texts spared the rdflib parse. Latency itself is measured by
bench/load.py --compare, not here: these tests check that the shortcuts give the same answers."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api import guard, runner
from api.app import create_app
from api.errors import ApiError
from api.settings import Settings
from api.worker import WorkerPool, _library_texts
from queries.engines import publish
from queries.library import load_library

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(sample_store):
    with TestClient(create_app(Settings.from_env({}, store=sample_store.path))) as c:
        yield c


def hits(c) -> int:
    return c.get("/health").json()["cache"]["hits"]


@pytest.mark.parametrize("url, params", [
    ("/api/queries/plan_tasks", {"plan": "许政〔2020〕10号"}),
    ("/sparql", {"query": "SELECT ?p WHERE { ?p a gk:Plan } ORDER BY ?p"}),
    ("/api/plans", {}),
])
def test_a_cached_answer_is_byte_identical_to_the_first(client, url, params):
    first = client.get(url, params=params)
    before = hits(client)
    second = client.get(url, params=params)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert dict(second.headers) == dict(first.headers)  # rows, cap, elapsed, security headers alike
    assert hits(client) == before + 1


def test_errors_are_never_cached(client):
    bad = {"query": "SELECT ?x WHERE { ?x ?y }"}
    before = hits(client)
    for _ in range(2):
        r = client.get("/sparql", params=bad)
        assert r.status_code == 400 and r.json()["error"]["title"] == "SPARQL syntax error"
    assert hits(client) == before


def test_identical_service_requests_at_once_run_one_worker_job(sample_store):
    app = create_app(Settings.from_env({}, store=sample_store.path, workers=2))
    with TestClient(app) as c:  # one event loop: the requests below really overlap
        pool = app.state.pool
        real, jobs = pool.run, []

        def slow_run(job, **kw):
            jobs.append(job)
            time.sleep(0.5)  # hold the job, so every other request arrives while it runs
            return real(job, **kw)

        pool.run = slow_run
        url = "/api/queries/region_tasks?region=禹州市"
        answers = []

        def ask():
            r = c.get(url)
            answers.append((r.status_code, r.content))

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(jobs) == 1
        assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][0] == 200


def test_a_shared_error_reaches_every_waiter_and_is_not_cached(sample_store):
    app = create_app(Settings.from_env({}, store=sample_store.path, workers=2))
    with TestClient(app) as c:
        pool, calls = app.state.pool, []

        def failing_run(job, **kw):
            calls.append(job)
            time.sleep(0.5)
            raise ApiError(503, "Server busy", "made up for the test")

        pool.run = failing_run
        statuses = []
        threads = [threading.Thread(target=lambda: statuses.append(c.get("/api/plans").status_code))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [503] * 4 and len(calls) == 1
        assert c.get("/api/plans").status_code == 503 and len(calls) == 2  # not cached: asked again


def test_a_new_store_version_never_gets_the_old_answer(tmp_path):
    store = tmp_path / "store"
    triple = '<https://example.org/s{0}> <https://example.org/p> "{0}" .\n'
    publish("".join(triple.format(i) for i in range(3)).encode(), store, {"inputs": ["three"]})
    app = create_app(Settings.from_env({}, store=store, workers=1))
    with TestClient(app) as c:
        def count() -> int:
            r = c.get("/sparql", params={"query": COUNT})
            assert r.status_code == 200, r.text
            return int(r.json()["results"]["bindings"][0]["n"]["value"])

        first = c.get("/health").json()["version"]
        assert count() == count() == 3 and hits(c) == 1
        publish("".join(triple.format(i) for i in range(5)).encode(), store, {"inputs": ["five"]})
        deadline = time.monotonic() + 60
        while c.get("/health").json()["version"] == first:
            assert time.monotonic() < deadline, "the pool did not move to the new version"
            time.sleep(0.1)
        assert count() == 5


def test_an_answer_is_tagged_with_the_version_that_computed_it(tmp_path):
    """A query still running on the old version when the pool switches is cached under the old
    version, not the new one (it would otherwise be served for the whole new version)."""
    store = tmp_path / "store"
    publish(b'<https://example.org/a> <https://example.org/p> "1" .\n', store, {"inputs": ["one"]})
    pool = WorkerPool(store, size=1, isolate_network=False)
    pool.start()
    try:
        old = pool.version
        worker = next(iter(pool._live.values()))
        os.kill(worker.pid, signal.SIGSTOP)  # the job waits inside the old worker
        replies = []
        job = {"sparql": COUNT, "bindings": {}, "format": "json", "row_limit": 10}
        running = threading.Thread(target=lambda: replies.append(pool.run(job, time_limit=60)))
        running.start()
        publish(b'<https://example.org/b> <https://example.org/p> "2" .\n', store, {"inputs": ["two"]})
        deadline = time.monotonic() + 60
        while pool.version == old:
            assert time.monotonic() < deadline, "the pool did not move to the new version"
            pool.check_version()
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGCONT)
        running.join(timeout=30)
        assert replies and replies[0]["version"] == old != pool.version
    finally:
        pool.close()


def test_an_accepted_text_is_checked_once_and_a_refused_one_every_time(monkeypatch):
    scans = []
    real = guard.nesting_depth
    monkeypatch.setattr(guard, "nesting_depth", lambda text: scans.append(text) or real(text))
    text = "SELECT * WHERE { ?s ?p 'memo test' }"
    assert runner.check_query(text) == runner.check_query(text)
    assert scans.count(text) == 1
    update = "INSERT DATA { <a:b> <a:c> 'memo test' }"
    for _ in range(2):
        with pytest.raises(ApiError) as refused:
            runner.check_query(update)
        assert refused.value.status == 403
    assert scans.count(update) == 2
    long = text + "#" + "x" * (20 * 1024)  # too long to keep: checked each time
    runner.check_query(long)
    runner.check_query(long)
    assert scans.count(long) == 2


def test_the_library_texts_skipped_by_the_worker_parse_are_service_and_lint_free():
    texts = _library_texts()
    assert texts == {q.text for q in load_library().values()} and len(texts) >= 20
    guard.review.cache_clear()
    assert all(guard.review(t) == (False, None) for t in texts)     # no SERVICE, no typo'd cross product


def test_a_service_query_is_still_refused(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE:x { ?s ?p ?o } }"})
    assert r.status_code == 403


def test_only_text_that_could_spell_service_pays_for_the_parse(monkeypatch):
    import rdflib.plugins.sparql.parser as parser
    parsed = []
    real = parser.parseQuery
    monkeypatch.setattr(parser, "parseQuery", lambda text: parsed.append(text) or real(text))
    guard.review.cache_clear()
    plain = "SELECT ?task WHERE { ?task a gk:Task ; rdfs:label 'x' } LIMIT 3"
    assert guard.service_in_parse(plain) is False and parsed == []
    in_a_string = "SELECT * WHERE { ?s ?p 'the service desk' }"
    assert guard.service_in_parse(in_a_string) is False and parsed == [in_a_string]
    for spelled in ("SELECT * WHERE { sErViCe <http://127.0.0.1:9/> { ?s ?p ?o } }",
                    r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        assert guard.service_in_parse(spelled) is True and parsed[-1] == spelled


def test_users_sending_one_text_at_once_share_a_run_and_each_stays_under_fair_use(sample_store):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    app = create_app(Settings.from_env({}, store=sample_store.path, workers=2, time_limit=3, slow_after=0.3))
    with TestClient(app) as c:
        a, b = (TestClient(app, client=(ip, 4000)) for ip in ("10.0.0.1", "10.0.0.2"))
        statuses = {}
        first = threading.Thread(target=lambda: statuses.update(a=a.get("/sparql", params={"query": slow})))
        first.start()
        time.sleep(0.3)
        second = threading.Thread(target=lambda: statuses.update(b=b.get("/sparql", params={"query": slow})))
        second.start()
        time.sleep(1.0)  # the shared run has had a worker for more than slow_after
        # b waits for a's run of its text: b has a slow query running, so its next one is refused
        assert b.get("/sparql", params={"query": "ASK { ?s ?p 'b next' }"}).status_code == 429
        first.join()
        second.join()
        assert statuses["a"].status_code == statuses["b"].status_code == 503  # both stopped at the limit
        assert statuses["a"].content == statuses["b"].content
        assert app.state.pool.stats.timeouts == 1  # one run, one worker killed
        r = b.get("/sparql", params={"query": "ASK { ?s ?p 'b after' }"})
        assert r.status_code == 200, r.text  # its query is over: b is welcome again
