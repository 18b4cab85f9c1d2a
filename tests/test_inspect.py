"""`gazettekg inspect`: how a document was read, on a sample passage and on a corpus file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg_build.inspection import inspect_text, render_text

# Lines 29-60 of the sample gazette (许政〔2020〕7号's notice, title and first headings), as printed.
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gazettekg", "inspect", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_sample_passage_shows_fields_sources_tree_tasks_and_skipped(sample_lines, tmp_path):
    passage = "\n".join(sample_lines[28:116])          # 7号: notice at line 29, plan to line 116
    report = inspect_text(passage, file_name="passage.txt")
    [plan] = report["plans"]
    assert plan["doc_number"] == "许政〔2020〕7号" and plan["issued"] == "2020-04-24"
    assert plan["sources"]["doc_number"].startswith("line ") and "date" in plan["sources"]["issued"]
    tasks = {t["path"]: t for t in plan["tasks"]}
    assert "二.(一).1" in tasks and sum(1 for t in tasks.values() if t["lead"] or t["responsible"]) >= 10
    top = {n["path"]: n for n in plan["outline"]}
    assert top["一"]["task"] is False and "总体要求" in top["一"]["reason"]
    assert any(run["reason"].startswith("section “") for run in report["skipped"])
    screen = render_text(report)
    assert "✓ 二.(一).1" in screen and "lines no task holds:" in screen


def test_cli_text_and_json_on_a_corpus_file():
    f = SHARED / "data" / "corpus" / "guangdong_public_data.txt"
    if not f.exists():
        pytest.skip(f"{f} not present (../shared is not beside the checkout)")
    done = _cli(f)
    assert done.returncode == 0, done.stderr
    assert "广东省人民政府令第290号" in done.stdout and "outside the operative chapters" in done.stdout
    report = json.loads(_cli(f, "--format", "json").stdout)
    [plan] = report["plans"]
    assert plan["kind"] == "order" and plan["articles"] and len(plan["tasks"]) == 48
    item = next(t for t in plan["tasks"] if t["line"] == 65)
    assert item["lead"] == ["公安机关"]


def test_cli_errors_name_the_file(tmp_path):
    bad = tmp_path / "plain.txt"
    bad.write_text("这是一段普通文字。\n没有任何通知。\n", encoding="utf-8")
    done = _cli(bad)
    assert done.returncode == 2 and f"{bad}:1: no plan found" in done.stderr
    missing = _cli(tmp_path / "missing.txt")
    assert missing.returncode == 2 and "missing.txt" in missing.stderr
