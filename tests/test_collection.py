"""Whole collections: folders of gazettes, one named graph per issue, parallel and incremental
builds, bad files, and the same answers from the embedded store and other engines.

Test data: the bundled sample (许昌市人民政府公报 2020年第2期) and copies of it that the tests
write with every "2020" replaced by another year, so each copy has its own document numbers
(许政〔2021〕7号 …), dates and deadlines: a collection of distinct issues that link to each other.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from gazettekg.cli import main
from kg_build import iris
from kg_build.pipeline import ISSUE_GRAPH_PREFIX
from queries.engines import SelectResult, data_dir, open_store, read_manifest
from queries.library import load_library, run
from tests.conftest import tree_digest
from tests.test_remote import _oxigraph_binary, normal, oxigraph_server

LIBRARY = load_library()
ISSUES = {"2020/xuchang-2020-02.txt": "2020", "2021/xuchang-2021-02.txt": "2021",
          "more/2022/xuchang-2022-02.txt": "2022"}


pytestmark = pytest.mark.usefixtures("same_code")


def write_collection(folder: Path, sample_file: Path) -> Path:
    text = sample_file.read_text(encoding="utf-8")
    for name, year in ISSUES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text.replace("2020", year), encoding="utf-8")
    (folder / "README.md").write_text("not a gazette", encoding="utf-8")         # not *.txt: ignored
    (folder / ".trash").mkdir()
    (folder / ".trash" / "old.txt").write_text("hidden folder: ignored", encoding="utf-8")
    return folder


def graph_lines(store_path: Path) -> dict[str, set[bytes]]:
    """Each named graph of a published store as its set of N-Triples lines."""
    store = ox.Store.read_only(str(data_dir(store_path)))
    return {g.value: set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines())
            for g in store.named_graphs()}


def _count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0].value)


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_file):
    """The collection built in parallel (2 workers), with its N-Quads and N-Triples exports."""
    d = tmp_path_factory.mktemp("collection")
    inputs = write_collection(d / "in", sample_file)
    started = time.perf_counter()
    assert main(["build", str(inputs), "--store", str(d / "store"), "--jobs", "2",
                 "--export", str(d / "c.nq")]) == 0
    seconds = time.perf_counter() - started
    assert main(["build", str(inputs), "--store", str(d / "store"), "--export", str(d / "c.nt")]) == 0
    return {"dir": d, "inputs": inputs, "store": d / "store", "seconds": seconds}


def test_a_folder_is_searched_recursively_and_every_plan_counted(built, capsys):
    manifest = read_manifest(built["store"])
    assert [i["file"] for i in manifest["inputs"]] == sorted(ISSUES)
    assert manifest["counts"]["plans"] == 36 and manifest["counts"]["gazettes"] == 3
    store = open_store(built["store"])
    assert _count(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }") == 36
    assert _count(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a gk:Gazette }") == 3
    issue_graphs = {str(iris.issue_graph(name)) for name in ISSUES}
    assert set(graph_lines(built["store"])) == issue_graphs | {str(iris.ENTITIES_GRAPH), str(iris.LINKS_GRAPH)}
    assert str(iris.issue_graph("more/2022/xuchang-2022-02.txt")).endswith("/graph/gazette/more-2022-xuchang-2022-02")


def test_each_issue_graph_holds_its_own_plans_and_no_triple_is_in_two_graphs(built):
    graphs = graph_lines(built["store"])
    for name, year in ISSUES.items():
        own = b"\n".join(graphs[str(iris.issue_graph(name))]).decode()
        assert f"/plan/xuzheng-{year}-7>" in own
        assert all(f"/plan/xuzheng-{other}-7>" not in own for other in ISSUES.values() if other != year)
    seen = [line for lines in graphs.values() for line in lines]
    assert len(seen) == len(set(seen))                          # a union default graph counts nothing twice
    units = graphs[str(iris.ENTITIES_GRAPH)]
    assert any(b"/unit/" in line for line in units)
    assert not any(b"/unit/" in line.split(b" ")[0] for g, lines in graphs.items()
                   if g.startswith(ISSUE_GRAPH_PREFIX) for line in lines)


def test_parallel_and_serial_builds_give_identical_sorted_nquads(built, tmp_path):
    serial = tmp_path / "serial.nq"
    assert main(["build", str(built["inputs"]), "--store", str(tmp_path / "s"), "--jobs", "1",
                 "--export", str(serial)]) == 0
    parallel = (built["dir"] / "c.nq").read_bytes()
    assert serial.read_bytes() == parallel
    lines = parallel.splitlines()
    assert lines == sorted(lines) and len(lines) > 3 * 5000
    # the .nt export is the union of the graphs, and the store holds exactly those triples
    triples = {line.rsplit(b" <https://w3id.org/gazettekg/id/graph/", 1)[0] + b" ." for line in lines}
    assert set((built["dir"] / "c.nt").read_bytes().splitlines()) == triples
    assert len(open_store(built["store"])) == len(triples)


def test_rebuild_with_nothing_changed_skips_every_file_and_leaves_the_store(built, capsys):
    before = tree_digest(built["store"])
    started = time.perf_counter()
    assert main(["build", str(built["inputs"]), "--store", str(built["store"])]) == 0
    seconds = time.perf_counter() - started
    out = capsys.readouterr().out
    assert "0 extracted, 3 unchanged" in out and "nothing changed" in out
    assert tree_digest(built["store"]) == before
    assert seconds < built["seconds"] / 4, (seconds, built["seconds"])


def test_changing_one_file_replaces_only_its_graph(built, tmp_path, capsys):
    inputs, store = tmp_path / "in", tmp_path / "store"
    shutil.copytree(built["inputs"], inputs)
    shutil.copytree(built["store"], store)
    before = graph_lines(store)
    changed = inputs / "2021/xuchang-2021-02.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("加快轨道交通建设", "加快城际轨道交通建设", 1),
                       encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(inputs), "--store", str(store)]) == 0
    assert "1 extracted, 2 unchanged" in capsys.readouterr().out
    after = graph_lines(store)
    assert after.keys() == before.keys()
    for name in ("2020/xuchang-2020-02.txt", "more/2022/xuchang-2022-02.txt"):
        assert after[str(iris.issue_graph(name))] == before[str(iris.issue_graph(name))]
    graph = str(iris.issue_graph("2021/xuchang-2021-02.txt"))
    gone, new = before[graph] - after[graph], after[graph] - before[graph]
    assert gone and new and all("加快城际轨道交通建设".encode() in line for line in new if b"label" in line)
    assert len(after[graph]) == len(before[graph])
    # removing a file drops its graph
    (inputs / "2021/xuchang-2021-02.txt").unlink()
    assert main(["build", str(inputs), "--store", str(store)]) == 0
    assert graph not in graph_lines(store)
    assert _count(open_store(store), "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }") == 24


def test_changed_code_rebuilds_every_file(built, tmp_path, capsys, monkeypatch):
    from kg_build import pipeline
    store = tmp_path / "store"
    shutil.copytree(built["store"], store)
    monkeypatch.setattr(pipeline, "code_fingerprint", lambda: "another version of the extractors")
    capsys.readouterr()
    assert main(["build", str(built["inputs"]), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "36 plans" in out and "unchanged" not in out
    assert graph_lines(store) == graph_lines(built["store"])


def _with_a_bad_file(built, tmp_path) -> tuple[Path, Path, Path]:
    inputs, store = tmp_path / "in", tmp_path / "store"
    shutil.copytree(built["inputs"], inputs)
    shutil.copytree(built["store"], store)
    bad = inputs / "2021" / "notice-only.txt"
    bad.write_text("许昌市人民政府公报\n\n这一期只有一条消息，没有印发任何方案。\n", encoding="utf-8")
    changed = inputs / "2020/xuchang-2020-02.txt"        # a change that must not be published
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return inputs, store, bad


def test_a_bad_file_stops_the_build_and_keeps_the_store_byte_identical(built, tmp_path, capsys):
    inputs, store, bad = _with_a_bad_file(built, tmp_path)
    before = tree_digest(store)
    export = tmp_path / "out.nq"
    assert main(["build", str(inputs), "--store", str(store), "--jobs", "2", "--export", str(export)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(f"{bad}:1: no plan found")
    assert tree_digest(store) == before and not export.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.")]   # no staging left behind


def test_keep_going_builds_the_rest_lists_the_failure_and_exits_2(built, tmp_path, capsys):
    inputs, store, bad = _with_a_bad_file(built, tmp_path)
    assert main(["build", str(inputs), "--store", str(store), "--keep-going", "--jobs", "2"]) == 2
    captured = capsys.readouterr()
    assert f"{bad}:1: no plan found" in captured.err and "1 file(s) failed" in captured.err
    assert "36 plans" in captured.out and "1 extracted, 2 unchanged" in captured.out
    manifest = read_manifest(store)
    assert len(manifest["inputs"]) == 3 and manifest["failures"][0].startswith(f"{bad}:1:")


def test_a_plan_in_two_issues_is_an_error_naming_both(built, tmp_path, capsys):
    inputs = tmp_path / "in"
    shutil.copytree(built["inputs"], inputs)
    shutil.copy(inputs / "2020/xuchang-2020-02.txt", inputs / "2021/reprint.txt")
    assert main(["build", str(inputs), "--store", str(tmp_path / "s"), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{inputs / '2021/reprint.txt'}:29: plan 许政〔2020〕7号 is already in" in err
    assert "xuchang-2020-02.txt:29" in err and not (tmp_path / "s").exists()


def test_the_union_default_graph_answers_the_library_as_the_single_graph_did(sample_store, sample_file, tmp_path):
    """The sample as one named graph per issue + entities + links answers every library query
    exactly as the sample published in the default graph (the layout before collections)."""
    assert main(["build", str(sample_file), "--store", str(tmp_path / "s")]) == 0
    graphs = open_store(tmp_path / "s")
    for name, query in LIBRARY.items():
        params = query.example_params(with_optional=True)
        assert normal(run(graphs, name, params), query) == normal(run(sample_store, name, params), query), name


def test_the_api_serves_a_collection(built):
    from fastapi.testclient import TestClient
    from api.app import create_app
    from api.settings import Settings
    with TestClient(create_app(Settings.from_env({}, store=built["store"], time_limit=20))) as client:
        assert len(client.get("/api/plans").json()["items"]) == 36
        count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }"
        answer = client.get("/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"})
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "36"
        one = client.get("/sparql", params={"query": count, "default-graph-uri": str(iris.issue_graph(
            "2021/xuchang-2021-02.txt"))}, headers={"Accept": "application/sparql-results+json"})
        assert one.json()["results"]["bindings"][0]["n"]["value"] == "12"
        assert client.get("/health").json()["inputs"][1]["file"] == "2021/xuchang-2021-02.txt"


# --- other engines ------------------------------------------------------------------------

def rest_queries(store) -> dict[str, tuple[str, dict]]:
    """Each REST route's query with bindings the collection answers (api/rest.py)."""
    from api import rest
    first = lambda sparql: run_rows(store, sparql + " ORDER BY ?x LIMIT 1")[0][0]
    plan = first("SELECT ?x WHERE { ?x a gk:Plan ; gk:hasTarget ?t ; gk:docNumber ?d FILTER(CONTAINS(?d, '2021')) }")
    task = first("SELECT ?x WHERE { ?x gk:hasDeadline ?d ; gk:region ?r ; gk:relatedTo ?o ; gk:responsibleUnit ?u }")
    unit = run_rows(store, "SELECT ?t ?u WHERE { ?t gk:responsibleUnit ?u } ORDER BY ?u LIMIT 1", t=task)[0][1]
    issuer = first("SELECT ?x WHERE { ?p gk:issuedBy ?x }")
    return {"plans": (rest.PLANS, {}), "plan": (rest.PLAN, {"plan": plan}), "plan_tasks": (rest.PLAN_TASKS, {"plan": plan}),
            "targets": (rest.TARGETS, {"owner": plan}), "task": (rest.TASK, {"task": task}),
            "task_units": (rest.TASK_UNITS, {"task": task}), "task_deadlines": (rest.TASK_DEADLINES, {"task": task}),
            "task_links": (rest.TASK_LINKS, {"task": task}), "units": (rest.UNITS, {}), "unit": (rest.UNIT, {"unit": unit}),
            "unit_tasks": (rest.UNIT_TASKS, {"unit": unit}), "unit_plans": (rest.UNIT_PLANS, {"unit": issuer}),
            "regions": (rest.REGIONS, {}), "projects": (rest.PROJECTS, {})}


