"""The service's own HTML pages in Chromium under the Content-Security-Policy header:
they must work (no CSP violation, no error) and hostile strings in the data stay text."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.test_viz_browser import ARGS, CHROMIUM, Watched
from tests.viz_support import hostile_graph, make_app, publish_graph


def _serve(app):
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    return srv, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the `test` extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-api") / "store"
    store = publish_graph(hostile_graph(), path)
    srv, thread, base = _serve(make_app(path, store))
    yield base, store
    srv.should_exit = True
    thread.join(timeout=10)


def _watch(browser):
    w = Watched(browser)
    w.page.on("console", lambda m: "Content Security Policy" in m.text and w.errors.append(m.text))
    return w


def test_query_page_and_docs_work_under_the_csp(browser, hostile_server):
    base, _ = hostile_server
    w = _watch(browser)
    try:
        w.page.goto(base + "/")
        w.page.wait_for_selector("#lib-list li", timeout=15_000)  # app.js ran and fetched the library
        w.page.goto(base + "/docs")
        w.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)  # the hashed inline starter ran
        w.clean()
    finally:
        w.close()


def test_hostile_strings_stay_inert_on_every_html_page(browser, hostile_server):
    base, store = hostile_server
    w = _watch(browser)
    subjects = sorted({str(r[0].value) for r in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }").rows
                       if r[0].value.startswith("https://w3id.org/gazettekg/id/")})
    assert subjects
    try:
        for iri in subjects[:15]:
            w.page.goto(base + "/id/" + quote(iri.split("/id/", 1)[1]) + "?format=html")
            assert w.eval("window.__pwned") is None
            assert w.eval("document.querySelectorAll('img, iframe, object, [onerror], [onmouseover]').length") == 0
        w.page.goto(base + "/#query=" + quote("SELECT ?s ?o WHERE { ?s ?p ?o } LIMIT 200"))
        w.page.click("#run")
        w.page.wait_for_selector("#results table", timeout=15_000)
        assert w.eval("window.__pwned") is None
        assert w.eval("document.querySelectorAll('#results img, #results iframe, #results [onerror]').length") == 0
        w.clean()
    finally:
        w.close()
