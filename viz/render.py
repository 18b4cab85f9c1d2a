"""The only module that produces HTML for the graphs; it owns escaping and the assets.

A page is our own template (not pyvis's, which loads scripts, styles and menus from
CDNs) around vis-network 9.1.2 as bundled in the pyvis package. Everything from the
graph travels as JSON inside a non-executable `<script type="application/json">` with
`<`, `>`, `&`, U+2028 and U+2029 escaped, and the page script puts it on screen with
`textContent` only; vis-network draws labels on a canvas and gets no `title`, so no
graph value is ever parsed as HTML. The only HTML-escaped value is the page title.

Two ways to deliver the same page:
    mode="standalone"  one file that works from file://: vis-network, styles and script
                       inlined; a Content-Security-Policy allows exactly those scripts (by
                       hash) and no connection at all
    mode="served"      scripts and styles from /graph/static/ (cached), links to the
                       service's /id/ entity pages and node expansion through /graph/…json
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyvis

from ontology.namespaces import ID
from viz.layout import static_layout
from viz.model import Edge, Node, Ref, Subgraph
from viz.select import term_label

VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
ASSETS_DIR = Path(__file__).parent / "assets"
# name → (directory, media type): everything a page may load, served by api/graphs.py
ASSETS = {
    "vis-network.min.js": (VIS_DIR, "text/javascript"),
    "vis-network.css": (VIS_DIR, "text/css"),
    "graph.js": (ASSETS_DIR, "text/javascript"),
    "graph.css": (ASSETS_DIR, "text/css"),
}
STATIC_LAYOUT_FROM = 200  # nodes; from here positions are computed in Python and physics stays off

# Colour and shape by class; Conflict alone is red, and shapes tell classes apart without colour.
CLASS_STYLE = {
    "Plan": ("#4e79a7", "square"), "Task": ("#f28e2b", "dot"), "Unit": ("#59a14f", "triangle"),
    "Region": ("#17becf", "hexagon"), "Project": ("#e377c2", "star"), "Indicator": ("#9c755f", "dot"),
    "Target": ("#edc948", "dot"), "Deadline": ("#b07aa1", "dot"), "Conflict": ("#d62728", "diamond"),
    "Gazette": ("#7f7f7f", "square"), "RelationEvidence": ("#bcbd22", "dot"), "Resource": ("#c7c7c7", "dot"),
}
EDGE_KINDS = {"structure": "结构 structure", "related": "相关 related (gk:relatedTo)",
              "conflict": "冲突 conflict (gk:involves)"}


@dataclass(frozen=True)
class Links:
    """Where a page's links and requests go: the service's paths, or none for a file."""
    id_base: str | None = None      # "/id/" on the service; None: link to the IRI itself
    entity: str | None = None       # page of a neighbourhood ("/graph/entity")
    expand: str | None = None       # JSON of a neighbourhood, for in-place expansion
    views: tuple[tuple[str, str], ...] = ()  # (label, href) of the other views


SERVED_LINKS = Links(id_base="/id/", entity="/graph/entity", expand="/graph/entity.json",
                     views=(("方案总览 Overview", "/graph/overview"), ("跨方案 Cross-plan", "/graph/cross"),
                            ("查询成图 Query as graph", "/graph/query"), ("SPARQL", "/")))


def size_for(degree: int) -> float:
    """Node radius by degree: 10 for a leaf, growing with the square root, at most 42.

    >>> size_for(0), size_for(16), size_for(10_000)
    (10.0, 26.0, 42.0)
    """
    return min(42.0, 10.0 + 4.0 * degree ** 0.5)


def _refs(refs: list[Ref]) -> list[list[str]]:
    return [[r.iri, r.label] for r in refs]


def _node_json(n: Node) -> dict:
    out = {"id": n.id, "cls": n.cls, "label": n.label, "title": n.title, "text": n.text,
           "line": n.source_line, "endLine": n.end_line, "plans": _refs(n.plans), "units": _refs(n.units),
           "leadUnits": _refs(n.lead_units), "regions": _refs(n.regions), "deadlines": n.deadlines,
           "targets": n.targets, "fields": [list(f) for f in n.fields], "group": n.group,
           "degree": n.degree, "more": n.more, "size": size_for(n.degree)}
    if n.x is not None:
        out["x"], out["y"] = n.x, n.y
    return out


def _edge_json(e: Edge) -> dict:
    return {"from": e.source, "to": e.target, "label": e.label, "kind": e.kind,
            "fields": [list(f) for f in e.fields]}


def graph_data(sub: Subgraph, links: Links = Links()) -> dict:
    """Everything the page script needs, as plain JSON-able data (also the views' .json form)."""
    static = len(sub.nodes) >= STATIC_LAYOUT_FROM
    if static and any(n.x is None for n in sub.nodes):
        static_layout(sub.nodes, sub.edges)
    present = sorted({n.cls for n in sub.nodes}, key=lambda c: list(CLASS_STYLE).index(c)
                     if c in CLASS_STYLE else len(CLASS_STYLE))
    classes = [{"name": c, "label": term_label(f"https://w3id.org/gazettekg/ontology#{c}") if c != "Resource"
                else "其他 Other", "color": CLASS_STYLE.get(c, CLASS_STYLE["Resource"])[0],
                "shape": CLASS_STYLE.get(c, CLASS_STYLE["Resource"])[1]} for c in present]
    kinds = sorted({e.kind for e in sub.edges}, key=list(EDGE_KINDS).index)
    return {
        "view": sub.view, "title": sub.title, "notes": sub.notes, "hidden": sub.hidden, "cap": sub.cap,
        "seed": sub.seed, "hops": sub.hops, "static": static, "hulls": sub.view == "cross",
        "classes": classes, "edgeKinds": [{"name": k, "label": EDGE_KINDS[k]} for k in kinds],
        "nodes": [_node_json(n) for n in sub.nodes], "edges": [_edge_json(e) for e in sub.edges],
        "links": {"idBase": links.id_base, "ns": str(ID), "entity": links.entity, "expand": links.expand},
    }


def json_for_script(data) -> str:
    """JSON that cannot end its <script> element, open a comment or break a line in JS.

    >>> json_for_script({"x": "</script><!--\\u2028&"})
    '{"x": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@lru_cache(maxsize=None)
def asset_text(name: str) -> str:
    directory, _ = ASSETS[name]
    text = (directory / name).read_text(encoding="utf-8")
    if name.endswith(".js") and ("</script" in text.lower() or "<!--" in text):
        raise ValueError(f"{name} cannot be inlined: it contains </script or <!--")
    return text


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def page(sub: Subgraph, *, mode: str = "standalone", links: Links | None = None) -> str:
    """The complete HTML page of a view."""
    if mode not in ("standalone", "served"):
        raise ValueError("mode is 'standalone' or 'served'")
    links = links or (SERVED_LINKS if mode == "served" else Links())
    data = json_for_script(graph_data(sub, links))
    title = html.escape(sub.title, quote=True)
    nav = "".join(f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>' for label, href in links.views)
    if mode == "standalone":
        scripts = [asset_text("vis-network.min.js"), asset_text("graph.js")]
        csp = ("default-src 'none'; script-src " + " ".join(f"'{_sha256(s)}'" for s in scripts) +
               "; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")
        head = f"<style>{asset_text('vis-network.css')}</style><style>{asset_text('graph.css')}</style>"
        tail = "".join(f"<script>{s}</script>" for s in scripts)
    else:
        csp = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; base-uri 'none'; form-action 'self'")
        head = ('<link rel="stylesheet" href="/graph/static/vis-network.css">'
                '<link rel="stylesheet" href="/graph/static/graph.css">')
        tail = ('<script src="/graph/static/vis-network.min.js"></script>'
                '<script src="/graph/static/graph.js"></script>')
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · GazetteKG</title>{head}</head>
<body data-state="loading">
<header class="bar"><span class="brand">政府公报知识图谱 <span class="en">GazetteKG</span></span>
<h1>{title}</h1><span id="counts" class="counts"></span><nav>{nav}</nav></header>
<div class="layout">
<aside class="controls" aria-label="查找与筛选 Search and filters">
<label class="field">搜索 <span class="en">Search</span>
<input id="search" type="search" autocomplete="off" placeholder="名称或文字 label or text…"></label>
<ul id="search-results" class="results"></ul>
<label class="field">方案 <span class="en">Plan</span><select id="filter-plans"></select></label>
<label class="field">单位 <span class="en">Unit</span><select id="filter-units"></select></label>
<label class="field">地区 <span class="en">Region</span><select id="filter-regions"></select></label>
<fieldset id="legend" class="legend"><legend>类别 <span class="en">Class</span></legend></fieldset>
<div id="edge-legend" class="legend"></div>
<button id="reset" type="button">重置 <span class="en">Reset</span></button>
<p id="filter-message" class="message" role="status"></p>
</aside>
<main class="stage"><div id="notes" class="notes"></div><div id="graph" class="graph"></div>
<div id="progress" class="progress" role="status"></div></main>
<aside id="panel" class="panel" aria-live="polite"></aside>
</div>
<script id="graph-data" type="application/json">{data}</script>
{tail}
</body></html>
"""


def query_form(sparql: str = "", message: str = "") -> str:
    """The served page where a researcher pastes a CONSTRUCT query to see it as a graph."""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'">
<title>查询成图 Query as graph · GazetteKG</title><link rel="stylesheet" href="/graph/static/graph.css"></head>
<body class="form-page"><header class="bar"><span class="brand">政府公报知识图谱 <span class="en">GazetteKG</span></span>
<h1>查询成图 <span class="en">View a CONSTRUCT query as a graph</span></h1>
<nav><a href="/graph/overview">方案总览 Overview</a><a href="/graph/cross">跨方案 Cross-plan</a><a href="/">SPARQL</a></nav></header>
<form method="post" action="/graph/query" class="query-form">
<p>CONSTRUCT 或 DESCRIBE 查询的结果画成图。<span class="en">The result of a CONSTRUCT or DESCRIBE query, drawn
as a graph; prefixes gk:, id:, rdfs:, skos:, dcterms: … are predefined.</span></p>
{f'<p class="message" role="alert">{html.escape(message)}</p>' if message else ''}
<textarea name="query" rows="14" spellcheck="false">{html.escape(sparql)}</textarea>
<button type="submit">画图 <span class="en">Draw</span></button></form></body></html>
"""


EXAMPLE_QUERY = """CONSTRUCT { ?task gk:inPlan ?plan ; gk:leadUnit ?unit . }
WHERE { ?task gk:inPlan ?plan ; gk:leadUnit ?unit . ?plan gk:docNumber "许政〔2020〕7号" }"""
