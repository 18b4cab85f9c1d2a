"""Hostile strings in a gazette stay inert on every HTML page of `gazettekg serve` and in the
HTML report (issue 14.5), in Chromium with a dialog handler.

The bundled sample with script tags, attribute and tag breakers, a javascript: link, a
template expression and `</textarea>` / `</title>` written into a notice title, task texts
and a unit name, built by `gazettekg build`: what every page shows comes from the real
extraction, not from a hand-made graph (tests/test_api_browser.py covers that one)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.test_api_browser import _serve, browser  # noqa: F401  (the module's Chromium fixture)
from tests.test_viz_browser import Watched

EVIL = {
    "加快轨道交通建设": "加快轨道交通<script>window.__pwned=1;alert(1)</script>建设",
    "积极打造联动枢纽体系": "积极打造\"><img src=x onerror=\"window.__pwned=2;alert(2)\">联动枢纽体系",
    "构建便捷客运交通体系": "构建便捷客运</textarea><a href=\"javascript:alert(3)\">交通</a>体系",
    "深入贯彻“节水优先”": "深入贯彻{{constructor.constructor('alert(4)')()}}'\" onmouseover=\"window.__pwned=4\" x='“节水优先”",
    "市交通运输局": "市交通<b onmouseover=alert(5)>运输局",
    "建设实施方案的通知": "建设实施方案</title><script>window.__pwned=6;alert(6)</script>的通知",
}
SHOWN = "<script>window.__pwned=1;alert(1)</script>"  # the first task's title, as text
# what must not exist in any page's DOM: elements or attributes the hostile strings would make
INJECTED = ("document.querySelectorAll('img[src=x], [onerror], [onmouseover], a[href^=\"javascript:\"], "
            "b[onmouseover]').length")


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory):
    from gazettekg.cli import main
    from gazettekg.common import sample_path
    folder = tmp_path_factory.mktemp("evil")
    text = sample_path().read_text(encoding="utf-8")
    for plain, hostile in EVIL.items():
        assert plain in text, plain
        text = text.replace(plain, hostile)
    gazette = folder / "evil-gazette-2020-02.txt"
    gazette.write_text(text, encoding="utf-8")
    store = folder / "store"
    assert main(["build", str(gazette), "--store", str(store)]) == 0
    report = folder / "report.html"
    assert main(["report", "--store", str(store), "--format", "html", "--out", str(report)]) == 0
    return store, report


@pytest.fixture(scope="module")
def evil_server(evil_store):
    from api.app import create_app
    from api.settings import Settings
    store, _ = evil_store
    srv, thread, base = _serve(create_app(Settings.from_env({}, store=store, workers=1)))
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


def _iris(store: Path) -> dict[str, str]:
    from queries.engines import open_store
    s = open_store(store)
    def first(sparql: str) -> str:
        rows = list(s.query(sparql).rows)
        assert rows, sparql
        return rows[0][0].value
    return {"task": first('SELECT ?t WHERE { ?t a gk:Task ; rdfs:label ?l FILTER(CONTAINS(?l, "<script>")) }'),
            "unit": first('SELECT ?u WHERE { ?u skos:prefLabel ?l FILTER(CONTAINS(?l, "onmouseover")) }'),
            "plan": first('SELECT ?p WHERE { ?p a gk:Plan ; gk:noticeTitle ?l FILTER(CONTAINS(?l, "</title>")) }')}


def _check(w: Watched, url: str, *, shown: bool = False) -> None:
    w.page.goto(url)
    w.page.wait_for_load_state("networkidle")
    assert w.eval("window.__pwned") is None, url
    assert w.eval(INJECTED) == 0, url
    if shown:
        assert SHOWN in w.eval("document.body.innerText"), url


def test_hostile_gazette_strings_stay_text_on_every_page_and_in_the_report(browser, evil_store, evil_server):  # noqa: F811
    store, report = evil_store
    base = evil_server
    iris = _iris(store)
    local = {k: v.split("/id/", 1)[1] for k, v in iris.items()}
    # the hostile unit is responsible for the hostile first task: that selection shows both
    pages = [("/", False), ("/tasks", False), (f"/tasks?lead={quote(iris['unit'])}", False),
             (f"/tasks?responsible={quote(iris['unit'])}", True), ("/findings", False), ("/charts", False),
             ("/source/evil-gazette-2020-02?line=60", True), ("/source/evil-gazette-2020-02?line=15", False),
             (f"/id/{local['task']}?format=html", True), (f"/id/{local['unit']}?format=html", False),
             (f"/id/{local['plan']}?format=html", False), ("/graph/overview", False), ("/graph/cross", False),
             (f"/graph/entity?iri={quote(iris['task'])}", False)]
    w = Watched(browser)
    try:
        for path, shown in pages:
            _check(w, base + path, shown=shown)
        # the HTML report is a file, opened without the server's Content-Security-Policy
        _check(w, report.resolve().as_uri())
        assert "<script>window.__pwned=1" in w.eval("document.body.innerText")
        assert w.dialogs == [], w.dialogs
        assert w.external == []
    finally:
        w.close()
