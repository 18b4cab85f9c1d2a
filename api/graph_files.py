"""Every graph view as a file for Gephi and other graph tools:

    /graph/<view>.graphml   GraphML        (view: overview · cross · entity?iri=… · query?query=…)
    /graph/<view>.gexf      GEXF 1.3

The same nodes and edges as /graph/<view> and /graph/<view>.json (the same selection,
caps and time limits), written by viz.exchange.
"""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import graphs
from api.runner import run_call
from viz import exchange

router = APIRouter(prefix="/graph", tags=["Graphs"])

WRITERS = {"graphml": (exchange.graphml, "application/graphml+xml"),
           "gexf": (exchange.gexf, "application/gexf+xml")}


def _file(reply: dict, view: str, fmt: str) -> Response:
    return Response(reply["body"], media_type=WRITERS[fmt][1],
                    headers={"Content-Disposition": f'attachment; filename="gazettekg-{view}.{fmt}"'})


async def _view(request: Request, view: str, fmt: str, **args) -> Response:
    """Computed in a query worker (api.calls), under the time limit, like /graph/<view>."""
    reply = await run_call(request.app.state, "view", view=view, format=fmt,
                           cap_nodes=request.app.state.settings.row_limit, **args)
    return _file(reply, view, fmt)


def _register(fmt: str) -> None:
    @router.get(f"/overview.{fmt}", summary=f"The plan overview as {fmt.upper()}", response_class=Response,
                operation_id=f"overview_{fmt}")
    async def overview(request: Request):
        return await _view(request, "overview", fmt)

    @router.get(f"/cross.{fmt}", summary=f"The cross-plan view as {fmt.upper()}", response_class=Response,
                operation_id=f"cross_{fmt}")
    async def cross(request: Request):
        return await _view(request, "cross", fmt)

    @router.get(f"/entity.{fmt}", summary=f"An entity's neighbourhood as {fmt.upper()}", response_class=Response,
                operation_id=f"entity_{fmt}")
    async def entity(request: Request, iri: str = Query(..., description=graphs.IRI_HELP), hops: int = graphs._HOPS,
                     cap: int = graphs._CAP):
        return await _view(request, "entity", fmt, iri=iri, hops=hops, cap=cap)

    @router.get(f"/query.{fmt}", summary=f"A CONSTRUCT or DESCRIBE query's graph as {fmt.upper()}",
                response_class=Response, operation_id=f"graph_query_{fmt}")
    async def query(request: Request, query: str = Query(..., description="a CONSTRUCT or DESCRIBE query")):
        return _file(await graphs._query_graph(request, query, fmt), "query", fmt)


for _fmt in WRITERS:
    _register(_fmt)
