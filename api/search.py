"""/api/search?q=…&kind=unit|region|project — units, regions and projects by any spelling
or part of a name, with suggestions when nothing matches (queries.names). The matching
runs in a query worker (api.calls "search"), under the service's time limit."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request

from api.errors import ApiError
from api.runner import run_call
from queries import names

router = APIRouter(tags=["Search"])


@router.get("/api/search", summary="Find units, regions and projects by any alias or part of a name "
            "(市环保局, 生态环境局); suggestions when nothing matches")
async def search(request: Request, q: str = Query(..., min_length=1, max_length=100, description="a name, an alias or part of one"),
           kind: str | None = Query(None, description="unit, region or project; left out, all three")) -> dict:
    if kind is not None and kind not in names.KINDS:
        raise ApiError(400, "Unknown kind", f"{kind!r} is not a kind of named entity", "use unit, region or project")
    data = (await run_call(request.app.state, "search", q=q, kind=kind))["data"]
    return {"query": q, "variants": names.variants(q), "count": len(data["matches"]), **data}
