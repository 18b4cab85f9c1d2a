"""bench/synth.py: synthetic issues made from the sample still read as gazettes of their own city.

Three generated issues are built (extracted, written as RDF, validated): each has the twelve
plans of the sample, document numbers that no other issue uses, the issuing city's own
jurisdiction, and plans that differ from the other issues' plans.
"""
from __future__ import annotations

import pytest

from bench.synth import generate
from kg_build.pipeline import read_gazette
from kg_build.to_rdf import gazette_graph
from kg_build.validation import validate


@pytest.fixture(scope="module")
def issues(tmp_path_factory):
    paths = generate(tmp_path_factory.mktemp("synth"), 3, seed=5)
    return [read_gazette(p) for p in paths]


def test_each_issue_reads_as_twelve_plans_of_its_city(issues):
    for record in issues:
        assert len(record.plans) == 12
        assert sum(len(p.tasks) for p in record.plans) >= 250
        jurisdictions = {p.jurisdiction for p in record.plans}
        assert len(jurisdictions) == 1 and None not in jurisdictions
        assert sum(len(t.regions) for p in record.plans for t in p.tasks) > 50
    assert len({r.plans[0].jurisdiction for r in issues}) == 3      # three different cities


def test_document_numbers_are_distinct_across_issues(issues):
    numbers = [p.doc_number for r in issues for p in r.plans]
    assert None not in numbers and len(set(numbers)) == len(numbers) == 36
    assert len({p.key for r in issues for p in r.plans}) == 36


def test_plans_of_different_issues_are_not_identical(issues):
    def content(plan):
        return [(t.text, [(x.value, x.unit) for x in t.targets]) for t in plan.tasks]
    for k in range(12):
        versions = [content(r.plans[k]) for r in issues]
        assert versions[0] != versions[1] and versions[1] != versions[2]
    moved = [t.text for t in issues[0].plans[0].tasks]
    assert moved != [t.text for t in issues[1].plans[0].tasks]


def test_issues_build_and_validate(issues):
    report = validate(gazette_graph(issues[0]))
    assert report.counts["Violation"] == 0


def test_same_seed_same_files(tmp_path):
    a = generate(tmp_path / "a", 2, seed=9)
    b = generate(tmp_path / "b", 2, seed=9)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    c = generate(tmp_path / "c", 2, seed=10)
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]


def test_plans_of_different_cities_never_conflict(issues):
    """Regression: the same indicator in two cities' plans was flagged as a value conflict."""
    from kg_build.linking import link
    result = link(issues)
    for conflict in result.conflicts:
        cities = {side.doc_number[:2] for side in conflict.sides if side.doc_number}
        assert len(cities) == 1, conflict.key


def test_forty_issues_build_from_one_command_as_480_plans(tmp_path, capsys):
    """Forty distinct issues — every other city of 河南, 洛阳 and 漯河 (洛政, 漯政), 鹤壁 and 开封
    (淇县, 杞县) among them — build, link and validate from one command (timed in bench/scale.py)."""
    from gazettekg.cli import main
    generate(tmp_path / "issues", 40, seed=1)
    assert main(["build", str(tmp_path / "issues"), "--store", str(tmp_path / "store"), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "built 480 plans" in out and "validation: 0 violations" in out
