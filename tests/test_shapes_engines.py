"""pyshacl-turbo (the default engine) against pySHACL (the reference): the same report.

kg_build.validation runs pyshacl-turbo because pySHACL takes seconds on one issue. The
reference decides: every finding — severity, focus, line, path, value, shape and message —
must be the same on the bundled sample and on each hand-written case of test_shapes.py.
"""
from __future__ import annotations

import pytest

from kg_build.validation import ENGINES, validate
from tests.test_shapes import CASES, good, mutated


def _same(graph) -> None:
    turbo, reference = validate(graph, engine="turbo"), validate(graph, engine="pyshacl")
    assert turbo.to_dict() == reference.to_dict()


def test_engines_agree_on_the_sample(sample_build):
    report = validate(sample_build.graph, engine="pyshacl")
    assert report.findings, "the sample has warnings to compare"
    assert validate(sample_build.graph, engine="turbo").to_dict() == report.to_dict()


def test_engines_agree_on_the_good_graph():
    _same(good())


@pytest.mark.parametrize("name", list(CASES))
def test_engines_agree_on_each_case(name):
    remove, add, *_ = CASES[name]
    _same(mutated(remove, add))


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="pyshacl"):
        validate(good(), engine="topbraid")
    assert ENGINES == ("turbo", "pyshacl")
