"""Shared fixtures: the bundled sample built once per test session.

Origin of the test data: tests/data/gold-dev.json is a copy of the project's
hand-checked development gold (shared/eval/gold-dev.json); the sample gazette is
gazettekg/sample/xuchang-gazette-2020-02.txt (许昌市人民政府公报 2020年第2期).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gazettekg.common import sample_path

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sample_file() -> Path:
    return sample_path()


@pytest.fixture(scope="session")
def sample_lines(sample_file) -> list[str]:
    return sample_file.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def sample_build(sample_file):
    """BuildResult of the sample: records, graph and SHACL report."""
    from kg_build.pipeline import build_graph
    return build_graph([sample_file])


@pytest.fixture(scope="session")
def sample_record(sample_build):
    return sample_build.records[0]


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, sample_build):
    """A published embedded store of the sample, opened read-only."""
    from kg_build.pipeline import sorted_ntriples
    from queries.engines import open_store, publish
    path = tmp_path_factory.mktemp("store") / "store"
    publish(sorted_ntriples(sample_build.graph), path, {"inputs": ["sample"]})
    return open_store(path)


def tree_digest(path: Path) -> str:
    """One hash over every file under `path`: a store that must stay byte-identical."""
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def plan_of(record, doc_number: str):
    return next(p for p in record.plans if p.doc_number == doc_number)


@pytest.fixture(scope="session")
def cli_store(tmp_path_factory, sample_file):
    """The sample built by `gazettekg build`, so the manifest names the input file (the
    source view reads the gazette text from there)."""
    from gazettekg.cli import main
    from queries.engines import open_store
    path = tmp_path_factory.mktemp("cli-store") / "store"
    assert main(["build", str(sample_file), "--store", str(path)]) == 0
    return open_store(path)


@pytest.fixture(scope="module")
def same_code():
    """The code fingerprint held still for a module: its tests are about unchanged *files*;
    if another change to kg_build lands mid-run, a real build would rightly rebuild everything.
    Modules use it with `pytestmark = pytest.mark.usefixtures("same_code")`."""
    from kg_build import pipeline
    fingerprint = pipeline.code_fingerprint()
    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "code_fingerprint", lambda: fingerprint)
    yield fingerprint
    patch.undo()
