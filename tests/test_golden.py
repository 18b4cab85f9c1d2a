"""Golden files for extraction: records as JSON and graphs compared by isomorphism.

A change in extraction shows up here as a readable diff of records. When the change
is intended, regenerate with `GAZETTEKG_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and read the diff before committing it.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg_build.pipeline import read_gazette, sorted_ntriples
from kg_build.to_rdf import gazette_graph
from tests.conftest import DATA

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GAZETTEKG_UPDATE_GOLDEN") == "1"
CASES = {
    "xuchang-2020-02": None,           # the bundled sample
    "henan-provincial": DATA / "other" / "henan-provincial.txt",
    "state-council-no-docnumber": DATA / "other" / "state-council-no-docnumber.txt",
}


def _records_json(record) -> str:
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _check(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing; run with GAZETTEKG_UPDATE_GOLDEN=1 to create it")
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"extraction of {path.stem} changed; diff it against {path}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_records_match_golden(case, sample_file):
    record = read_gazette(CASES[case] or sample_file)
    _check(GOLDEN / f"{case}.records.json", _records_json(record))


@pytest.mark.parametrize("case", ["henan-provincial", "state-council-no-docnumber"])
def test_graph_isomorphic_to_golden(case):
    graph = gazette_graph(read_gazette(CASES[case]))
    path = GOLDEN / f"{case}.nt"
    if UPDATE:
        path.write_bytes(sorted_ntriples(graph))
    expected = Graph().parse(path, format="nt")
    actual = Graph().parse(data=sorted_ntriples(graph), format="nt")
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail("graph differs from golden:\n+ " + "\n+ ".join(sorted(map(str, only_actual))[:20])
                    + "\n- " + "\n- ".join(sorted(map(str, only_expected))[:20]))
