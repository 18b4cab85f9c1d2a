"""Regenerate the README's screenshots of the research workbench (docs/workbench-*.png).

    .venv/bin/python scripts/workbench_screenshots.py

Builds the sample into a temporary store, serves it on a free local port, and photographs
the findings page, the source view, the tasks page with facets, the charts and the query
editor (completion open, a warning shown) in Debian's Chromium. Chinese labels need a CJK
font (Debian: fonts-noto-cjk).
"""
from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TASK = "https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3"


def serve(store: Path) -> tuple[str, object]:
    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(Settings.from_env({}, store=store, workers=1)),
                                        host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", srv


def main() -> int:
    from playwright.sync_api import sync_playwright

    from gazettekg.cli import main as cli
    from gazettekg.common import sample_path
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        if cli(["build", str(sample_path()), "--store", str(store)]) != 0:
            return 2
        base, srv = serve(store)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)

            def shot(name: str) -> None:
                out = ROOT / "docs" / f"workbench-{name}.png"
                page.screenshot(path=str(out))
                print(f"wrote {out.relative_to(ROOT)}")

            page.goto(base + "/findings?kind=ValueConflict")
            shot("findings")
            page.goto(base + "/source?iri=" + quote(TASK, safe=""))
            page.evaluate("document.querySelector('tr.cited').scrollIntoView({block: 'center'})")
            shot("source")
            page.goto(base + "/tasks?year=2020")
            shot("facets")
            page.goto(base + "/charts?today=2021-06-30")
            page.wait_for_function("document.getElementById('timeline').dataset.overdue !== undefined")
            page.wait_for_timeout(300)
            page.evaluate("document.querySelector('#timeline').scrollIntoView({block: 'center'})")
            shot("charts")
            page.goto(base + "/")
            page.wait_for_function("window.gkEditor && window.gkEditor.candidates('gk:T').length > 0")
            page.fill("#sparql", "")
            page.focus("#sparql")
            page.keyboard.type("SELECT ?t ?label WHERE {\n  ?t a gk:Taks ; rdfs:label ?label ; gk:lea")
            page.wait_for_selector("#completion li")
            page.wait_for_timeout(300)
            shot("editor")
            browser.close()
        srv.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
