"""SHACL on a collection's links graph: checked in chunks, about each chunk's own subjects,
with only what the links graph says of the tasks and targets it names (kg_build.links_stream)."""
from __future__ import annotations

import pytest

from kg_build import iris, links_stream
from kg_build.linking import link
from ontology.namespaces import GK


@pytest.fixture(scope="module")
def sample_links(sample_record):
    return list(links_stream.links_rows(link([sample_record])))


def _findings(lines, record, chunk, monkeypatch):
    monkeypatch.setattr(links_stream, "LINKS_CHUNK", chunk)
    count, found = links_stream.validate_links(lines, [record], None)
    assert count == len(lines)
    return sorted((f.severity, f.focus, f.path) for f in found)


def test_rows_come_once_and_a_subjects_rows_together(sample_links):
    """What lets the links graph stream in chunks cut between subjects."""
    assert len(set(sample_links)) == len(sample_links)
    subjects = [row.split(b" ", 1)[0] for row in sample_links]
    runs = [s for i, s in enumerate(subjects) if i == 0 or subjects[i - 1] != s]
    assert len(runs) == len(set(runs))


def test_the_samples_links_conform_whole_and_in_small_chunks(sample_links, sample_record, monkeypatch):
    """No finding, although the links graph holds no task's label or plan: those are checked
    in the issue's graph. Chunks of 40 triples split indicators from the targets naming them."""
    assert len(sample_links) > 1000
    assert _findings(sample_links, sample_record, 20_000, monkeypatch) == []
    assert _findings(sample_links, sample_record, 40, monkeypatch) == []


def test_broken_links_are_reported_in_any_chunking(sample_links, sample_record, monkeypatch):
    plan = sample_record.plans[0]
    task = iris.task(plan.key, plan.tasks[0].path)
    target = iris.plan_target(plan.key, 1)
    evidence = "https://example.org/evidence/broken"
    broken = [
        f"<{task}> <{GK.relatedTo}> <{target}> .\n",                              # a target, not a task
        f"<{evidence}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GK.RelationEvidence}> .\n",
        f'<{evidence}> <{GK.score}> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
    ]
    lines = sample_links + [b.encode() for b in broken]
    expected = [("Violation", evidence, "gk:basis"), ("Violation", evidence, "gk:evidenceFor"),
                ("Violation", evidence, "gk:score"), ("Violation", str(task), "gk:relatedTo")]
    assert _findings(lines, sample_record, 20_000, monkeypatch) == expected
    assert _findings(lines, sample_record, 40, monkeypatch) == expected


def test_an_indicator_without_its_label_is_reported(sample_links, sample_record, monkeypatch):
    label = next(l for l in sample_links if b"core#prefLabel" in l or b"skos/core#prefLabel" in l)
    indicator = label.split(b" ", 1)[0][1:-1].decode()
    lines = [l for l in sample_links if l != label]
    assert ("Violation", indicator, "skos:prefLabel") in _findings(lines, sample_record, 40, monkeypatch)
