"""Every route that reads the store obeys the service's limits (issue 15.3): the workbench
routes (/tasks facets, /findings, /charts data, /api/search, /source, the library's name
suggestions) once computed in the server process with no time limit (7.9 s and 11.8 s for
the first /tasks and /findings on a 40-issue store), no row cap and no cancellation. Now
they run in the query workers like /sparql; and a client that goes away stops its job on
every route, /sparql included (it used to keep its worker busy until the time limit)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

GAZETTEKG = Path(sys.executable).with_name("gazettekg")
GK = "https://w3id.org/gazettekg/ontology#"
ID = "https://w3id.org/gazettekg/id/"
TASK = f"{ID}task/xuzheng-2020-7/2-2-3"

WORKBENCH = ["/tasks", "/tasks.json", "/tasks.csv?lead=x", "/findings", "/findings.json?kind=duplicate",
             "/findings.csv", "/charts/deadlines.json", "/api/search?q=生态环境局", f"/source?iri={TASK}",
             "/source/xuchang-gazette-2020-02?line=40", "/api/queries/unit_tasks?unit=市环保",
             "/graph/overview.json", "/api/conflicts"]
# /source?iri= is one indexed LIMIT 1 look-up: a worker answers it within the 1 ms a poll can wait
TIMED = [r for r in WORKBENCH if not r.startswith("/source?")]


def test_every_route_reading_the_store_has_the_time_limit(cli_store):
    """A limit far below what any of them needs: each answers 503 'Query timed out' (the
    worker killed), none computes to the end in the server process."""
    # 0.1 ms: less than a worker needs to read a job and answer it, even from an index
    app = create_app(Settings.from_env({}, store=cli_store.path, time_limit=0.0001, workers=1))
    with TestClient(app) as c:
        for route in TIMED:
            deadline = time.monotonic() + 60
            while True:
                r = c.get(route, follow_redirects=False)
                assert r.status_code == 503, (route, r.status_code, r.text[:200])
                # a fresh worker still computing the workbench tables says so at once; ask again
                if r.json()["error"]["title"] != "Warming up" or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert r.json()["error"]["title"] == "Query timed out" and r.headers["retry-after"], route
        assert app.state.pool.stats.timeouts == len(TIMED)


def test_the_same_routes_answer_within_a_normal_limit(cli_store):
    with TestClient(create_app(Settings.from_env({}, store=cli_store.path, workers=1))) as c:
        for route in WORKBENCH:
            r = c.get(route, follow_redirects=False)
            assert r.status_code in (200, 303), (route, r.status_code, r.text[:200])


def test_workbench_lists_are_cut_at_the_row_limit(sample_store):
    with TestClient(create_app(Settings.from_env({}, store=sample_store.path, workers=1, row_limit=5))) as c:
        full = c.get("/tasks.json").json()
        assert full["count"] > 5 and len(full["tasks"]) == 5 and full["truncated"] is True
        r = c.get("/tasks.csv")
        assert r.headers["x-gazettekg-truncated"] == "true" and len(r.text.strip().splitlines()) == 1 + 5
        found = c.get("/findings.json").json()
        assert found["count"] > 5 and len(found["findings"]) == 5 and found["truncated"] is True
        deadlines = c.get("/charts/deadlines.json").json()
        assert deadlines["count"] > 5 and len(deadlines["items"]) == 5 and deadlines["truncated"] is True
        conflicts = c.get("/api/conflicts").json()
        assert len(conflicts["conflicts"]) <= 5
        # the page still shows every page's rows: it asks for its own 100 (here: the cap, 5)
        page = c.get("/tasks").text
        assert f'<span id="task-count">{full["count"]}</span>' in page


# --- a store large enough that /tasks takes seconds, served by `gazettekg serve` ----------

def big_ntriples(tasks: int) -> bytes:
    """`tasks` tasks in plans of 1,000, with a lead unit, two topics and a label each."""
    out = []
    for i in range(tasks):
        t = f"<{ID}task/big-{i // 1000}/{i}>"
        out += [f"{t} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GK}Task> .",
                f"{t} <{GK}inPlan> <{ID}plan/big-{i // 1000}> .",
                f"{t} <{GK}leadUnit> <{ID}unit/u{i % 97}> .",
                f"{t} <{GK}hasTopic> <{ID}topic/t{i % 31}> .",
                f"{t} <{GK}hasTopic> <{ID}topic/t{(i * 7) % 31}> .",
                f'{t} <http://www.w3.org/2000/01/rdf-schema#label> "任务 {i}" .']
    return ("\n".join(out) + "\n").encode()


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    from queries.engines import publish
    path = tmp_path_factory.mktemp("big") / "store"
    publish(big_ntriples(40_000), path, {"inputs": ["big"]})
    return path


def _serve(store: Path, **settings):
    env = {**os.environ, "GAZETTEKG_WORKERS": "1", **{f"GAZETTEKG_{k.upper()}": str(v) for k, v in settings.items()}}
    proc = subprocess.Popen([str(GAZETTEKG), "serve", "--store", str(store), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    base = proc.stdout.readline().split(" at ", 1)[1].split()[0]
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


def _health_polls(base: str, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        t0 = time.monotonic()
        assert httpx.get(base + "health", timeout=5).status_code == 200
        out.append(time.monotonic() - t0)
        time.sleep(0.1)


def test_a_slow_workbench_route_times_out_and_health_stays_quick(big_store):
    """/tasks on 40,000 tasks needs seconds; with a 1 s limit it answers 503 within it."""
    proc, base = _serve(big_store, time_limit=1)
    try:
        stop, polls = threading.Event(), []
        poller = threading.Thread(target=_health_polls, args=(base, stop, polls), daemon=True)
        poller.start()
        t0 = time.monotonic()
        r = httpx.get(base + "tasks", timeout=60)
        took = time.monotonic() - t0
        stop.set()
        poller.join(10)
        print(f"/tasks on 40,000 tasks with a 1 s limit: {r.status_code} after {took:.2f} s; "
              f"/health {len(polls)} polls, max {max(polls) * 1000:.0f} ms")
        # stopped at the limit, or (the worker still computing the tables it caches, from its
        # start) told so within it: either way a clear 503 in time, never an answer after seconds
        assert r.status_code == 503 and r.json()["error"]["title"] in ("Query timed out", "Warming up")
        assert took < 3
        assert polls and max(polls) < 0.5
    finally:
        _stop(proc)


def _request_then_hang_up(base: str, path: str, after: float) -> None:
    """Send GET `path`, wait `after` seconds, close the connection without reading."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        time.sleep(after)


