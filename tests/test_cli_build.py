"""`gazettekg build`, `validate` and `query` as a researcher runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gazettekg.cli import main
from queries.engines import read_manifest
from tests.conftest import tree_digest


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, sample_file):
    d = tmp_path_factory.mktemp("cli")
    store, export = d / "store", d / "graph.nt"
    assert main(["build", str(sample_file), "--store", str(store), "--export", str(export)]) == 0
    return store, export


def test_build_prints_what_it_built(built_store, capsys, tmp_path, sample_file):
    assert main(["build", str(sample_file), "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "12 plans" in out and "tasks" in out and "targets" in out and "deadlines" in out
    assert "0 violations" in out


def test_export_and_store_hold_the_same_graph(built_store):
    from queries.engines import open_store
    store, export = built_store
    triples = [l for l in export.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(open_store(store)) == len(triples)
    assert read_manifest(store)["inputs"][0]["file"] == "xuchang-gazette-2020-02.txt"


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "noplan.txt").write_text("许昌市人民政府公报\n\n这一期只有一条消息，没有印发任何方案。\n", encoding="utf-8")
    return {"empty": tmp_path / "empty.txt", "binary": tmp_path / "binary.txt",
            "noplan": tmp_path / "noplan.txt", "missing": tmp_path / "does-not-exist.txt"}


@pytest.mark.parametrize("kind", ["empty", "binary", "noplan", "missing"])
def test_bad_input_exits_2_names_file_and_line_and_keeps_the_store(kind, built_store, tmp_path, capsys):
    store, _ = built_store
    before = tree_digest(store)
    bad = _bad_inputs(tmp_path)[kind]
    export = tmp_path / "out.nt"
    assert main(["build", str(bad), "--store", str(store), "--export", str(export)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{bad}:"), err
    line = err[len(str(bad)) + 1:].split(":", 1)[0]
    assert line.isdigit(), err
    assert not export.exists()
    assert tree_digest(store) == before


def test_a_bad_file_among_good_ones_publishes_nothing(built_store, tmp_path, sample_file):
    store, _ = built_store
    before = tree_digest(store)
    assert main(["build", str(sample_file), str(_bad_inputs(tmp_path)["noplan"]), "--store", str(store)]) == 2
    assert tree_digest(store) == before


def test_two_builds_give_identical_sorted_ntriples(tmp_path, sample_file):
    """Separate processes with different hash seeds: no set or dict order leaks into the output."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.nt"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "gazettekg", "build", str(sample_file), "--store",
                        str(tmp_path / f"s{seed}"), "--export", str(out)], check=True, env=env,
                       capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].splitlines() == sorted(outs[0].splitlines())


def test_validate_store_conforms_and_reports_warnings(built_store, capsys):
    store, _ = built_store
    assert main(["validate", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Warning" in out and "line" in out and "Task has no stated unit" in out


def test_validate_reports_a_violation_with_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
        @prefix gk: <https://w3id.org/gazettekg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/gazettekg/id/target/x/1> a gk:Target ; gk:comparator gk:AtLeast ;
            gk:sourceLine "12"^^xsd:integer .
    """, encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "Violation" in out and "gk:value" in out and "12" in out


def test_validate_unparsable_rdf_is_an_error(tmp_path, capsys):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix gk: <x> .\n<a> gk:b", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err


def test_query_answers_from_the_store(built_store, capsys):
    store, _ = built_store
    q = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }"
    assert main(["query", q, "--store", str(store), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "12"


def test_query_binds_parameters_as_literals(built_store, capsys):
    store, _ = built_store
    q = "SELECT ?plan ?doc WHERE { ?plan gk:docNumber ?doc }"
    assert main(["query", q, "--param", "doc=许政〔2020〕9号", "--store", str(store), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["https://w3id.org/gazettekg/id/plan/xuzheng-2020-9,许政〔2020〕9号"]


def test_query_syntax_error_is_reported_not_raised(built_store, capsys):
    store, _ = built_store
    assert main(["query", "SELEC ?x WHERE {", "--store", str(store)]) == 2
    assert "gazettekg:" in capsys.readouterr().err


def test_query_without_store_says_how_to_build(tmp_path, capsys):
    assert main(["query", "ASK {}", "--store", str(tmp_path / "none")]) == 2
    assert "gazettekg build" in capsys.readouterr().err
