"""`gazettekg serve` as a real process on a free port, queried with SPARQLWrapper."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

GAZETTEKG = Path(sys.executable).with_name("gazettekg")


@pytest.fixture(scope="module")
def server(sample_store):
    proc = subprocess.Popen([str(GAZETTEKG), "serve", "--store", str(sample_store.path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "GAZETTEKG_TIME_LIMIT": "5"})
    try:
        line = proc.stdout.readline()
        assert " at http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        base = line.split(" at ", 1)[1].split()[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "server did not come up"
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def endpoint(base: str, query: str, fmt=JSON) -> SPARQLWrapper:
    s = SPARQLWrapper(base + "sparql")
    s.setQuery(query)
    s.setReturnFormat(fmt)
    return s


def test_select_json(server):
    base, _ = server
    res = endpoint(base, "PREFIX gk: <https://w3id.org/gazettekg/ontology#> "
                         "SELECT ?doc WHERE { ?p a gk:Plan ; gk:docNumber ?doc } ORDER BY ?doc").queryAndConvert()
    docs = [b["doc"]["value"] for b in res["results"]["bindings"]]
    assert len(docs) == 12 and "许政〔2020〕7号" in docs


def test_ask(server):
    base, _ = server
    assert endpoint(base, "ASK { ?t a <https://w3id.org/gazettekg/ontology#Task> }").queryAndConvert()["boolean"] is True
    s = endpoint(base, "ASK { ?t a <https://w3id.org/gazettekg/ontology#Nothing> }")
    s.setMethod("POST")
    assert s.queryAndConvert()["boolean"] is False


def test_construct(server):
    base, _ = server
    g = endpoint(base, "CONSTRUCT { ?p <http://purl.org/dc/terms/title> ?t } WHERE "
                       "{ ?p a <https://w3id.org/gazettekg/ontology#Plan> ; <http://purl.org/dc/terms/title> ?t }",
                 TURTLE).queryAndConvert()
    from rdflib import Graph
    graph = Graph().parse(data=g, format="turtle") if isinstance(g, bytes) else g
    assert len(graph) == 12


def test_keep_alive_requests_are_not_delayed(server):
    """Nagle + delayed ACK once added ~40 ms to every keep-alive response (socket without
    IPPROTO_TCP, so asyncio left TCP_NODELAY off)."""
    base, _ = server
    with httpx.Client(base_url=base) as http:
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            assert http.get("/health").status_code == 200
            times.append(time.perf_counter() - t0)
    assert sorted(times)[15] < 0.02, times


def test_stops_with_its_workers(sample_store):
    proc = subprocess.Popen([str(GAZETTEKG), "serve", "--store", str(sample_store.path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().split(" at ", 1)[1].split()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            workers = httpx.get(base + "health", timeout=1).json()["workers"]
            if workers["idle"] == workers["size"]:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) == 2
    proc.terminate()
    proc.wait(timeout=20)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive


def test_refuses_a_missing_store(tmp_path):
    r = subprocess.run([str(GAZETTEKG), "serve", "--store", str(tmp_path / "none"), "--port", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no gazettekg store" in r.stderr and "Traceback" not in r.stderr
