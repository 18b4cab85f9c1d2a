"""The research workbench in a real browser (issue 13): Debian's Chromium driven by Playwright.

Every page is opened with all requests intercepted: anything not served by this machine is
aborted and fails the test (the pages must work offline). Console and page errors fail it
too. Counts on the pages are checked against independent SPARQL on the same store.
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at "
                                "/usr/bin/chromium (apt-get install chromium; scripts/setup.sh does it)")


def count(store, sparql: str) -> int:
    return int(store.query(sparql).rows[0][0].value)


@pytest.fixture(scope="module")
def server(cli_store):
    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings.from_env({}, store=cli_store.path, workers=1))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@pytest.fixture(scope="module")
def strict_server(cli_store):
    """The same service behind a strict Content-Security-Policy (no inline script or style):
    the pages must not depend on anything such a policy forbids."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    app = create_app(Settings.from_env({}, store=cli_store.path, workers=1))

    @app.middleware("http")
    async def csp(request, call_next):
        response = await call_next(request)
        if not request.url.path.startswith("/graph/"):  # graph pages carry their own policy
            response.headers["Content-Security-Policy"] = STRICT_CSP
        return response

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the `test` extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose requests and errors are recorded; external requests are aborted."""

    def __init__(self, browser):
        # bypass_csp: Playwright evaluates wait_for_function strings with eval, which the service's CSP
        # forbids; the pages themselves are checked under the CSP in tests/test_api_browser.py
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
        self.errors, self.requests, self.external = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if urlparse(url).hostname in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def clean(self):
        assert self.errors == [] and self.external == [], (self.errors, self.external)


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


# --- findings ---------------------------------------------------------------------------------

def test_findings_filters_and_links(watched, server, cli_store):
    page = watched.page
    page.goto(server + "/findings")
    total = count(cli_store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a gk:Conflict }")
    assert page.locator("tr.finding.conflict").count() == total
    with page.expect_navigation():
        page.select_option("#f-kind", "ValueConflict")  # findings.js submits on change
    expected = count(cli_store, "SELECT (COUNT(*) AS ?n) WHERE { ?c gk:conflictKind gk:ValueConflict }")
    rows = page.locator("tr.finding")
    assert rows.count() == expected > 0
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"ValueConflict"}
    assert "kind=ValueConflict" in page.url
    # a severity the sample's value conflicts have (they are calibrated: issue 12)
    level = next(iter(cli_store.query(
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?c gk:conflictKind gk:ValueConflict ; gk:severity ?s } "
        "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1").rows))[0].value
    with page.expect_navigation():
        page.select_option("#f-severity", level)
    assert page.locator("tr.finding").count() == count(
        cli_store, f'SELECT (COUNT(*) AS ?n) WHERE {{ ?c gk:conflictKind gk:ValueConflict ; gk:severity "{level}" }}') > 0
    # each side: its source text (highlighted), its task, its graph
    side = page.locator("tr.finding ul.sides li").first
    quote_text = side.locator("q").inner_text()
    with page.expect_navigation():
        side.locator("a.src").click()
    assert "/source/" in page.url
    cited = page.locator("tr.cited")
    assert cited.count() >= 1 and cited.first.is_visible()
    assert page.locator("mark.quote").first.inner_text() == quote_text
    page.go_back()
    with page.expect_navigation():
        page.locator("tr.finding ul.sides li a.task").first.click()
    assert "/id/task/" in page.url and page.locator("h1").inner_text()
    page.go_back()
    page.locator("tr.finding ul.sides li a.graph").first.click()
    page.wait_for_selector("body[data-state=stable]", timeout=30_000)
    assert page.evaluate("gazetteGraph.nodes.length") > 1
    watched.clean()


def test_source_view_highlights_the_task_span(watched, server, cli_store):
    row = cli_store.query("SELECT ?t ?l ?e WHERE { ?t a gk:Task ; gk:sourceLine ?l ; gk:endLine ?e FILTER(?e > ?l) } "
                          "ORDER BY DESC(?l) LIMIT 1").rows[0]
    task, line, end = row[0].value, int(row[1].value), int(row[2].value)
    page = watched.page
    page.goto(server + "/source?iri=" + quote(task, safe=""))
    cited = page.locator("tr.cited")
    assert cited.count() == end - line + 1
    assert cited.first.get_attribute("id") == f"L{line}"
    assert cited.first.evaluate("r => getComputedStyle(r.querySelector('td.text')).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator("nav.crumbs a").count() >= 3  # gazette › plan › section
    assert page.locator(f'td.tasks a[href="/id/{task.split("/id/", 1)[1]}"]').count() == 1
    watched.clean()


# --- facets -------------------------------------------------------------------------------------

def _facet_count(store, where: str) -> int:
    return count(store, f"SELECT (COUNT(DISTINCT ?task) AS ?n) WHERE {{ ?task a gk:Task . {where} }}")


def test_facet_counts_equal_sparql_counts(watched, server, cli_store):
    page = watched.page
    page.goto(server + "/tasks")
    assert int(page.inner_text("#task-count")) == _facet_count(cli_store, "")
    lead = page.locator("#facet-lead li a").first
    unit = lead.get_attribute("data-value")
    shown = int(page.locator("#facet-lead li .count").first.inner_text())
    assert shown == _facet_count(cli_store, f"?task gk:leadUnit <{unit}>")
    with page.expect_navigation():
        lead.click()
    assert int(page.inner_text("#task-count")) == shown
    years = page.locator("#facet-year li")
    for i in range(years.count()):
        year = years.nth(i).locator("a").get_attribute("data-value")
        n = int(years.nth(i).locator(".count").inner_text())
        assert n == _facet_count(cli_store, f'?task gk:leadUnit <{unit}> ; gk:hasDeadline/gk:date ?d '
                                            f'FILTER(STR(YEAR(?d)) = "{year}")')
    year = years.first.locator("a").get_attribute("data-value")
    with page.expect_navigation():
        years.first.locator("a").click()
    combined = _facet_count(cli_store, f'?task gk:leadUnit <{unit}> ; gk:hasDeadline/gk:date ?d '
                                       f'FILTER(STR(YEAR(?d)) = "{year}")')
    assert int(page.inner_text("#task-count")) == combined == page.locator("table.results tbody tr").count()
    assert page.locator("a.chip").count() == 2
    csv_href = page.locator("a", has_text="CSV").first.get_attribute("href")
    assert csv_href.startswith("/tasks.csv?") and "lead=" in csv_href and "year=" in csv_href
    watched.clean()


# --- charts ---------------------------------------------------------------------------------------

def test_bar_chart_and_deadline_timeline_render(watched, server, cli_store):
    page = watched.page
    page.goto(server + "/charts?today=2021-06-30")
    page.wait_for_function("document.getElementById('bar-chart').dataset.bars > 0", timeout=15_000)
    units = count(cli_store, "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?t gk:leadUnit|gk:responsibleUnit ?u }")
    assert page.evaluate("window.barChart.data.labels.length") == min(30, units)
    assert "各县" in "".join(page.evaluate("window.barChart.data.labels"))  # labels, not IRIs
    assert page.evaluate("JSON.parse(document.getElementById('bar-chart').dataset.iris)[0]").startswith("https://")
    page.wait_for_function("document.getElementById('timeline').dataset.overdue !== undefined", timeout=15_000)
    overdue = count(cli_store, 'SELECT (COUNT(*) AS ?n) WHERE { ?t a gk:Task ; gk:hasDeadline/gk:date ?d '
                               'FILTER(?d < "2021-06-30"^^xsd:date) }')
    later = count(cli_store, 'SELECT (COUNT(*) AS ?n) WHERE { ?t a gk:Task ; gk:hasDeadline/gk:date ?d '
                             'FILTER(?d >= "2021-06-30"^^xsd:date) }')
    assert int(page.get_attribute("#timeline", "data-overdue")) == overdue > 0
    assert int(page.get_attribute("#timeline", "data-open")) == later > 0
    # the canvas has really been drawn on: some pixels are not blank
    drawn = page.evaluate("""() => { const c = document.getElementById('timeline');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert drawn > 1000
    regions = count(cli_store, "SELECT (COUNT(*) AS ?n) WHERE { ?r a gk:Region }")
    page.wait_for_function(f"document.querySelectorAll('#regions tbody tr').length === {regions}", timeout=15_000)
    watched.clean()


def test_a_label_count_result_is_drawn_on_the_query_page(watched, server):
    page = watched.page
    page.goto(server + "/#lib=unit_workload")
    page.wait_for_selector("#result-chart", timeout=15_000)
    assert int(page.get_attribute("#result-chart", "data-bars")) > 0
    watched.clean()


# --- the editor -------------------------------------------------------------------------------------

def _fresh_editor(page, server):
    page.goto(server + "/")
    page.wait_for_function("document.querySelectorAll('#lib-list li').length > 0", timeout=15_000)
    page.wait_for_function("window.gkEditor && window.gkEditor.candidates('gk:T').length > 0", timeout=15_000)
    page.fill("#sparql", "")


def test_completion_offers_gk_task(watched, server):
    page = watched.page
    _fresh_editor(page, server)
    page.focus("#sparql")
    page.keyboard.type("SELECT ?t WHERE { ?t a gk:Ta")
    page.wait_for_selector('#completion li[data-term="gk:Task"]', timeout=5_000)
    assert page.locator("#completion li").first.get_attribute("data-term") == "gk:Task"
    page.keyboard.press("Enter")
    assert page.input_value("#sparql").endswith("?t a gk:Task")
    assert page.locator("#completion").is_hidden()
    page.keyboard.type(" } LIMIT 1")
    page.wait_for_timeout(300)
    assert page.locator("#vocab-warning").is_hidden()
    watched.clean()


def test_warning_for_a_term_not_in_the_vocabulary(watched, server):
    page = watched.page
    _fresh_editor(page, server)
    page.focus("#sparql")
    page.keyboard.type('SELECT ?t WHERE { ?t a gk:Taks . ?t rdfs:label "gk:Nope" }')
    page.wait_for_selector("#vocab-warning:not([hidden])", timeout=5_000)
    warned = page.locator("#vocab-warning p")
    assert warned.count() == 1 and warned.first.get_attribute("data-term") == "gk:Taks"  # not the string
    assert page.inner_text("#vocab-warning .suggestion") == "gk:Task"
    watched.clean()


def test_history_keeps_the_queries_run(watched, server):
    page = watched.page
    _fresh_editor(page, server)
    page.evaluate("localStorage.clear()")
    page.fill("#sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?t a gk:Task }")
    page.click("#run")
    page.wait_for_selector("table.results", timeout=15_000)
    assert page.evaluate("window.gkEditor.history()[0]") == "SELECT (COUNT(*) AS ?n) WHERE { ?t a gk:Task }"
    page.reload()
    page.wait_for_function("document.querySelectorAll('#history option').length === 2", timeout=5_000)
    watched.clean()


def test_library_forms_are_prefilled_and_filters_reset(watched, server):
    page = watched.page
    page.goto(server + "/")
    page.wait_for_function("document.querySelectorAll('#lib-list li').length > 0", timeout=15_000)
    page.click('#lib-list a[href="#lib=unit_tasks"]')
    value = page.input_value("#lib-form input[name=unit]")
    assert value  # the example, ready to run
    page.click("#run")
    page.wait_for_selector("table.results tbody tr", timeout=15_000)
    # a source line in the results links to the gazette text through the row's task
    href = page.get_attribute("table.results a.source-line", "href")
    assert href.startswith("/source?iri=") and "%2Ftask%2F" in href
    assert page.request.get(server + href).status == 200
    page.fill("#filter", "zzz-no-row-has-this")
    assert page.locator("table.results tbody tr").count() == 0
    page.click('#lib-list a[href="#lib=unit_workload"]')
    page.click("#run")
    page.wait_for_selector("table.results tbody tr", timeout=15_000)
    assert page.input_value("#filter") == "" and page.locator("table.results tbody tr").count() > 0
    watched.clean()


@pytest.mark.parametrize("path", ["/findings", "/tasks", "/charts", "/", "/source?iri=" +
                                  quote("https://w3id.org/gazettekg/id/plan/xuzheng-2020-7", safe="")])
def test_pages_make_no_external_request(watched, server, path):
    watched.page.goto(server + path)
    watched.page.wait_for_load_state("networkidle")
    assert watched.requests
    watched.clean()


def test_a_form_name_that_matches_nothing_offers_the_names_it_may_mean(watched, server):
    page = watched.page
    page.goto(server + "/#lib=unit_tasks&p.unit=" + quote("市环保局"))
    page.wait_for_selector("#suggestions button.suggestion", timeout=15_000)
    assert page.inner_text("#suggestions button.suggestion") == "市生态环境局"
    page.click("#suggestions button.suggestion")
    page.wait_for_selector("table.results tbody tr", timeout=15_000)
    assert page.input_value("#lib-form input[name=unit]") == "市生态环境局"
    assert page.locator("#suggestions").count() == 0
    watched.clean()


def test_graph_pages_link_source_lines_and_gephi_files(watched, server):
    page = watched.page
    task = "https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3"
    page.goto(server + "/graph/entity?iri=" + quote(task, safe=""))
    page.wait_for_selector("body[data-state=stable]", timeout=30_000)
    x, y = page.evaluate("""id => {
        const net = gazetteGraph.network;
        net.moveTo({position: net.getPositions([id])[id], scale: 1.6, animation: false});
        const d = net.canvasToDOM(net.getPositions([id])[id]);
        const r = document.querySelector('#graph canvas').getBoundingClientRect();
        return [r.left + d.x, r.top + d.y]; }""", task)
    page.mouse.click(x, y)
    page.wait_for_selector("#panel a.source-link", timeout=5_000)
    href = page.get_attribute("#panel a.source-link", "href")
    assert href.startswith("/source?iri=")
    gexf = page.get_attribute("header.bar nav a.download-gexf", "href")
    assert gexf.startswith("/graph/entity.gexf?iri=")
    assert page.request.get(server + gexf).status == 200
    watched.clean()


@pytest.mark.parametrize("path,ready", [
    ("/findings", "tr.finding"), ("/tasks", "#facet-lead li"),
    ("/charts?today=2021-06-30", "#regions tbody tr"), ("/#lib=unit_workload", "#result-chart"),
    ("/source?iri=" + quote("https://w3id.org/gazettekg/id/plan/xuzheng-2020-7", safe=""), "tr.cited")])
def test_pages_work_under_a_strict_csp(watched, strict_server, path, ready):
    page = watched.page
    page.goto(strict_server + path)
    page.wait_for_selector(ready, timeout=15_000)
    page.wait_for_load_state("networkidle")
    watched.clean()  # a CSP violation is reported as a console error
