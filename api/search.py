"""/api/search?q=…&kind=unit|region|project — units, regions and projects by any spelling
or part of a name, with suggestions when nothing matches (queries.names)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.errors import ApiError
from api.graphs import get_store
from queries import names

router = APIRouter(tags=["Search"])


@router.get("/api/search", summary="Find units, regions and projects by any alias or part of a name "
            "(市环保局, 生态环境局); suggestions when nothing matches")
def search(q: str = Query(..., min_length=1, max_length=100, description="a name, an alias or part of one"),
           kind: str | None = Query(None, description="unit, region or project; left out, all three"),
           store=Depends(get_store)) -> dict:
    if kind is not None and kind not in names.KINDS:
        raise ApiError(400, "Unknown kind", f"{kind!r} is not a kind of named entity", "use unit, region or project")
    found, near = names.match(q, names.candidates(store), kind=kind)
    return {"query": q, "variants": names.variants(q), "count": len(found),
            "matches": [h.as_dict() for h in found], "suggestions": [h.as_dict() for h in near]}
