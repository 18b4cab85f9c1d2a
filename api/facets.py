"""The tasks page with facets (as Datasette does it): /tasks, /tasks.json, /tasks.csv.

Facets: plan, lead unit, responsible unit, region, deadline year, indicator, topic. Each
facet value shows how many of the tasks now selected have it; choosing values narrows the
selection (values of different facets and of the same facet all apply: AND), and every
state is a URL (`/tasks?lead=…&year=2020`) with the same data as .json and .csv.

Each facet is one fixed SPARQL query over (task, value, label), so a facet is added or
changed here in one line; user choices never enter query text — the selection is computed
from those pairs.

`facet_state` runs in a query worker (api.calls "tasks"; the pairs cached per worker), under
the service's time limit: on a 40-issue collection the first one took 7.9 s, once computed
in the server process where nothing could stop it. JSON and CSV hold at most `row_limit`
tasks (X-Gazettekg-Truncated says when they were cut); the page asks for its 100 rows only.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import urls
from api.errors import ApiError
from api.pages import esc, page
from api.runner import run_call

router = APIRouter(tags=["Tasks"])


@dataclass(frozen=True)
class Facet:
    name: str          # the URL parameter
    zh: str
    en: str
    sparql: str        # SELECT ?task ?value ?label


FACETS = (
    Facet("plan", "方案", "Plan", "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:inPlan ?value . "
                                  "OPTIONAL { ?value gk:docNumber ?label } }"),
    Facet("lead", "牵头单位", "Lead unit", "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:leadUnit ?value . "
                                          "OPTIONAL { ?value skos:prefLabel ?label } }"),
    Facet("responsible", "责任单位", "Responsible unit",
          "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:responsibleUnit ?value . "
          "OPTIONAL { ?value skos:prefLabel ?label } }"),
    Facet("region", "地区", "Region", "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:region ?value . "
                                     "OPTIONAL { ?value skos:prefLabel ?label } }"),
    Facet("year", "期限年份", "Deadline year",
          "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:hasDeadline/gk:date ?d . "
          "BIND(STR(YEAR(?d)) AS ?value) BIND(?value AS ?label) }"),
    Facet("indicator", "指标", "Indicator",
          "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:hasTarget/gk:indicator ?value . "
          "OPTIONAL { ?value skos:prefLabel ?label } }"),
    Facet("topic", "主题", "Topic", "SELECT ?task ?value ?label WHERE { ?task a gk:Task ; gk:hasTopic ?value . "
                                   "OPTIONAL { ?value skos:prefLabel ?label } }"),
)
BY_NAME = {f.name: f for f in FACETS}
TASKS = """SELECT ?task ?label ?path ?line ?plan ?doc WHERE {
  ?task a gk:Task . OPTIONAL { ?task rdfs:label ?label } OPTIONAL { ?task gk:sectionPath ?path }
  OPTIONAL { ?task gk:sourceLine ?line } OPTIONAL { ?task gk:inPlan ?plan . ?plan gk:docNumber ?doc } }"""
PAGE_SIZE = 100


def _rows(store, sparql: str) -> list[dict]:
    res = store.query(sparql)
    return [{v: (None if t is None else t.value) for v, t in zip(res.variables, row)} for row in res.rows]


@lru_cache(maxsize=4)
def facet_pairs(store) -> tuple[dict[str, dict[str, set[str]]], dict[str, str]]:
    """facet → value → the tasks that have it; and every value's label. Cached per open
    store (read-only while served); callers must not change what it returns."""
    out: dict[str, dict[str, set[str]]] = {}
    names: dict[str, str] = {}
    for f in FACETS:
        values = out.setdefault(f.name, {})
        for r in _rows(store, f.sparql):
            values.setdefault(r["value"], set()).add(r["task"])
            if r["label"]:
                names.setdefault(r["value"], r["label"])
    return out, names


@lru_cache(maxsize=4)
def _tasks(store) -> dict[str, dict]:
    return {r["task"]: r for r in _rows(store, TASKS)}


def chosen(request: Request) -> list[tuple[str, str]]:
    """The (facet, value) pairs in the URL, in order; an unknown parameter is an error."""
    picks = []
    for k, v in request.query_params.multi_items():
        if k in ("page",):
            continue
        if k not in BY_NAME:
            raise ApiError(400, "Unknown facet", f"{k!r} is not a facet of /tasks",
                           f"use {', '.join(BY_NAME)}")
        if v and (k, v) not in picks:
            picks.append((k, v))
    return picks


def facet_state(store, picks: list[tuple[str, str]]) -> dict:
    """The selected tasks and, for every facet, each value's count among them."""
    pairs, names = facet_pairs(store)
    tasks = _tasks(store)
    selected = set(tasks)
    for facet, value in picks:
        selected &= pairs[facet].get(value, set())
    facets = {}
    for f in FACETS:
        counts = [(value, len(holders & selected)) for value, holders in pairs[f.name].items()]
        counts = [(v, n) for v, n in counts if n]
        counts.sort(key=lambda vn: (-vn[1], names.get(vn[0], vn[0])))
        facets[f.name] = [{"value": v, "label": names.get(v, v), "count": n,
                           "selected": (f.name, v) in picks} for v, n in counts]
    rows = sorted((tasks[t] for t in selected), key=lambda r: (r["doc"] or "", int(r["line"] or 0), r["task"]))
    return {"count": len(rows), "facets": facets, "tasks": rows, "labels": names}


def state_url(picks: list[tuple[str, str]], fmt: str = "") -> str:
    return f"/tasks{fmt}" + ("?" + urlencode(picks) if picks else "")


def _toggle(picks: list[tuple[str, str]], pick: tuple[str, str]) -> list[tuple[str, str]]:
    return [p for p in picks if p != pick] if pick in picks else picks + [pick]