def _health(base: str) -> dict:
    return httpx.get(base + "health", timeout=5).json()


@pytest.mark.parametrize("path", ["/tasks", "/sparql?query=SELECT%20(COUNT(*)%20AS%20?n)%20WHERE%20"
                                            "%7B%20?a%20?b%20?c%20.%20?d%20?e%20?f%20.%20?g%20?h%20?i%20%7D"])
def test_a_client_that_hangs_up_frees_the_worker_at_once(big_store, path):
    """A 60 s limit; the client goes away after 1 s. The worker running its job is killed and
    replaced, and the next request is answered in about a worker's start-up, not at the limit."""
    proc, base = _serve(big_store, time_limit=60)
    try:
        _request_then_hang_up(base, path, 1.0)
        t0 = time.monotonic()
        while _health(base)["workers"].get("cancelled", 0) < 1:
            assert time.monotonic() - t0 < 3, "the job was not stopped"
            time.sleep(0.05)
        stopped = time.monotonic() - t0
        r = httpx.get(base + "api/plans", timeout=60)
        answered = time.monotonic() - t0
        print(f"{path[:8]}: job stopped {stopped:.2f} s after the client left; next query answered after "
              f"{answered:.2f} s (limit 60 s)")
        assert r.status_code == 200 and answered < 10
    finally:
        _stop(proc)


def test_sigterm_is_not_delayed_by_a_workbench_route(big_store):
    proc, base = _serve(big_store, time_limit=60)
    threading.Thread(target=lambda: httpx.get(base + "tasks", timeout=90), daemon=True).start()
    time.sleep(1)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    finally:
        _stop(proc)
    took = time.monotonic() - t0
    print(f"SIGTERM during /tasks on 40,000 tasks: exited after {took:.2f} s")
    assert took < 7  # shutdown_wait (5 s) at most, not the computation's time
