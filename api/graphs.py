"""/graph/… — the interactive graphs researchers click through, as pages and as JSON.

    /graph/overview                      plans → tasks → units, regions
    /graph/cross                         gk:relatedTo links across plans, gk:Conflict findings
    /graph/entity?iri=…&hops=1&cap=150   the neighbourhood of any entity
    /graph/query                         a CONSTRUCT or DESCRIBE query drawn as a graph:
                                         GET ?query=… (no query: the form), or POST a form
                                         field `query` or an application/sparql-query body
    /graph/<view>.json                   the same data as JSON (the page expands nodes with it)
    /graph/static/<asset>                vis-network (from the pyvis package), graph.js, graph.css

Every view is computed in a query worker (api.calls), under the same time limit as a
query. A researcher's own query goes through `api.runner.run_query` like every other
query of the service (read-only guard, no SERVICE, worker pool, time limit, row cap);
the labels and texts of what it returns are then looked up in a worker too.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api import guard
from api.errors import ApiError
from api.runner import run_call, run_query
from viz import render, select

router = APIRouter(prefix="/graph", tags=["Graphs"])

IRI_HELP = "the entity's full IRI, e.g. https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3"


def _answer(reply: dict) -> Response:
    return Response(reply["body"], media_type=reply["media"])


async def _view(request: Request, view: str, fmt: str, **args) -> Response:
    return _answer(await run_call(request.app.state, "view", view=view, format=fmt,
                                  cap_nodes=request.app.state.settings.row_limit, **args))


@router.get("/overview", response_class=HTMLResponse, summary="Plan overview: plans → tasks → units, regions")
async def overview_page(request: Request):
    return await _view(request, "overview", "html")


@router.get("/overview.json", summary="The plan overview's nodes and edges as JSON")
async def overview_json(request: Request):
    return await _view(request, "overview", "json")


@router.get("/cross", response_class=HTMLResponse, summary="Cross-plan links (gk:relatedTo) and conflicts")
async def cross_page(request: Request):
    return await _view(request, "cross", "html")


@router.get("/cross.json", summary="The cross-plan view's nodes and edges as JSON")
async def cross_json(request: Request):
    return await _view(request, "cross", "json")


_HOPS = Query(select.DEFAULT_HOPS, ge=1, le=select.MAX_HOPS, description="links to follow from the entity")
_CAP = Query(select.DEFAULT_CAP, ge=2, le=select.MAX_CAP, description="most nodes to show")


@router.get("/entity", response_class=HTMLResponse, summary="The neighbourhood of an entity, to N hops, capped")
async def entity_page(request: Request, iri: str = Query(..., description=IRI_HELP), hops: int = _HOPS,
                      cap: int = _CAP):
    return await _view(request, "entity", "html", iri=iri, hops=hops, cap=cap)


@router.get("/entity.json", summary="The neighbourhood of an entity as JSON (used to expand a node)")
async def entity_json(request: Request, iri: str = Query(..., description=IRI_HELP), hops: int = _HOPS,
                      cap: int = _CAP):
    return await _view(request, "entity", "json", iri=iri, hops=hops, cap=cap)


async def _query_text(request: Request) -> str | None:
    if request.method == "GET":
        return request.query_params.get("query")
    body = (await request.body()).decode("utf-8", errors="replace")
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind == "application/sparql-query":
        return body
    return dict(parse_qsl(body, keep_blank_values=True)).get("query")


async def _query_graph(request: Request, text: str, fmt: str) -> dict:
    if guard.inspect(text).form not in ("CONSTRUCT", "DESCRIBE"):
        raise ApiError(400, "Not a graph query", "a graph view needs a CONSTRUCT or DESCRIBE query",
                       "write CONSTRUCT { … } WHERE { … }; SELECT results are tables (/sparql)")
    reply = await run_query(request.app.state, text, fmt="ntriples",
                            client=request.client.host if request.client else "?")
    return await run_call(request.app.state, "from_ntriples", ntriples=reply["body"],
                          truncated=reply["truncated"], format=fmt)


# One handler for GET and POST: each method gets its own operation id in the OpenAPI document.
@router.get("/query", response_class=HTMLResponse, operation_id="graph_query_page_get",
            summary="A CONSTRUCT or DESCRIBE query drawn as a graph (no query: the form)")
@router.post("/query", response_class=HTMLResponse, operation_id="graph_query_page_post",
             summary="A CONSTRUCT or DESCRIBE query (form or body) drawn as a graph")
async def query_page(request: Request):
    text = await _query_text(request)
    if not text or not text.strip():
        return HTMLResponse(render.query_form(render.EXAMPLE_QUERY))
    try:
        reply = await _query_graph(request, text, "html")
    except ApiError as err:  # a person at a form gets the form back with the message
        return HTMLResponse(render.query_form(text, f"{err.title}: {err.detail} {err.hint}".strip()),
                            status_code=err.status)
    return _answer(reply)


@router.get("/query.json", operation_id="graph_query_json_get", summary="A CONSTRUCT or DESCRIBE query's graph as JSON")
@router.post("/query.json", operation_id="graph_query_json_post",
             summary="A CONSTRUCT or DESCRIBE query's graph as JSON (query in the body)")
async def query_json(request: Request):
    text = await _query_text(request)
    if not text or not text.strip():
        raise ApiError(400, "Empty query", "the query text is empty", "send it as `query`")
    return _answer(await _query_graph(request, text, "json"))


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str):
    if name not in render.ASSETS:
        raise ApiError(404, "Not found", f"no graph asset {name!r}")
    directory, media_type = render.ASSETS[name]
    return FileResponse(directory / name, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
