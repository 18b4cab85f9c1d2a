"""How fast a large graph view becomes usable, in headless Chromium.

    python bench/viz.py [--sizes 500,2000] [--store DIR]

The synthetic graph replicates the sample's plan overview: each copy gets fresh plan and
task IRIs and shares the units and regions (as more gazettes of the same city would),
cut to exactly N nodes. For each size it prints the Python side (layout, page) and the
browser side: milliseconds from navigation until the view is stable (positions set,
physics off, first frame drawn) and until a click on a node has filled the side panel.
Targets: under 3 s at 500 nodes, under 8 s at 2,000.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viz import render, select  # noqa: E402
from viz.model import Edge, Subgraph  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def synthetic(base: Subgraph, size: int) -> Subgraph:
    shared = [n for n in base.nodes if n.cls in ("Unit", "Region")]
    own = [n for n in base.nodes if n.cls in ("Plan", "Task")]
    own_ids = {n.id for n in own}
    nodes, edges, k = list(copy.deepcopy(shared)), [], 0
    while len(nodes) < size:
        rename = {n.id: f"{n.id}/copy{k}" for n in own}
        for n in own:
            if len(nodes) >= size:
                break
            c = copy.deepcopy(n)
            c.id, c.group = rename[n.id], c.group and f"{c.group}/copy{k}"
            c.plans = [type(r)(rename.get(r.iri, r.iri), r.label) for r in c.plans]
            nodes.append(c)
        for e in base.edges:
            edges.append(Edge(rename.get(e.source, e.source), rename.get(e.target, e.target), e.predicate, e.label,
                              e.kind) if e.source in own_ids or e.target in own_ids else e)
        k += 1
    return Subgraph("overview", f"Synthetic overview, {size} nodes", nodes, edges).finish()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000")
    ap.add_argument("--store", help="a built store (default: build the sample into a temporary one)")
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
            publish(sorted_ntriples(build_graph([sample_path()]).graph), Path(tmp) / "store", {"inputs": ["sample"]})
            store = open_store(Path(tmp) / "store")
        base = select.overview(store)
        print(f"{'nodes':>6} {'edges':>6} {'layout s':>9} {'page MB':>8} {'stable ms':>10} {'clickable ms':>13}")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for size in (int(s) for s in args.sizes.split(",")):
                sub = synthetic(base, size)
                t = time.perf_counter()
                from viz.layout import static_layout
                static_layout(sub.nodes, sub.edges)
                layout_s = time.perf_counter() - t
                html = render.page(sub)
                path = Path(tmp) / f"bench-{size}.html"
                path.write_text(html, encoding="utf-8")
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-state=stable]", timeout=120_000)
                stable = page.evaluate("gazetteGraph.stableAt")
                target = next(n.id for n in sub.nodes if n.cls == "Task")
                x, y = page.evaluate("""id => { const net = gazetteGraph.network;
                    const d = net.canvasToDOM(net.getPositions([id])[id]);
                    const r = document.querySelector('#graph canvas').getBoundingClientRect();
                    return [r.left + d.x, r.top + d.y]; }""", target)
                page.mouse.click(x, y)
                page.wait_for_function("document.getElementById('panel').dataset.node !== undefined")
                clickable = page.evaluate("performance.now()")
                print(f"{len(sub.nodes):>6} {len(sub.edges):>6} {layout_s:>9.2f} {len(html) / 1e6:>8.2f} "
                      f"{stable:>10.0f} {clickable:>13.0f}")
                page.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
