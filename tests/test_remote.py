"""The remote engine against a real SPARQL endpoint: the `oxigraph` server binary (PyPI
package `oxigraph`, in the `test` extra), started on 127.0.0.1 with a free port and a
temporary directory, loaded by `gazettekg build --store sparql+http://…`, stopped after.

Every library query must give the same answer on the remote endpoint as on the embedded
store: that is what makes the VALUES binding equivalent to Oxigraph's substitutions.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from gazettekg.cli import main
from queries.engines import AskResult, GraphResult, SelectResult, StoreError, open_store
from queries.library import load_library, run
from queries.remote import Endpoints, RemoteStore
from queries.sparql_text import with_values

LIBRARY = load_library()


def _oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail("the `oxigraph` server binary is missing: pip install -e '.[test]'")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oxigraph_server(location: Path):
    """An Oxigraph server on `location`, on a free port; yields its store spec.

    --union-default-graph: gazettekg loads one named graph per issue and queries read their
    union, as the embedded store does (docs/ENGINES.md)."""
    port = _free_port()
    process = subprocess.Popen([_oxigraph_binary(), "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph server did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    try:
        yield f"sparql+http://127.0.0.1:{port}/query"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running Oxigraph server; yields its store spec."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as spec:
        yield spec


@pytest.fixture(scope="module")
def remote(server):
    assert main(["build", "--store", server]) == 0
    store = open_store(server)
    assert isinstance(store, RemoteStore)
    return store


_CONCAT = re.compile(r'GROUP_CONCAT\((?:DISTINCT )?[^;]*; separator="([^"]+)"\) AS \?(\w+)\)')


def normal(result, query):
    """Results comparable across engines: rows as term tuples, graphs as triple sets.
    GROUP_CONCAT's order is undefined in SPARQL, so its cells compare as sorted parts."""
    if isinstance(result, SelectResult):
        concat = {name: sep for sep, name in _CONCAT.findall(query.text)}
        def cell(name, term):
            if name in concat and term is not None:
                return tuple(sorted(term.value.split(concat[name])))
            return term
        return result.variables, [tuple(cell(n, t) for n, t in zip(result.variables, row)) for row in result.rows]
    if isinstance(result, GraphResult):
        return {(t.subject, t.predicate, t.object) for t in result.triples}
    return result


def test_remote_holds_the_sample(remote, sample_store):
    assert len(remote) == len(sample_store) > 5000
    dumped = list(ox.parse(remote.dump_ntriples(), format=ox.RdfFormat.N_TRIPLES))
    assert len(dumped) == len(sample_store)


# every query with all its example parameters, and again without the optional ones
CASES = [(name, True) for name in LIBRARY] + [(n, False) for n, q in LIBRARY.items() if any(p.optional for p in q.params)]


@pytest.mark.parametrize("name, with_optional", CASES, ids=[f"{n}-{'all' if o else 'required'}" for n, o in CASES])
def test_engines_agree(name, with_optional, remote, sample_store):
    query = LIBRARY[name]
    params = query.example_params(with_optional=with_optional)
    embedded, far = run(sample_store, name, params), run(remote, name, params)
    assert type(embedded) is type(far)
    assert normal(far, query) == normal(embedded, query)
    if isinstance(embedded, SelectResult) and name not in ("conflicts",):
        assert embedded.rows, f"{name}: the example parameters should find something in the sample"


@pytest.mark.parametrize("value", ['" } ; DROP ALL ; #', "') } UNION { ?s ?p ?o } #", "\\u0022 } #",
                                   '"""\n} ; CLEAR DEFAULT', "市发改委\" . ?u ?p ?o . #"])
def test_injection_stays_a_literal_remotely(remote, value):
    before = len(remote)
    assert run(remote, "unit_known", {"unit": value}) == AskResult(False)
    assert run(remote, "keyword_tasks", {"keyword": value}).rows == []
    assert len(remote) == before


def test_cli_query_on_remote(remote, server, sample_store, capsys):
    args = ["query", "unit_tasks", "--param", "unit=市生态环境局", "--format", "csv"]
    capsys.readouterr()
    assert main(args + ["--store", server]) == 0
    far = capsys.readouterr().out
    assert main(args + ["--store", str(sample_store.path)]) == 0
    assert far == capsys.readouterr().out and far.count("\n") > 20


def test_bad_query_and_dead_server(remote):
    with pytest.raises(SyntaxError):
        remote.query("SELECT WHERE {")
    with pytest.raises(StoreError, match="not a read query"):
        remote.query("DELETE WHERE { ?s ?p ?o }")
    dead = RemoteStore.from_spec(f"sparql+http://127.0.0.1:{_free_port()}/query", timeout=2)
    with pytest.raises(StoreError):
        dead.query("ASK {}")


@pytest.mark.parametrize("spec, expected", [
    ("sparql+http://127.0.0.1:7878/query", ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/store")),
    ("sparql+https://kg.example.org/sparql", ("https://kg.example.org/sparql", "https://kg.example.org/store")),
    ("sparql+http://h:3030/ds/query#gsp=http://h:3030/ds/data", ("http://h:3030/ds/query", "http://h:3030/ds/data")),
])
def test_endpoints_from_spec(spec, expected):
    e = Endpoints.from_spec(spec)
    assert (e.query_url, e.store_url) == expected


@pytest.mark.parametrize("spec", ["sparql+http://h/ds", "sparql+http:///query", "sparql+http://h/query#store=x",
                                  "http://h/query"])
def test_bad_specs(spec):
    with pytest.raises(StoreError):
        Endpoints.from_spec(spec)


LIT = ox.Literal("x")


@pytest.mark.parametrize("query, expected", [
    ("SELECT ?v WHERE { ?s ?p ?v }", 'SELECT ?v WHERE {\n  VALUES (?v) { ("x") }\n ?s ?p ?v }'),
    ("SELECT * { { SELECT ?v WHERE { ?s ?p ?v } } }", 'SELECT * {\n  VALUES (?v) { ("x") }\n { SELECT ?v WHERE'),
    ("CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?v }", 'CONSTRUCT { ?s ?p ?v } WHERE {\n  VALUES'),
    ('PREFIX a: <http://x/WHERE/>\n# WHERE { in a comment\nASK { ?s ?p "{WHERE}" }', 'ASK {\n  VALUES'),
    ("select ?where where { ?where ?p ?v }", "select ?where where {\n  VALUES"),
])
def test_values_open_the_outermost_group(query, expected):
    assert expected in with_values(query, {"v": LIT})


def test_values_refuse_a_bad_variable_name():
    with pytest.raises(ValueError, match="not a variable name"):
        with_values("SELECT ?v WHERE { ?s ?p ?v }", {"v) {} } ; DROP ALL #": LIT})


def test_values_need_a_group():
    with pytest.raises(ValueError, match="no WHERE group"):
        with_values("DESCRIBE <http://x>", {"v": LIT})
