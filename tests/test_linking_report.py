"""`gazettekg report` and api/links.py read the links back from a built store of the sample."""
from __future__ import annotations

import json

from gazettekg.commands.report import render_html, render_md


def test_report_json_lists_conflicts_by_severity_with_kind_and_reason(sample_store, tmp_path, capsys):
    from gazettekg.cli import main
    out = tmp_path / "r.json"
    assert main(["report", "--store", str(sample_store.path), "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    rank = {"high": 0, "medium": 1, "low": 2}
    assert [rank[c["severity"]] for c in data["conflicts"]] == sorted(rank[c["severity"]] for c in data["conflicts"])
    for c in data["conflicts"]:
        assert {"zh", "en"} <= set(c["comment"]) and {"zh", "en"} <= set(c["reason"]) and c["kind"]
    (hitech,) = [c for c in data["conflicts"] if {i["line"] for i in c["involves"]} >= {793, 1283}]
    assert hitech["kind"] == "ValueConflict" and hitech["severity"] == "low" and "can all hold" in hitech["reason"]["en"]
    assert any(c["kind"] == "InternalConflict" for c in data["conflicts"])
    md = render_md(data)
    assert "severity low" in md and "判定理由" in md and "InternalConflict" in md
    groups = data["duplicate_groups"]
    assert groups and groups[0]["relation"] == "duplicate" and {g["relation"] for g in groups} == {"duplicate", "overlap"}
    sewage = [g for g in groups if g["basis"] == "project" and "三达污水处理厂" in g["shared"]]
    assert {t["doc"] for t in sewage[0]["tasks"]} == {"许政〔2020〕7号", "许政〔2020〕9号", "许政〔2020〕10号"}


def test_html_is_escaped_and_self_contained():
    data = {"conflicts": [{"id": "https://w3id.org/gazettekg/id/conflict/value/x", "kind": "ValueConflict",
                           "severity": "high", "comment": {"zh": "<script>alert(1)</script>", "en": "a & b"},
                           "involves": [{"iri": "i", "doc": "许政〔2020〕14号", "line": 793, "quote": "\"<b>\""}]}],
            "duplicate_groups": [{"basis": "text", "plans": 2, "score": 0.5, "shared": ["<i>"],
                                  "tasks": [{"iri": "t", "doc": "d", "path": "一.1", "line": 3, "label": "<img src=x>"}]}]}
    page = render_html(data)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<img" not in page and "a &amp; b" in page
    # no CDN, no external asset; the only http links go to the service the report names
    assert "<link" not in page and "<script" not in page
    assert "http" not in page.replace("https://w3id.org", "").replace("http://127.0.0.1:8000/", "")
    assert "793" in render_md(data)


def test_api_related_and_conflicts(sample_store):
    from fastapi.testclient import TestClient
    from api.app import create_app
    from api.settings import Settings
    with TestClient(create_app(Settings.from_env({}, store=sample_store.path, workers=1))) as client:
        _related_and_conflicts(client)


def _related_and_conflicts(client):
    r = client.get("/api/related/xuzheng-2020-7/2-2-5")
    assert r.status_code == 200
    docs = {x["doc"] for x in r.json()["related"]}
    assert {"许政〔2020〕9号", "许政〔2020〕10号"} <= docs
    assert all(x["evidence"] and 0 <= x["score"] <= 1 for x in r.json()["related"])
    assert all(e["relation"] in ("duplicate", "overlap") for x in r.json()["related"] for e in x["evidence"])
    quoted = [e for x in r.json()["related"] for e in x["evidence"] if e["quotes"]]
    assert quoted and all(len(e["quotes"]) == 2 and all(q["text"] and q["line"] > 0 for q in e["quotes"]) for e in quoted)
    c = client.get("/api/conflicts").json()
    assert c["count"] == len(c["conflicts"]) >= 2
    assert all(x["kind"] and x["severity"] in ("high", "medium", "low") and {"zh", "en"} <= set(x["reason"])
               for x in c["conflicts"])
    assert client.get("/api/related/not a task").status_code == 400
