"""Cross-plan links as JSON: a task's related tasks with the evidence, and the conflicts.

    GET /api/related/{task_path}   task_path: the task IRI after task/, e.g. xuzheng-2020-7/2-2-5
    GET /api/conflicts             every gk:Conflict, most severe first

Both run in a query worker (api.calls), under the same time limit as every query, and
list at most `row_limit` items (`truncated` says when some were cut).
"""
from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from api.runner import run_call
from ontology.namespaces import ID

router = APIRouter(tags=["links"])

_TASK_PATH = re.compile(r"[a-z0-9-]+/[a-z0-9-]+\Z")




def _json(reply: dict) -> Response:
    return Response(reply["body"], media_type="application/json")


@router.get("/api/related/{task_path:path}")
async def related(request: Request, task_path: str):
    """Tasks of other plans linked to this one, strongest first, with basis, score and shared terms."""
    if not _TASK_PATH.match(task_path):
        raise HTTPException(400, f"{task_path!r}: expected a task id such as xuzheng-2020-7/2-2-5")
    iri = f"{ID}task/{task_path}"
    return _json(await run_call(request.app.state, "related", iri=iri, cap=request.app.state.settings.row_limit))


@router.get("/api/conflicts")
async def conflicts(request: Request):
    """Every conflict with its kind, severity, the zh/en explanation and the commitments involved."""
    return _json(await run_call(request.app.state, "conflicts", cap=request.app.state.settings.row_limit))
