"""/graph/… — the interactive graphs researchers click through, as pages and as JSON.

    /graph/overview                      plans → tasks → units, regions
    /graph/cross                         gk:relatedTo links across plans, gk:Conflict findings
    /graph/entity?iri=…&hops=1&cap=150   the neighbourhood of any entity
    /graph/query                         a CONSTRUCT or DESCRIBE query drawn as a graph:
                                         GET ?query=… (no query: the form), or POST a form
                                         field `query` or an application/sparql-query body
    /graph/<view>.json                   the same data as JSON (the page expands nodes with it)
    /graph/static/<asset>                vis-network (from the pyvis package), graph.js, graph.css

The fixed views read the store from `request.app.state.store` (the `get_store`
dependency). A researcher's own query goes through `api.runner.run_query` like every
other query of the service (read-only guard, no SERVICE, worker pool, time limit, row
cap); only the labels and texts of what it returns are then looked up in the store.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from api import guard
from api.errors import ApiError
from api.runner import run_query
from viz import render, select

router = APIRouter(prefix="/graph", tags=["Graphs"])

IRI_HELP = "the entity's full IRI, e.g. https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3"


def get_store(request: Request):
    """The open store the service reads (set by the app factory as `app.state.store`)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise ApiError(503, "No store", "the service has no store open for the graphs",
                       "start the service with `gazettekg serve --store DIR`")
    return store


def _page(sub) -> HTMLResponse:
    return HTMLResponse(render.page(sub, mode="served"))


def _json(sub) -> JSONResponse:
    return JSONResponse(render.graph_data(sub, render.SERVED_LINKS))


@router.get("/overview", response_class=HTMLResponse, summary="Plan overview: plans → tasks → units, regions")
def overview_page(store=Depends(get_store)):
    return _page(select.overview(store))


@router.get("/overview.json", summary="The plan overview's nodes and edges as JSON")
def overview_json(store=Depends(get_store)):
    return _json(select.overview(store))


@router.get("/cross", response_class=HTMLResponse, summary="Cross-plan links (gk:relatedTo) and conflicts")
def cross_page(store=Depends(get_store)):
    return _page(select.cross(store))


@router.get("/cross.json", summary="The cross-plan view's nodes and edges as JSON")
def cross_json(store=Depends(get_store)):
    return _json(select.cross(store))


def _neighbourhood(store, iri: str, hops: int, cap: int):
    try:
        return select.neighbourhood(store, iri, hops=hops, cap=cap)
    except select.EntityNotFound:
        raise ApiError(404, "No such entity", f"{iri!r} is not in the store",
                       "copy the IRI from an entity page or a query result") from None
    except ValueError:
        raise ApiError(400, "Bad IRI", f"{iri!r} is not an IRI", IRI_HELP) from None


_HOPS = Query(select.DEFAULT_HOPS, ge=1, le=select.MAX_HOPS, description="links to follow from the entity")
_CAP = Query(select.DEFAULT_CAP, ge=2, le=select.MAX_CAP, description="most nodes to show")


@router.get("/entity", response_class=HTMLResponse, summary="The neighbourhood of an entity, to N hops, capped")
def entity_page(iri: str = Query(..., description=IRI_HELP), hops: int = _HOPS, cap: int = _CAP,
                store=Depends(get_store)):
    return _page(_neighbourhood(store, iri, hops, cap))


@router.get("/entity.json", summary="The neighbourhood of an entity as JSON (used to expand a node)")
def entity_json(iri: str = Query(..., description=IRI_HELP), hops: int = _HOPS, cap: int = _CAP,
                store=Depends(get_store)):
    return _json(_neighbourhood(store, iri, hops, cap))


async def _query_text(request: Request) -> str | None:
    if request.method == "GET":
        return request.query_params.get("query")
    body = (await request.body()).decode("utf-8", errors="replace")
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind == "application/sparql-query":
        return body
    return dict(parse_qsl(body, keep_blank_values=True)).get("query")


async def _query_graph(request: Request, text: str):
    if guard.inspect(text).form not in ("CONSTRUCT", "DESCRIBE"):
        raise ApiError(400, "Not a graph query", "a graph view needs a CONSTRUCT or DESCRIBE query",
                       "write CONSTRUCT { … } WHERE { … }; SELECT results are tables (/sparql)")
    reply = await run_query(request.app.state, text, fmt="ntriples",
                            client=request.client.host if request.client else "?")
    triples = list(ox.parse(reply["body"], format=ox.RdfFormat.N_TRIPLES))
    store = get_store(request)
    return await run_in_threadpool(select.from_triples, store, triples, truncated=reply["truncated"])


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
        sub = await _query_graph(request, text)
    except ApiError as err:  # a person at a form gets the form back with the message
        return HTMLResponse(render.query_form(text, f"{err.title}: {err.detail} {err.hint}".strip()),
                            status_code=err.status)
    return _page(sub)


@router.get("/query.json", operation_id="graph_query_json_get", summary="A CONSTRUCT or DESCRIBE query's graph as JSON")
@router.post("/query.json", operation_id="graph_query_json_post",
             summary="A CONSTRUCT or DESCRIBE query's graph as JSON (query in the body)")
async def query_json(request: Request):
    text = await _query_text(request)
    if not text or not text.strip():
        raise ApiError(400, "Empty query", "the query text is empty", "send it as `query`")
    return _json(await _query_graph(request, text))


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str):
    if name not in render.ASSETS:
        raise ApiError(404, "Not found", f"no graph asset {name!r}")
    directory, media_type = render.ASSETS[name]
    return FileResponse(directory / name, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