def run_rows(store, text: str, **bindings) -> list:
    result = store.query(text, bindings=bindings)
    assert isinstance(result, SelectResult)
    return result.rows


def _rows(store, text: str, bindings: dict) -> list:
    """Rows as comparable tuples; GROUP_CONCAT parts sorted (their order is undefined)."""
    cell = lambda c: "|".join(sorted(c.value.split("|"))) if c is not None and "|" in c.value else str(c)
    return sorted(tuple(cell(c) for c in row) for row in run_rows(store, text, **bindings))


def assert_same_answers(far, embedded) -> None:
    for name, query in LIBRARY.items():
        for optional in (True, False):
            params = query.example_params(with_optional=optional)
            assert normal(run(far, name, params), query) == normal(run(embedded, name, params), query), name
    for name, (text, bindings) in rest_queries(embedded).items():
        answer = _rows(embedded, text, bindings)
        assert answer, f"{name}: the collection should answer the REST route's query"
        assert _rows(far, text, bindings) == answer, name


def test_oxigraph_server_loaded_by_graph_store_protocol_answers_as_embedded(built, tmp_path, capsys):
    with oxigraph_server(tmp_path / "oxigraph") as spec:
        assert main(["build", str(built["inputs"]), "--store", spec, "--jobs", "2"]) == 0
        far, embedded = open_store(spec), open_store(built["store"])
        assert len(far) == len(embedded)
        assert_same_answers(far, embedded)
        graphs = run_rows(far, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert len(graphs) == 5
        # a rebuild without one issue deletes its graph on the server
        smaller = tmp_path / "in"
        shutil.copytree(built["inputs"], smaller)
        shutil.rmtree(smaller / "more")
        assert main(["build", str(smaller), "--store", spec]) == 0
        assert _count(far, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }") == 24
        assert len(run_rows(far, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")) == 4


def test_nquads_export_loaded_by_oxigraph_load_answers_as_embedded(built, tmp_path):
    """The documented bulk path: `oxigraph load --location DIR --file collection.nq`, then
    `oxigraph serve --location DIR --union-default-graph`."""
    location = tmp_path / "oxigraph"
    subprocess.run([_oxigraph_binary(), "load", "--location", str(location), "--file", str(built["dir"] / "c.nq")],
                   check=True, capture_output=True)
    with oxigraph_server(location) as spec:
        assert_same_answers(open_store(spec), open_store(built["store"]))


def test_sort_file_sorts_and_dedupes_in_bounded_runs(tmp_path):
    """The N-Quads export is sorted on disk: runs of a few lines here, of 500k in a build."""
    import random
    from kg_build.pipeline import sort_file
    lines = [f"<s{n % 37}> <p> \"{n % 101}\" <g{n % 3}> .\n".encode() for n in range(1000)]
    random.Random(7).shuffle(lines)
    source, target = tmp_path / "in.nq", tmp_path / "out.nq"
    source.write_bytes(b"".join(lines) + b"\n")
    sort_file(source, target, run=13)
    assert target.read_bytes().splitlines(keepends=True) == sorted(set(lines))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.nq", "out.nq"]     # no run file left
