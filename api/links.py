"""Cross-plan links as JSON: a task's related tasks with the evidence, and the conflicts.

    GET /api/related/{task_path}   task_path: the task IRI after task/, e.g. xuzheng-2020-7/2-2-5
    GET /api/conflicts             every gk:Conflict, most severe first

The store comes from the `get_store` dependency (request.app.state.store), so the app
decides how the store is opened and tests can override it.
"""
from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request

from ontology.namespaces import ID
from queries import linking

router = APIRouter(tags=["links"])

_TASK_PATH = re.compile(r"[a-z0-9-]+/[a-z0-9-]+\Z")


def get_store(request: Request):
    """The open store of the running app (set as app.state.store when the app starts)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise HTTPException(503, "no store is open: start the app with a built store")
    return store


@router.get("/api/related/{task_path:path}")
def related(task_path: str, store=Depends(get_store)) -> dict:
    """Tasks of other plans linked to this one, strongest first, with basis, score and shared terms."""
    if not _TASK_PATH.match(task_path):
        raise HTTPException(400, f"{task_path!r}: expected a task id such as xuzheng-2020-7/2-2-5")
    iri = f"{ID}task/{task_path}"
    return {"task": iri, "related": linking.related(store, iri)}


@router.get("/api/conflicts")
def conflicts(store=Depends(get_store)) -> dict:
    """Every conflict with its kind, severity, the zh/en explanation and the commitments involved."""
    found = linking.conflicts(store)
    return {"count": len(found), "conflicts": found}
