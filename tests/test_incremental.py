"""Incremental = clean (#14.2): however files are changed, removed and added between builds,
a store rebuilt incrementally exports, as sorted N-Quads, exactly the bytes a clean build of
the final files gives.

Test data: the first three plans of the bundled sample (许昌市人民政府公报 2020年第2期, lines
1-353, to keep the builds quick), reissued as other years by replacing every "2020", so each
issue has its own document numbers and the issues link to each other; an edited issue has one
task's wording changed.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gazettekg.cli import main


pytestmark = pytest.mark.usefixtures("same_code")


@pytest.fixture(scope="module")
def template(sample_file) -> str:
    return "\n".join(sample_file.read_text(encoding="utf-8").split("\n")[:353]) + "\n"


def text_of(template: str, name: str) -> str:
    """'A'..'D': the issue of 2020..2023; a trailing ' marks its edited version."""
    year = str(2020 + "ABCD".index(name[0]))
    text = template.replace("2020", year)
    if name.endswith("'"):
        head, body = text[:3000], text[3000:]
        assert "推进" in body
        text = head + body.replace("推进", "加快推进", 1)
    return text


def write(folder: Path, template: str, names: set[str]) -> None:
    """Make `folder` hold exactly the issues `names` (file A'.txt is file A.txt edited)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"issue-{n[0]}.txt": text_of(template, n) for n in names}
    for old in folder.glob("*.txt"):
        if old.name not in wanted:
            old.unlink()
    for file, text in wanted.items():
        path = folder / file
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def build(folder: Path, store: Path, export: Path) -> bytes:
    assert main(["build", str(folder), "--store", str(store), "--jobs", "1", "--export", str(export)]) == 0
    return export.read_bytes()


SEQUENCES = {
    "change, remove and add at once": [{"A", "B", "C"}, {"A", "B'", "D"}],
    "one step at a time, a removed file back": [{"A"}, {"A", "B"}, {"B", "C"}, {"B'", "C"}, {"A", "B'", "C"}],
    "an edit undone, then everything replaced": [{"A", "B"}, {"A", "B'"}, {"A", "B"}, {"C", "D"}, {"A", "B", "C"}],
}


@pytest.mark.parametrize("steps", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_an_incremental_rebuild_equals_a_clean_build_byte_for_byte(steps, template, tmp_path):
    inputs, store = tmp_path / "in", tmp_path / "store"
    for names in steps:
        write(inputs, template, names)
        incremental = build(inputs, store, tmp_path / "incremental.nq")
    clean_inputs = tmp_path / "clean-in"
    shutil.copytree(inputs, clean_inputs)
    clean = build(clean_inputs, tmp_path / "clean-store", tmp_path / "clean.nq")
    assert incremental == clean
    assert incremental.count(b"\n") > 1000 and b"/graph/links>" in incremental    # issues that link
