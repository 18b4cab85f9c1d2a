"""Regenerate the README's screenshots of the graph views (docs/viz-*.png).

    python scripts/viz_screenshots.py [--store DIR]

Each view of the sample is written as a standalone page, opened in Debian's Chromium,
and photographed with one node's record open in the side panel. Chinese labels need a
CJK font on the machine (Debian: fonts-noto-cjk).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viz import render, select  # noqa: E402

ID = "https://w3id.org/gazettekg/id/"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = {  # view → the node whose record is shown
    "overview": ID + "task/xuzheng-2020-7/2-2-3",
    "cross": ID + "conflict/value/gaoxinjishuqiyeshuliang-2022-stock-jia",
    "entity": ID + "task/xuzheng-2020-7/2-2-3",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a built store of the sample (default: build one)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    from queries.engines import open_store
    with tempfile.TemporaryDirectory() as tmp:
        if args.store:
            store = open_store(args.store)
        else:
            from gazettekg.common import sample_path
            from kg_build.pipeline import build_graph, sorted_ntriples
            from queries.engines import publish
            publish(sorted_ntriples(build_graph([sample_path()]).graph), Path(tmp) / "s", {"inputs": ["sample"]})
            store = open_store(Path(tmp) / "s")
        views = {"overview": select.overview(store), "cross": select.cross(store),
                 "entity": select.neighbourhood(store, SHOTS["entity"])}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, sub in views.items():
                page_file = Path(tmp) / f"{name}.html"
                page_file.write_text(render.page(sub), encoding="utf-8")
                page = browser.new_page(viewport={"width": 1440, "height": 860}, device_scale_factor=1)
                page.goto(page_file.as_uri())
                page.wait_for_selector("body[data-state=stable]")
                page.evaluate("id => { gazetteGraph.network.selectNodes([id]); gazetteGraph.show(id); }", SHOTS[name])
                page.wait_for_timeout(300)
                out = ROOT / "docs" / f"viz-{name}.png"
                page.screenshot(path=str(out))
                print(f"wrote {out.relative_to(ROOT)}")
                page.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
