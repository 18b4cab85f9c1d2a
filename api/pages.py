"""HTML: the query page at / and the entity pages at /id/… (with RDF by content negotiation).

This module owns escaping: every value from the graph passes through `esc()` before it
reaches HTML, links are made only to this service's /id/ paths or to http(s) IRIs, and
the page's configuration travels as JSON inside a non-executable script element.
"""
from __future__ import annotations

import html
import json
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import formats
from api.errors import ApiError
from api.rest import page_path
from api.runner import run_query
from ontology.namespaces import ID
from queries.engines import PREFIX_MAP
from queries.results import compact

router = APIRouter(tags=["Pages"])

ENTITY_FORMATS = (*formats.GRAPH, formats.HTML)

OUTGOING = """SELECT ?s ?p ?o (SAMPLE(?label) AS ?oLabel) WHERE {
  ?s ?p ?o OPTIONAL { ?o skos:prefLabel|rdfs:label|dcterms:title ?label }
} GROUP BY ?s ?p ?o ORDER BY ?p ?o"""
INCOMING = """SELECT ?s ?x ?p (SAMPLE(?label) AS ?xLabel) WHERE {
  ?x ?p ?s OPTIONAL { ?x skos:prefLabel|rdfs:label|dcterms:title ?label }
} GROUP BY ?s ?x ?p ORDER BY ?p ?x"""
DESCRIPTION = "CONSTRUCT { ?s ?p ?o . ?x ?q ?s } WHERE { { ?s ?p ?o } UNION { ?x ?q ?s } }"