def _task_json(r: dict) -> dict:
    return {"task": r["task"], "label": r["label"], "sectionPath": r["path"], "doc": r["doc"], "plan": r["plan"],
            "sourceLine": int(r["line"]) if r["line"] else None}


async def _state(request: Request, picks: list[tuple[str, str]], offset: int, limit: int) -> dict:
    """The facet state, computed in a query worker (api.calls)."""
    cap = request.app.state.settings.row_limit
    # wait: a worker still computing the tables (api.calls.warm) answers "Warming up" in time
    reply = await run_call(request.app.state, "tasks", picks=[list(p) for p in picks], offset=offset,
                           limit=min(limit, cap), cap=cap, wait=0.8 * request.app.state.settings.time_limit)
    return reply["data"]


def _cut_headers(st: dict, request: Request) -> dict[str, str]:
    return {"X-Gazettekg-Rows": str(len(st["tasks"])), "X-Gazettekg-Row-Limit": str(request.app.state.settings.row_limit),
            "X-Gazettekg-Truncated": "true" if st["truncated"] else "false"}


@router.get("/tasks.json", summary="Tasks with facet counts as JSON (facets as parameters: plan, lead, responsible, "
            "region, year, indicator, topic; repeatable, combined with AND)")
async def tasks_json(request: Request) -> JSONResponse:
    picks = chosen(request)
    st = await _state(request, picks, 0, request.app.state.settings.row_limit)
    facets = {name: [{**v, "url": state_url(_toggle(picks, (name, v["value"])), ".json")} for v in values]
              for name, values in st["facets"].items()}
    return JSONResponse({"filters": [{"facet": k, "value": v, "label": st["labels"].get(v, v)} for k, v in picks],
                         "count": st["count"], "truncated": st["truncated"], "facets": facets,
                         "tasks": [_task_json(r) for r in st["tasks"]]}, headers=_cut_headers(st, request))


@router.get("/tasks.csv", summary="The tasks of a facet selection as CSV")
async def tasks_csv(request: Request) -> Response:
    st = await _state(request, chosen(request), 0, request.app.state.settings.row_limit)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["task", "doc", "sectionPath", "label", "sourceLine", "plan"])
    for r in st["tasks"]:
        w.writerow([r["task"], r["doc"] or "", r["path"] or "", r["label"] or "", r["line"] or "", r["plan"] or ""])
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="gazettekg-tasks.csv"',
                             **_cut_headers(st, request)})


def _facet_html(f: Facet, values: list[dict], total: int, picks: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li{" class=selected" if v["selected"] else ""}><a href="{esc(state_url(_toggle(picks, (f.name, v["value"]))))}"'
        f' title="{esc(v["value"])}" data-value="{esc(v["value"])}">{esc(v["label"])}</a> '
        f'<span class="count">{v["count"]}</span></li>' for v in values[:30])
    more = f'<li class="muted">… {total - 30} more (JSON)</li>' if total > 30 else ""
    empty = '<li class="muted">—</li>' if not values else ""
    return (f'<section class="facet" id="facet-{f.name}" data-facet="{f.name}"><h3>{esc(f.zh)} '
            f'<span class="en">{esc(f.en)}</span></h3><ul>{items}{more}{empty}</ul></section>')


@router.get("/tasks", response_class=HTMLResponse, summary="Tasks with facets: plan, lead unit, responsible unit, "
            "region, deadline year, indicator, topic")
async def tasks_page(request: Request) -> HTMLResponse:
    picks = chosen(request)
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    st = await _state(request, picks, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    shown = st["tasks"]
    chips = "".join(f'<a class="chip" href="{esc(state_url(_toggle(picks, p)))}" data-facet="{esc(p[0])}">'
                    f'{esc(BY_NAME[p[0]].zh)}: {esc(st["labels"].get(p[1], p[1]))} ✕</a>' for p in picks)
    rows = "".join(
        f'<tr><td>{esc(r["doc"] or "")}</td><td>{esc(r["path"] or "")}</td>'
        f'<td><a href="{esc(urls.entity(r["task"]))}" title="{esc(r["task"])}">{esc(r["label"] or r["task"])}</a></td>'
        f'<td>{"" if not r["line"] else f"""<a class="source-line" href="{esc(urls.source(r["task"]))}">{esc(r["line"])}</a>"""}'
        f'</td></tr>' for r in shown)
    pages = ""
    if st["count"] > PAGE_SIZE:
        last = (st["count"] + PAGE_SIZE - 1) // PAGE_SIZE
        pages = " ".join(f'<a href="{esc(state_url(picks + [("page", str(n))]))}">{n}</a>' if n != page_no
                         else f"<strong>{n}</strong>" for n in range(1, last + 1))
    facets = "".join(_facet_html(f, st["facets"][f.name], st["facetTotals"][f.name], picks) for f in FACETS)
    body = f"""<main class="tasks"><h1>任务 <span class="en">Tasks</span></h1>
<p><span id="task-count">{st['count']}</span> 项任务 <span class="en">tasks</span> ·
<a href="{esc(state_url(picks, '.csv'))}">CSV</a> · <a href="{esc(state_url(picks, '.json'))}">JSON</a>
{' · <a href="/tasks">清除 <span class="en">clear</span></a>' if picks else ''}</p>
<p class="chips">{chips}</p>
<div class="facets">{facets}</div>
<table class="results"><thead><tr><th>文号 <span class="en">doc</span></th><th>条目 <span class="en">section</span></th>
<th>任务 <span class="en">task</span></th><th>行 <span class="en">line</span></th></tr></thead><tbody>{rows}</tbody></table>
<p class="pages">{pages}</p></main>"""
    return page("任务 Tasks · GazetteKG", body)
