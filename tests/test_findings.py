"""/findings (HTML, JSON, CSV), the source view, and the HTML report's links (issue 13)."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

GK = "https://w3id.org/gazettekg/ontology#"


@pytest.fixture(scope="module")
def client(cli_store):
    with TestClient(create_app(Settings.from_env({}, store=cli_store.path))) as c:
        yield c


def _count(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql).rows))[0].value)


@pytest.mark.parametrize("kind", ["ValueConflict", "DeadlineConflict", "ScopeConflict"])
def test_kind_filter_counts_what_sparql_counts(client, cli_store, kind):
    expected = _count(cli_store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c gk:conflictKind gk:{kind} }}")
    got = client.get("/findings.json", params={"kind": kind}).json()
    assert got["count"] == expected > 0
    assert {f["kind"] for f in got["findings"]} == {kind}


def test_severity_plan_and_unit_filters_combine(client):
    everything = client.get("/findings.json").json()["findings"]
    assert {f["type"] for f in everything} == {"conflict", "duplicate"}
    # the sample's conflicts are calibrated (issue 12): filter by a severity it has, and by one it lacks
    levels = sorted({f["severity"] for f in everything if f.get("severity")})
    assert levels
    for level in levels:
        some = client.get("/findings.json", params={"severity": level}).json()["findings"]
        assert some and all(f["severity"] == level for f in some)
        assert len(some) == sum(1 for f in everything if f.get("severity") == level)
    plan = "许政〔2020〕7号"
    in_plan = client.get("/findings.json", params={"plan": plan}).json()["findings"]
    assert in_plan and all(any(s["doc"] == plan for s in f["sides"]) for f in in_plan)
    assert len(in_plan) < len(everything)
    both = client.get("/findings.json", params={"plan": plan, "unit": "生态环境局"}).json()["findings"]
    assert both and len(both) <= len(in_plan)
    assert all(any("生态环境局" in u["name"] for s in f["sides"] for u in s["units"]) for f in both)


def test_every_side_is_quoted_with_its_line(client):
    conflicts = client.get("/findings.json", params={"kind": "ValueConflict"}).json()["findings"]
    for f in conflicts:
        assert len(f["sides"]) >= 2 and f["comment"]
        for s in f["sides"]:
            assert s["line"] and s["quote"] and s["doc"]


def test_csv_has_one_row_per_side_with_a_source_link(client):
    found = client.get("/findings.json", params={"kind": "ScopeConflict"}).json()["findings"]
    r = client.get("/findings.csv", params={"kind": "ScopeConflict"})
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == sum(len(f["sides"]) for f in found)
    assert all("/source?iri=" in row["source"] and row["line"] for row in rows)


def test_page_links_each_side_to_source_task_and_graph(client):
    page = client.get("/findings", params={"kind": "ValueConflict"}).text
    sources = re.findall(r'<a class="src" href="([^"]+)"', page)
    tasks = re.findall(r'<a class="task" href="([^"]+)"', page)
    graphs = re.findall(r'<a class="graph" href="([^"]+)"', page)
    assert sources and tasks and graphs
    for href in (sources[0].replace("&amp;", "&"), tasks[0], graphs[0].replace("&amp;", "&")):
        assert client.get(href, headers={"Accept": "text/html"}).status_code == 200, href


def test_source_view_highlights_the_cited_line_and_quote(client):
    f = client.get("/findings.json", params={"kind": "ValueConflict"}).json()["findings"][0]
    side = f["sides"][0]
    r = client.get("/source", params={"iri": side["iri"], "line": side["line"], "quote": side["quote"]})
    assert r.status_code == 200
    cited = re.findall(r'<tr id="L(\d+)" class=cited>(.*?)</tr>', r.text)
    assert [int(n) for n, _ in cited][0] == side["line"]
    assert f'<mark class="quote">{side["quote"]}</mark>' in cited[0][1]
    assert 'class="crumbs"' in r.text and side["doc"] in r.text


def test_source_view_lists_the_tasks_starting_on_each_line(client, cli_store):
    row = next(iter(cli_store.query("SELECT ?t ?l ?e WHERE { ?t a gk:Task ; gk:sourceLine ?l ; gk:endLine ?e "
                                    "FILTER(?e > ?l) } ORDER BY ?l LIMIT 1").rows))
    task, line, end = row[0].value, int(row[1].value), int(row[2].value)
    r = client.get("/source", params={"iri": task}, follow_redirects=False)
    assert r.status_code == 303
    assert parse_qs(urlparse(r.headers["location"]).query) == {"line": [str(line)], "end": [str(end)]}
    page = client.get(r.headers["location"]).text
    assert len(re.findall(r"class=cited", page)) == end - line + 1
    assert f'href="/id/{task.split("/id/", 1)[1]}"' in page


def test_source_view_errors_are_clear(client):
    assert client.get("/source/no-such-issue", params={"line": 1}).json()["error"]["status"] == 404
    issue = client.get("/source", params={"iri": "https://w3id.org/gazettekg/id/plan/xuzheng-2020-7"},
                       follow_redirects=False).headers["location"].split("/source/")[1].split("?")[0]
    err = client.get(f"/source/{issue}", params={"line": 999999}).json()["error"]
    assert err["status"] == 404 and "lines" in err["detail"]


def test_html_report_links_like_the_findings_page(cli_store):
    from gazettekg.commands.report import gather, render_html
    html = render_html(gather(cli_store), "http://example.org:9000")
    assert html.count('href="http://example.org:9000/source?iri=') >= 8
    assert 'href="http://example.org:9000/id/task/' in html and 'href="http://example.org:9000/graph/entity?iri=' in html


def test_the_page_shows_findings_a_page_at_a_time(client, monkeypatch):
    from api import findings
    total = client.get("/findings.json").json()["count"]
    monkeypatch.setattr(findings, "PAGE_SIZE", 10)
    first = client.get("/findings").text
    assert first.count('<tr class="finding') == 10
    assert 'href="/findings?page=2"' in first
    last_page = (total + 9) // 10
    last = client.get("/findings", params={"page": last_page}).text
    assert last.count('<tr class="finding') == total - 10 * (last_page - 1)
    kept = client.get("/findings", params={"kind": "duplicate", "page": 2}).text
    assert 'href="/findings?kind=duplicate"' in kept  # page links keep the filters
