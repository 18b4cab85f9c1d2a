"""The graphs in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

Every page is opened with all requests intercepted and recorded: anything that is not
file:// or this machine is aborted and fails the test. Console errors, page errors and
dialogs are recorded too. Counts are checked against independent SPARQL.
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote_plus, urlparse

import pytest

from tests.viz_support import (CROSS_COUNT, HOSTILE, NEIGHBOURS_COUNT, OVERVIEW_COUNT, count, hostile_graph,
                               make_app, publish_graph)
from viz import render, select

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ID = "https://w3id.org/gazettekg/id/"
TASK = ID + "task/xuzheng-2020-7/2-2-3"
PLAN7 = ID + "plan/xuzheng-2020-7"
HUB = ID + "unit/411000/gexian-shi-qu-zhengfu-guanweihui"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at "
                                "/usr/bin/chromium (apt-get install chromium; scripts/setup.sh does it)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the `test` extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose every request, console error, page error and dialog is recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors, self.requests, self.external, self.dialogs = [], [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file://") or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_selector("body[data-state=stable]", timeout=30_000)
        return self

    def eval(self, js: str, arg=None):
        return self.page.evaluate(js, arg)

    def node_count(self) -> int:
        return self.eval("gazetteGraph.nodes.length")

    def visible(self) -> set[str]:
        return set(self.eval("gazetteGraph.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))

    def click_node(self, iri: str):
        x, y = self.eval("""id => {
            const net = gazetteGraph.network;
            net.moveTo({position: net.getPositions([id])[id], scale: 1.6, animation: false});
            const d = net.canvasToDOM(net.getPositions([id])[id]);
            const r = document.querySelector('#graph canvas').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y]; }""", iri)
        self.page.mouse.click(x, y)
        self.page.wait_for_function("id => document.getElementById('panel').dataset.node === id", arg=iri,
                                    timeout=5_000)

    def clean(self):
        assert self.errors == [] and self.dialogs == [] and self.external == []
        assert self.requests and all(u.startswith("file://") or urlparse(u).hostname == "127.0.0.1"
                                     for u in self.requests)

    def close(self):
        self.page.close()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


@pytest.fixture(scope="module")
def pages(sample_store, tmp_path_factory):
    """Standalone pages of every view, written as `gazettekg viz` writes them."""
    out = tmp_path_factory.mktemp("pages")
    views = {"overview": select.overview(sample_store), "cross": select.cross(sample_store),
             "entity": select.neighbourhood(sample_store, TASK),
             "query": select.construct(sample_store, "CONSTRUCT { ?t gk:inPlan ?p } WHERE { ?t gk:inPlan ?p }")}
    for name, sub in views.items():
        (out / f"{name}.html").write_text(render.page(sub), encoding="utf-8")
    return {name: (out / f"{name}.html").as_uri() for name in views}


def expected_count(store, view: str) -> int:
    return {"overview": lambda: count(store, OVERVIEW_COUNT), "cross": lambda: count(store, CROSS_COUNT),
            "entity": lambda: count(store, NEIGHBOURS_COUNT % (TASK, TASK)) + 1,
            "query": lambda: count(store, "SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { "
                                          "{ ?x gk:inPlan ?p } UNION { ?t gk:inPlan ?x } }")}[view]()


@pytest.mark.parametrize("view", ["overview", "cross", "entity", "query"])
def test_each_view_loads_offline_without_errors(watched, pages, sample_store, view):
    watched.open(pages[view])
    assert watched.node_count() == expected_count(sample_store, view)
    assert watched.eval("document.querySelectorAll('#legend input').length") >= 2
    watched.clean()


def test_physics_is_off_once_stable(watched, pages):
    watched.open(pages["cross"])  # a small view: laid out by vis-network's physics, then frozen
    before = watched.eval("JSON.stringify(gazetteGraph.network.getPositions())")
    watched.page.wait_for_timeout(600)
    assert watched.eval("JSON.stringify(gazetteGraph.network.getPositions())") == before
    assert watched.eval("gazetteGraph.data.static") is False
    watched.open(pages["overview"])
    assert watched.eval("gazetteGraph.data.static") is True  # positions computed in Python


def test_clicking_a_task_shows_its_source_text(watched, pages, sample_store):
    watched.open(pages["overview"])
    watched.click_node(TASK)
    text = sample_store.query(f"SELECT ?t WHERE {{ <{TASK}> gk:text ?t }}").rows[0][0].value
    panel = watched.page.locator("#panel")
    assert panel.locator(".source-text").text_content() == text
    assert "76–78" in panel.locator(".source-line").text_content()
    assert "许政〔2020〕7号" in panel.text_content() and "市水利局" in panel.text_content()
    assert panel.locator("a.entity-link").get_attribute("href") == TASK  # a file has no /id/ pages
    watched.clean()


def test_filters_hide_what_they_should_and_never_blank_the_graph(watched, pages, sample_store):
    watched.open(pages["overview"])
    total = watched.node_count()
    watched.page.select_option("#filter-plans", PLAN7)
    plan_tasks = count(sample_store, f"SELECT (COUNT(?t) AS ?c) WHERE {{ ?t gk:inPlan <{PLAN7}> }}")
    around = count(sample_store, f"""SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE {{ ?t gk:inPlan <{PLAN7}> ;
                                     gk:leadUnit|gk:responsibleUnit|gk:region ?x }}""")
    shown = watched.visible()
    assert len(shown) == 1 + plan_tasks + around
    assert all(i.startswith(ID + "task/xuzheng-2020-7/") for i in shown if "/task/" in i)
    assert "Showing" in watched.page.text_content("#filter-message")
    # a region none of this plan's tasks names: nothing matches, so nothing changes
    lonely = sample_store.query(f"""SELECT ?r WHERE {{ ?r a gk:Region .
        FILTER NOT EXISTS {{ ?t gk:inPlan <{PLAN7}> ; gk:region ?r }} FILTER EXISTS {{ ?u gk:region ?r }} }}
        LIMIT 1""").rows[0][0].value
    watched.page.select_option("#filter-regions", lonely)
    assert watched.visible() == shown and "No node matches" in watched.page.text_content("#filter-message")
    assert watched.page.input_value("#filter-regions") == ""
    watched.page.click("#reset")
    watched.page.uncheck("#legend input[data-cls=Unit]")
    units = count(sample_store, "SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE { ?t a gk:Task ; "
                                "gk:leadUnit|gk:responsibleUnit ?n }")
    assert len(watched.visible()) == total - units
    assert not any("/unit/" in i for i in watched.visible())
    for cls in ("Plan", "Task"):
        watched.page.uncheck(f"#legend input[data-cls={cls}]")
    regions = watched.visible()
    assert regions and all("/region/" in i for i in regions)
    watched.page.click("#legend input[data-cls=Region]")  # the last class: refused, the graph stays
    assert watched.visible() == regions and watched.page.is_checked("#legend input[data-cls=Region]")
    assert "Keep at least one class" in watched.page.text_content("#filter-message")
    watched.clean()


def test_search_focuses_the_node(watched, pages):
    watched.open(pages["overview"])
    watched.page.fill("#search", "有力保障城乡供水")
    watched.page.click("#search-results button.result")
    assert watched.eval("document.getElementById('panel').dataset.node") == TASK
    assert watched.eval("gazetteGraph.network.getSelectedNodes()") == [TASK]
    watched.page.fill("#search", "没有这样的名字zzz")
    assert "No match" in watched.page.text_content("#search-results")


# --- hostile labels ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "store"
    store = publish_graph(hostile_graph(), path)
    out = path.parent
    for name, sub in {"overview": select.overview(store), "cross": select.cross(store),
                      "entity": select.neighbourhood(store, ID + "task/evil-1/0")}.items():
        (out / f"{name}.html").write_text(render.page(sub), encoding="utf-8")
    return store, path, out


@pytest.mark.parametrize("view", ["overview", "cross", "entity"])
def test_hostile_labels_stay_text(watched, hostile, view):
    _, _, out = hostile
    watched.open((out / f"{view}.html").as_uri())
    tasks = watched.eval("gazetteGraph.data.nodes.filter(n => n.cls === 'Task').map(n => n.id)")
    assert tasks
    for iri in tasks:
        watched.click_node(iri)
        i = int(iri.rsplit("/", 1)[1])
        assert watched.page.text_content("#panel .node-title") == HOSTILE[i]
        assert watched.page.text_content("#panel .source-text") == f"正文 {HOSTILE[i]} 结束"
        watched.page.mouse.move(5, 5)
    watched.page.fill("#search", "<img")
    assert "<img src=x" in watched.page.text_content("#search-results") or view == "cross"
    assert watched.eval("window.__pwned") is None
    assert watched.eval("document.querySelectorAll('img, iframe, object, [onerror], [onmouseover]').length") == 0
    assert watched.eval("document.querySelectorAll('a[href^=\"javascript\" i]').length") == 0
    assert watched.eval("document.querySelectorAll('script').length") == 3
    watched.clean()


# --- served by the web service ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(sample_store):
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(make_app(sample_store.path, sample_store), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("path", ["/graph/overview", "/graph/cross", f"/graph/entity?iri={quote(TASK)}",
                                  "/graph/query?query=" + quote("CONSTRUCT { ?t gk:inPlan ?p } WHERE { ?t gk:inPlan ?p }")])
def test_served_views_load_without_errors(watched, server, sample_store, path):
    watched.open(server + path)
    view = path.split("/")[2].split("?")[0]
    assert watched.node_count() == expected_count(sample_store, view)
    watched.clean()


def test_served_entity_links_and_expands(watched, server, sample_store):
    watched.open(f"{server}/graph/entity?iri={quote(HUB)}&cap=20")
    assert watched.node_count() == 20
    note = watched.page.locator("#notes a")
    assert "cap=40" in note.get_attribute("href")
    watched.click_node(HUB)
    assert watched.page.locator("a.entity-link").get_attribute("href") == \
        "/id/unit/411000/gexian-shi-qu-zhengfu-guanweihui"
    # a task at the edge of the view: expanding it brings in its plan, units and regions
    # (one whose whole neighbourhood fits one expansion: since issue 12 a task also links to its
    # topics and clauses, so some edge tasks have more neighbours than that)
    def neighbours_of(t):
        return {r[0].value for r in sample_store.query(
            NEIGHBOURS_COUNT.replace("(COUNT(DISTINCT ?m) AS ?c)", "DISTINCT ?m") % (t, t)).rows}
    edge = watched.eval("gazetteGraph.data.nodes.filter(n => n.cls === 'Task' && n.more > 0).map(n => n.id)")
    task = next(t for t in edge if len(neighbours_of(t)) < 20)
    watched.click_node(task)
    before = set(watched.eval("gazetteGraph.nodes.getIds()"))
    neighbours = neighbours_of(task)
    assert len(neighbours) < 20 and neighbours - before
    watched.page.click("#panel button.expand")
    expected = len(before | neighbours)
    watched.page.wait_for_function("n => gazetteGraph.nodes.length === n", arg=expected, timeout=10_000)
    assert set(watched.eval("gazetteGraph.nodes.getIds()")) == before | neighbours
    assert any("/graph/entity.json" in u for u in watched.requests)
    watched.clean()


def test_query_page_offers_view_as_graph_for_construct_only(watched, server, sample_store):
    page = watched.page
    page.goto(server + "/")
    editor = page.locator("#sparql")
    editor.fill("SELECT ?t WHERE { ?t a gk:Task } LIMIT 3")
    assert page.locator("#as-graph").is_hidden()
    construct = "# tasks and their plans\nCONSTRUCT { ?t gk:inPlan ?p } WHERE { ?t gk:inPlan ?p }"
    editor.fill(construct)
    link = page.locator("#as-graph")
    assert link.is_visible()
    href = link.get_attribute("href")
    assert href.startswith("/graph/query?") and "CONSTRUCT" in unquote_plus(href)
    watched.open(server + href)
    assert watched.node_count() == expected_count(sample_store, "query")
    watched.clean()
