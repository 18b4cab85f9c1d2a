"""`gazettekg load`: RDF files into a new store, in parallel pieces, with file:line errors."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from gazettekg.cli import main
from kg_build.reading import InputError
from queries import bulk_load
from queries.bulk_load import load_files, pieces
from queries.engines import open_store, read_manifest
from tests.conftest import tree_digest


@pytest.fixture(scope="module")
def sample_nquads(tmp_path_factory, sample_build) -> Path:
    """The sample graph as N-Quads, its lines dealt into three named graphs."""
    from kg_build.pipeline import sorted_ntriples
    lines = sorted_ntriples(sample_build.graph).decode("utf-8").splitlines()
    out = tmp_path_factory.mktemp("nq") / "sample.nq"
    out.write_text("".join(f"{l[:-2]} <https://example.org/g{i % 3}> .\n" for i, l in enumerate(lines)),
                   encoding="utf-8")
    return out


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(bulk_load, "MIN_PIECE", 1 << 16)   # the sample is ~2 MB: cut it anyway


def quads_of(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def test_pieces_start_at_lines_and_cover_the_file(sample_nquads, small_pieces):
    cut = pieces(sample_nquads, 4)
    data = sample_nquads.read_bytes()
    assert len(cut) == 4
    assert cut[0].start == 0 and cut[-1].end == len(data)
    for a, b in zip(cut, cut[1:]):
        assert a.end == b.start and data[b.start - 1:b.start] == b"\n"


def test_parallel_load_holds_exactly_the_file(sample_nquads, small_pieces, tmp_path):
    expected = {str(q) for q in ox.parse(path=str(sample_nquads), format=ox.RdfFormat.N_QUADS)}
    store = ox.Store(str(tmp_path / "s"))
    load_files(store, [sample_nquads], threads=3)
    assert quads_of(store) == expected
    assert {g.value for g in store.named_graphs()} == {f"https://example.org/g{i}" for i in range(3)}


def test_a_bad_line_is_named_by_its_line_in_the_whole_file(sample_nquads, small_pieces, tmp_path):
    lines = sample_nquads.read_text(encoding="utf-8").splitlines(keepends=True)
    bad_at = len(lines) * 3 // 4            # in the last piece, not the first
    lines[bad_at] = lines[bad_at].replace("<https://example.org/g", "<https://example.org/ g", 1)
    bad = tmp_path / "bad.nq"
    bad.write_text("".join(lines), encoding="utf-8")
    assert len(pieces(bad, 4)) == 4
    with pytest.raises(InputError) as caught:
        load_files(ox.Store(), [bad], threads=4)
    assert caught.value.source == str(bad) and caught.value.line == bad_at + 1
    assert "N-Quads" in caught.value.message


def test_blank_nodes_keep_their_identity(tmp_path, small_pieces):
    # each load call renames blank nodes, so a file with them must not be cut
    rows = [f'_:b{i % 50} <https://example.org/p> "{i}" .\n' for i in range(20000)]
    f = tmp_path / "blank.nt"
    f.write_text("".join(rows), encoding="utf-8")
    assert len(pieces(f, 4)) == 1
    store = ox.Store()
    load_files(store, [f], threads=4)
    assert len({q.subject for q in store}) == 50


def test_unknown_format_and_missing_file_are_input_errors(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown RDF format '.csv'"):
        load_files(ox.Store(), [tmp_path / "x.csv"])
    with pytest.raises(InputError, match="no such file"):
        load_files(ox.Store(), [tmp_path / "none.nq"])


def test_cli_load_then_query(sample_nquads, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["load", str(sample_nquads), "--store", str(store), "--threads", "2"]) == 0
    assert "named graph(s) from 1 file(s)" in capsys.readouterr().out
    rows = open_store(store).query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a gk:Plan }").rows
    assert rows[0][0].value == "12"
    manifest = read_manifest(store)
    assert manifest["loaded"][0]["file"] == "sample.nq" and manifest["counts"]["graphs"] == 3


def test_cli_load_never_half_replaces_a_store(sample_nquads, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["load", str(sample_nquads), "--store", str(store)]) == 0
    before = tree_digest(store)
    assert main(["load", str(sample_nquads), "--store", str(store)]) == 2
    assert "add --replace" in capsys.readouterr().err
    bad = tmp_path / "bad.nq"
    bad.write_text(sample_nquads.read_text(encoding="utf-8") + "<a> <b> .\n", encoding="utf-8")
    assert main(["load", str(bad), "--store", str(store), "--replace"]) == 2
    assert f"{bad}:" in capsys.readouterr().err
    assert tree_digest(store) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.new-")]
