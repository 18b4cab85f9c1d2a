"""Every graph view as a file for Gephi and other graph tools:

    /graph/<view>.graphml   GraphML        (view: overview · cross · entity?iri=… · query?query=…)
    /graph/<view>.gexf      GEXF 1.3

The same nodes and edges as /graph/<view> and /graph/<view>.json (the same selection,
caps and time limits), written by viz.exchange.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import graphs
from viz import exchange, select

router = APIRouter(prefix="/graph", tags=["Graphs"])

WRITERS = {"graphml": (exchange.graphml, "application/graphml+xml"),
           "gexf": (exchange.gexf, "application/gexf+xml")}


def _file(sub, view: str, fmt: str) -> Response:
    write, media = WRITERS[fmt]
    return Response(write(sub), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="gazettekg-{view}.{fmt}"'})


def _register(fmt: str) -> None:
    @router.get(f"/overview.{fmt}", summary=f"The plan overview as {fmt.upper()}", response_class=Response,
                operation_id=f"overview_{fmt}")
    def overview(store=Depends(graphs.get_store)):
        return _file(select.overview(store), "overview", fmt)

    @router.get(f"/cross.{fmt}", summary=f"The cross-plan view as {fmt.upper()}", response_class=Response,
                operation_id=f"cross_{fmt}")
    def cross(store=Depends(graphs.get_store)):
        return _file(select.cross(store), "cross", fmt)

    @router.get(f"/entity.{fmt}", summary=f"An entity's neighbourhood as {fmt.upper()}", response_class=Response,
                operation_id=f"entity_{fmt}")
    def entity(iri: str = Query(..., description=graphs.IRI_HELP), hops: int = graphs._HOPS,
               cap: int = graphs._CAP, store=Depends(graphs.get_store)):
        return _file(graphs._neighbourhood(store, iri, hops, cap), "entity", fmt)

    @router.get(f"/query.{fmt}", summary=f"A CONSTRUCT or DESCRIBE query's graph as {fmt.upper()}",
                response_class=Response, operation_id=f"graph_query_{fmt}")
    async def query(request: Request, query: str = Query(..., description="a CONSTRUCT or DESCRIBE query")):
        return _file(await graphs._query_graph(request, query), "query", fmt)


for _fmt in WRITERS:
    _register(_fmt)