SOURCE_LINE = "https://w3id.org/gazettekg/ontology#sourceLine"
LABEL_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://purl.org/dc/terms/title")


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _json_for_script(data) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    return (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def page(title: str, body: str, *, scripts: str = "") -> HTMLResponse:
    """Every HTML page of the service: the header, its navigation, `body`, then `scripts`
    (script elements with a src only: no inline code, so a CSP can forbid it)."""
    return HTMLResponse(f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><link rel="stylesheet" href="/static/style.css"></head>
<body><header class="top"><a class="brand" href="/">政府公报知识图谱 <span class="en">GazetteKG</span></a>
<nav><a href="/">查询 <span class="en">Query</span></a> <a href="/tasks">任务 <span class="en">Tasks</span></a>
<a href="/findings">发现 <span class="en">Findings</span></a> <a href="/charts">图表 <span class="en">Charts</span></a>
<a href="/graph/overview">图谱 <span class="en">Graph</span></a> <a href="/docs">接口文档 <span class="en">API docs</span></a></nav></header>
{body}{scripts}</body></html>""")


# --- the query page ----------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse, summary="The query page (SPARQL editor, library, results)")
def query_page(request: Request) -> HTMLResponse:
    s = request.app.state.settings
    config = {"endpoint": "/sparql", "library": "/api/queries", "prefixes": PREFIX_MAP,
              "timeLimit": s.time_limit, "rowLimit": s.row_limit, "idBase": str(ID)}
    body = f"""<main class="query">
<aside id="library" aria-label="查询库 Query library"><h2>查询库 <span class="en">Query library</span></h2>
<input id="lib-filter" type="search" placeholder="筛选 Filter…"><ul id="lib-list"></ul></aside>
<section class="workspace">
<div id="lib-form" hidden></div>
<div class="editor" id="editor"><pre aria-hidden="true"><code id="highlight"></code></pre>
<textarea id="sparql" spellcheck="false" autocomplete="off" aria-label="SPARQL 查询 query"></textarea></div>
<div class="actions"><button id="run" type="button">运行 <span class="en">Run</span> (Ctrl+Enter)</button>
<button id="reset" type="button">重置 <span class="en">Reset</span></button>
<a id="permalink" href="#">永久链接 <span class="en">Permalink</span></a>
<a id="as-graph" href="/graph/query" target="_blank" rel="noopener" hidden>以图查看 <span class="en">View as graph</span></a>
<span id="status" role="status"></span></div>
<div id="message" hidden role="alert"></div>
<div class="downloads" id="downloads" hidden>
<button id="dl-csv" type="button">下载 CSV <span class="en">Download CSV</span></button>
<button id="dl-json" type="button">下载 JSON <span class="en">Download JSON</span></button>
<label><input id="filter" type="search" placeholder="在结果中筛选 Filter rows…"></label></div>
<div id="results"></div>
</section></main>
<script id="config" type="application/json">{_json_for_script(config)}</script>"""
    return page("SPARQL 查询 · GazetteKG", body,
                 scripts='<script src="/static/highlight.js"></script><script src="/static/vendor/chartjs/chart.umd.min.js">'
                         '</script><script src="/static/chart-results.js"></script><script src="/static/editor.js">'
                         '</script><script src="/static/app.js"></script>')


# --- entity pages --------------------------------------------------------------------------

@router.get("/id/{path:path}", summary="Dereference an entity IRI: HTML for browsers, RDF by Accept "
            "(Turtle, N-Triples, JSON-LD, RDF/XML) or ?format=", response_class=Response)
async def entity(request: Request, path: str) -> Response:
    iri = f"{ID}{path}"
    try:
        import pyoxigraph as ox
        node = ox.NamedNode(iri)
    except ValueError:
        raise ApiError(400, "Bad identifier", f"{iri!r} is not a valid IRI") from None
    try:
        chosen = formats.choose(ENTITY_FORMATS, request.headers.get("accept"), request.query_params.get("format"))
    except formats.NotAcceptable as err:
        raise ApiError(406, "Not acceptable", str(err), "use ?format=html, ttl, nt, jsonld or rdfxml") from None
    headers = {"Vary": "Accept", "Link": _alternates(path)}
    if chosen.name != "html":
        reply = await run_query(request.app.state, DESCRIPTION, fmt=chosen.name, bindings={"s": node})
        if reply["count"] == 0:
            raise _not_found(iri)
        return Response(reply["body"], media_type=chosen.media_type, headers=headers)
    out = (await run_query(request.app.state, OUTGOING, fmt="rows", bindings={"s": node}))["data"]["rows"]
    inc = (await run_query(request.app.state, INCOMING, fmt="rows", bindings={"s": node}))["data"]["rows"]
    if not out and not inc:
        raise _not_found(iri)
    response = page(f"{_title(out, iri)} · GazetteKG", _entity_body(iri, path, out, inc))
    response.headers.update(headers)
    return response


def _not_found(iri: str) -> ApiError:
    return ApiError(404, "Not in the graph", f"nothing is known about {iri}",
                    "browse from /api/plans or search on the query page")


def _alternates(path: str) -> str:
    base = "/id/" + quote(path)
    return ", ".join(f'<{base}?format={name}>; rel="alternate"; type="{f.media_type}"'
                     for name, f in (("ttl", formats.GRAPH[0]), ("nt", formats.GRAPH[1]),
                                     ("jsonld", formats.GRAPH[2]), ("rdfxml", formats.GRAPH[3])))


def _title(rows: list[dict], iri: str) -> str:
    for prop in LABEL_PROPERTIES:
        for r in rows:
            if r["p"]["value"] == prop:
                return r["o"]["value"]
    return compact(iri)


def _term_html(term: dict | None, label: dict | None = None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        iri = term["value"]
        text = esc(label["value"]) + f' <span class="iri">{esc(compact(iri))}</span>' if label else esc(compact(iri))
        local = page_path(iri)
        if local:
            return f'<a href="{esc(quote(local, safe="/:-_.~"))}">{text}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a href="{esc(iri)}" rel="nofollow noopener">{text}</a>'
        return text
    if term["type"] == "bnode":
        return f"_:{esc(term['value'])}"
    extra = ""
    if "xml:lang" in term:
        extra = f' <span class="dt">@{esc(term["xml:lang"])}</span>'
    elif "datatype" in term:
        extra = f' <span class="dt">{esc(compact(term["datatype"]))}</span>'
    value = term["value"]
    cls = ' class="long"' if len(value) > 120 else ""
    return f"<span{cls}>{esc(value)}</span>{extra}"


def _value_html(iri: str, row: dict) -> str:
    """A property's value; a gk:sourceLine links to the gazette text at that line."""
    if row["p"]["value"] == SOURCE_LINE:
        href = "/source?" + urlencode({"iri": iri})
        return f'<a class="source-line" href="{esc(href)}">{esc(row["o"]["value"])}</a>'
    return _term_html(row["o"], row.get("oLabel"))


def _entity_body(iri: str, path: str, out: list[dict], inc: list[dict]) -> str:
    api = next((f"/api/{plural}/{path.split('/', 1)[1]}" for kind, plural in
                (("plan", "plans"), ("task", "tasks"), ("unit", "units")) if path.startswith(kind + "/")), None)
    links = " · ".join(f'<a href="{esc("/id/" + quote(path) + "?format=" + name)}">{label}</a>'
                       for name, label in (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"),
                                           ("rdfxml", "RDF/XML")))
    if api:
        links += f' · <a href="{esc(quote(api, safe="/:-_.~"))}">JSON (API)</a>'
    rows_out = "".join(f"<tr><th>{_term_html(r['p'])}</th><td>{_value_html(iri, r)}</td></tr>" for r in out)
    rows_in = "".join(f"<tr><td>{_term_html(r['x'], r.get('xLabel'))}</td><th>{_term_html(r['p'])}</th></tr>"
                      for r in inc)
    query = f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
    return f"""<main class="entity"><h1>{esc(_title(out, iri))}</h1>
<p class="iri">{esc(iri)}</p>
<p class="formats">其他格式 <span class="en">Other formats</span>: {links} ·
<a href="/#query={esc(quote(query))}">在查询页打开 <span class="en">Open in query page</span></a></p>
<h2>属性 <span class="en">Properties</span></h2>
<table class="props"><tbody>{rows_out or '<tr><td>—</td></tr>'}</tbody></table>
<h2>被引用 <span class="en">Referenced by</span></h2>
<table class="props"><tbody>{rows_in or '<tr><td>—</td></tr>'}</tbody></table></main>"""
