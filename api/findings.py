"""Findings: /findings (HTML), /findings.json and /findings.csv — conflicts and duplicate
groups across plans, filtered by plan, unit, kind and severity.

Everything is read from the graph through the SPARQL below, so the page shows what any
built store holds. The linking work describes conflicts ever more fully (kind, severity,
a reason, a relation type …): besides the properties named here, every other literal or
IRI a gk:Conflict carries becomes a column of its own (`extra`), so a new property shows
up without a change here. Each side of a finding is quoted with its line and links to the
source view, its task and the graph (api.urls).

`gather` runs in a query worker (api.calls "findings"; cached per worker), under the
service's time limit: the first one took 11.8 s on a 40-issue collection, once computed in
the server process where nothing could stop it. JSON and CSV hold at most `row_limit`
findings (X-Gazettekg-Truncated says when they were cut); the page asks for its 100 only.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import urls
from api.pages import esc, page
from api.runner import run_call
from queries.results import compact

router = APIRouter(tags=["Findings"])

# One row per conflict × involved item. Adjust here when the vocabulary of findings grows.
CONFLICTS = """SELECT ?conflict ?kind ?severity ?comment ?commentEn ?item ?line ?quote ?task ?taskLabel ?plan ?doc
       ?goalPlan ?goalDoc
WHERE {
  ?conflict a gk:Conflict ; gk:involves ?item .
  OPTIONAL { ?conflict gk:conflictKind ?kind }
  OPTIONAL { ?conflict gk:severity ?severity }
  OPTIONAL { ?conflict rdfs:comment ?comment FILTER(LANG(?comment) = "" || LANGMATCHES(LANG(?comment), "zh")) }
  OPTIONAL { ?conflict rdfs:comment ?commentEn FILTER(LANGMATCHES(LANG(?commentEn), "en")) }
  OPTIONAL { ?item gk:sourceLine ?line }
  OPTIONAL { ?item gk:sourceText ?quote }
  # each OPTIONAL binds what it finds in one piece: an unbound ?task carried into a later
  # OPTIONAL would match every task in the store
  OPTIONAL { { ?item a gk:Task BIND(?item AS ?task) } UNION { ?task gk:hasTarget ?item ; a gk:Task }
             ?task gk:inPlan ?plan . OPTIONAL { ?task rdfs:label ?taskLabel } OPTIONAL { ?plan gk:docNumber ?doc } }
  OPTIONAL { ?goalPlan gk:hasTarget ?item ; a gk:Plan . OPTIONAL { ?goalPlan gk:docNumber ?goalDoc } }
}"""
# every other property of a conflict: shown as extra columns (reason, relation type …)
CONFLICT_EXTRA = """SELECT ?conflict ?p ?o ?oLabel WHERE {
  ?conflict a gk:Conflict ; ?p ?o .
  FILTER(?p NOT IN (rdf:type, gk:involves, gk:conflictKind, gk:severity, rdfs:comment))
  OPTIONAL { ?o skos:prefLabel|rdfs:label ?oLabel }
}"""
# tasks with their units (lead and responsible), for the unit filter and the unit column
TASK_UNITS = """SELECT ?task ?unit ?name WHERE {
  ?task gk:leadUnit|gk:responsibleUnit ?unit . OPTIONAL { ?unit skos:prefLabel ?name } }"""
# duplicate groups: pairs of tasks with the evidence that links them
EVIDENCE = """SELECT ?ev ?a ?b ?basis ?score ?term WHERE {
  ?ev a gk:RelationEvidence ; gk:evidenceFor ?a , ?b ; gk:basis ?basis ; gk:score ?score .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?ev gk:sharedTerm ?term }
}"""
TASKS = """SELECT ?task ?label ?line ?path ?plan ?doc WHERE {
  ?task a gk:Task ; gk:inPlan ?plan . OPTIONAL { ?task rdfs:label ?label } OPTIONAL { ?task gk:sourceLine ?line }
  OPTIONAL { ?task gk:sectionPath ?path } OPTIONAL { ?plan gk:docNumber ?doc } }"""

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
PAGE_SIZE = 100  # findings per HTML page; the CSV and JSON hold them all
KIND_ZH = {"ValueConflict": "数值冲突", "DeadlineConflict": "时限冲突", "ScopeConflict": "范围冲突",
           "duplicate": "重复或关联"}


@dataclass(frozen=True)
class Filters:
    plan: str | None = None       # a doc number (许政〔2020〕7号) or a plan IRI
    unit: str | None = None       # part of a unit's name, or its IRI
    kind: str | None = None       # ValueConflict · DeadlineConflict · ScopeConflict · duplicate
    severity: str | None = None   # high · medium · low

    def query_string(self, **change) -> str:
        from urllib.parse import urlencode
        values = {**{k: getattr(self, k) for k in ("plan", "unit", "kind", "severity")}, **change}
        return urlencode({k: v for k, v in values.items() if v})


def _rows(store, sparql: str) -> list[dict]:
    res = store.query(sparql)
    return [{v: (None if t is None else t.value) for v, t in zip(res.variables, row)} for row in res.rows]


def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else None


@lru_cache(maxsize=4)
def gather(store) -> list[dict]:
    """Every finding as a plain dict: conflicts first (by severity), then duplicate groups.

    Cached per open store: a served store version is read-only (a rebuild publishes a new
    one, which new workers open), and on a 40-issue collection this takes seconds.
    Callers must not change what it returns."""
    units: dict[str, list[dict]] = {}
    for r in _rows(store, TASK_UNITS):
        units.setdefault(r["task"], [])
        if all(u["iri"] != r["unit"] for u in units[r["task"]]):
            units[r["task"]].append({"iri": r["unit"], "name": r["name"] or compact(r["unit"])})
    extra: dict[str, dict[str, list[str]]] = {}
    for r in _rows(store, CONFLICT_EXTRA):
        col = extra.setdefault(r["conflict"], {}).setdefault(compact(r["p"]), [])
        value = r["oLabel"] or (compact(r["o"]) if r["o"].startswith("http") else r["o"])
        if value not in col:
            col.append(value)
    findings: dict[str, dict] = {}
    for r in _rows(store, CONFLICTS):
        f = findings.setdefault(r["conflict"], {
            "id": r["conflict"], "type": "conflict", "kind": _local(r["kind"]) or "",
            # a literal ("high") or, should the vocabulary name levels, an IRI (gk:High → high)
            "severity": (_local(r["severity"]) if (r["severity"] or "").startswith("http") else
                         r["severity"] or "").lower(),
            "comment": r["comment"] or "", "commentEn": r["commentEn"] or "", "score": None, "shared": [],
            "extra": {k: "；".join(v) for k, v in sorted(extra.get(r["conflict"], {}).items())}, "sides": {}})
        side = f["sides"].setdefault(r["item"], {
            "iri": r["item"], "line": int(r["line"]) if r["line"] else None, "quote": r["quote"] or r["taskLabel"] or "",
            "task": r["task"], "taskLabel": r["taskLabel"] or "", "plan": r["plan"] or r["goalPlan"],
            "doc": r["doc"] or r["goalDoc"] or "",
            "units": units.get(r["task"], [])})
        side["quote"] = side["quote"] or r["quote"] or ""
    conflicts = sorted(findings.values(), key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3), f["kind"], f["id"]))
    for f in conflicts:
        f["sides"] = sorted(f["sides"].values(), key=lambda s: (s["doc"], s["line"] or 0, s["iri"]))
    return conflicts + _duplicates(store, units)


def _duplicates(store, units: dict[str, list[dict]]) -> list[dict]:
    """Groups of related tasks: one per shared project or indicator, one per text-similar pair."""
    tasks = {r["task"]: r for r in _rows(store, TASKS)}
    groups: dict[tuple, dict] = {}
    for r in _rows(store, EVIDENCE):
        if r["a"] not in tasks or r["b"] not in tasks:
            continue
        key = ("text", r["a"], r["b"]) if r["basis"] == "text" or not r["term"] else (r["basis"], r["term"])
        g = groups.setdefault(key, {"basis": r["basis"], "score": 0.0, "shared": [], "tasks": set()})
        g["tasks"].update((r["a"], r["b"]))
        g["score"] = max(g["score"], float(r["score"]))
        if r["term"] and r["term"] not in g["shared"]:
            g["shared"].append(r["term"])
    out = []
    for key, g in groups.items():
        sides = []
        for t in g["tasks"]:
            row = tasks[t]
            sides.append({"iri": t, "line": int(row["line"]) if row["line"] else None, "quote": row["label"] or "",
                          "task": t, "taskLabel": row["label"] or "", "plan": row["plan"], "doc": row["doc"] or "",
                          "units": units.get(t, []), "path": row["path"] or ""})
        sides.sort(key=lambda s: (s["doc"], s["line"] or 0, s["iri"]))
        plans = len({s["plan"] for s in sides})
        out.append({"id": "duplicate:" + "|".join(str(k) for k in key), "type": "duplicate", "kind": "duplicate",
                    "severity": "", "comment": f"{g['basis']}: {'、'.join(g['shared'][:6])}".rstrip(": "),
                    "commentEn": "", "score": round(g["score"], 3), "shared": g["shared"], "basis": g["basis"],
                    "plans": plans, "extra": {}, "sides": sides})
    return sorted(out, key=lambda f: (-f["plans"], -f["score"], f["id"]))


def matches(f: dict, flt: Filters) -> bool:
    if flt.kind and f["kind"] != flt.kind:
        return False
    if flt.severity and f["severity"] != flt.severity:
        return False
    if flt.plan and not any(flt.plan in (s["doc"], s["plan"]) for s in f["sides"]):
        return False
    if flt.unit and not any(flt.unit == u["iri"] or flt.unit in u["name"] for s in f["sides"] for u in s["units"]):
        return False
    return True


def select(store, flt: Filters) -> list[dict]:
    return [f for f in gather(store) if matches(f, flt)]


def options(everything: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """(value, text) choices of the page's filter form, from all findings."""
    return {
        "plan": sorted({(s["doc"], s["doc"]) for f in everything for s in f["sides"] if s["doc"]}),
        "unit": sorted({(u["name"], u["name"]) for f in everything for s in f["sides"] for u in s["units"]}),
        "kind": sorted({(f["kind"], f'{KIND_ZH.get(f["kind"], f["kind"])} {f["kind"]}') for f in everything}),
        "severity": [(v, v) for v in sorted({f["severity"] for f in everything if f["severity"]},
                                            key=SEVERITY_ORDER.get)]}


def _filters(plan: str | None = Query(None, description="a plan's doc number (许政〔2020〕7号) or IRI"),
             unit: str | None = Query(None, description="part of a unit's name (生态环境局) or its IRI"),
             kind: str | None = Query(None, description="ValueConflict, DeadlineConflict, ScopeConflict or duplicate"),
             severity: str | None = Query(None, description="high, medium or low")) -> Filters:
    return Filters(plan or None, unit or None, kind or None, severity or None)


async def _found(request: Request, flt: Filters, offset: int = 0, limit: int | None = None,
                 options: bool = False) -> dict:
    """The matching findings, computed in a query worker (api.calls)."""
    cap = request.app.state.settings.row_limit
    # wait: a worker still computing the tables (api.calls.warm) answers "Warming up" in time
    reply = await run_call(request.app.state, "findings", filters=flt.__dict__, offset=offset,
                           limit=min(limit or cap, cap), options=options,
                           wait=0.8 * request.app.state.settings.time_limit)
    return reply["data"]


def _cut_headers(found: dict, request: Request) -> dict[str, str]:
    return {"X-Gazettekg-Rows": str(len(found["findings"])),
            "X-Gazettekg-Row-Limit": str(request.app.state.settings.row_limit),
            "X-Gazettekg-Truncated": "true" if found["truncated"] else "false"}


@router.get("/findings.json", summary="Conflicts and duplicate groups as JSON, filtered like /findings")
async def findings_json(request: Request, flt: Filters = Depends(_filters)) -> JSONResponse:
    found = await _found(request, flt)
    return JSONResponse({"filters": {k: v for k, v in flt.__dict__.items() if v}, "count": found["total"],
                         "truncated": found["truncated"], "findings": found["findings"]},
                        headers=_cut_headers(found, request))


CSV_COLUMNS = ("finding", "type", "kind", "severity", "comment", "score", "extra", "side", "doc", "line", "quote",
               "task", "units", "source")


@router.get("/findings.csv", summary="Conflicts and duplicate groups as CSV (one row per side), filtered like /findings")
async def findings_csv(request: Request, flt: Filters = Depends(_filters)) -> Response:
    found = await _found(request, flt)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    base = str(request.base_url).rstrip("/")
    for f in found["findings"]:
        extra = "；".join(f"{k}={v}" for k, v in f["extra"].items())
        for s in f["sides"]:
            w.writerow([f["id"], f["type"], f["kind"], f["severity"], f["comment"], f["score"] if f["score"] is not None
                        else "", extra, s["iri"], s["doc"], s["line"] or "", s["quote"], s["task"] or "",
                        "；".join(u["name"] for u in s["units"]), urls.source(s["iri"], s["line"], base=base)])
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="gazettekg-findings.csv"',
                             **_cut_headers(found, request)})


def _pages(flt: Filters, page_no: int, total: int) -> str:
    last = (total + PAGE_SIZE - 1) // PAGE_SIZE
    if last <= 1:
        return ""
    def link(n: int) -> str:
        qs = flt.query_string(page=str(n) if n > 1 else None)
        return f'<a href="/findings{"?" + qs if qs else ""}">{n}</a>' if n != page_no else f"<strong>{n}</strong>"
    near = sorted({1, last, *range(max(1, page_no - 3), min(last, page_no + 3) + 1)})
    return '<p class="pages">' + " ".join(link(n) for n in near) + "</p>"


def _options(name: str, values: list[tuple[str, str]], current: str | None, label: str) -> str:
    opts = [f'<option value="">{label}</option>'] + [
        f'<option value="{esc(v)}"{" selected" if v == current else ""}>{esc(text)}</option>' for v, text in values]
    return f'<select name="{name}" id="f-{name}">{"".join(opts)}</select>'


def side_html(s: dict) -> str:
    where = f'{esc(s["doc"])} 第{s["line"]}行' if s["line"] else esc(s["doc"])
    links = [f'<a class="src" href="{esc(urls.source(s["iri"], s["line"], s["quote"]))}">原文 '
             f'<span class="en">source</span></a>']
    if s["task"]:
        links.append(f'<a class="task" href="{esc(urls.entity(s["task"]))}" title="{esc(s["taskLabel"])}">任务 '
                     f'<span class="en">task</span></a>')
    links.append(f'<a class="graph" href="{esc(urls.graph(s["task"] or s["iri"]))}">图 <span class="en">graph</span></a>')
    units = "、".join(esc(u["name"]) for u in s["units"][:4])
    return (f'<li><span class="where">{where}</span> <q>{esc(s["quote"])}</q> '
            f'<span class="units muted">{units}</span> {" · ".join(links)}</li>')


def _finding_html(f: dict, extra_cols: list[str]) -> str:
    kind = f'{esc(KIND_ZH.get(f["kind"], f["kind"]))} <span class="en">{esc(f["kind"])}</span>'
    comment = esc(f["comment"]) + (f'<br><span class="en">{esc(f["commentEn"])}</span>' if f["commentEn"] else "")
    score = "" if f["score"] is None else f'{f["score"]:.2f}'
    extra = "".join(f'<td class="extra">{esc(f["extra"].get(c, ""))}</td>' for c in extra_cols)
    return (f'<tr class="finding {esc(f["type"])}" data-kind="{esc(f["kind"])}" data-severity="{esc(f["severity"])}">'
            f'<td>{kind}</td><td class="sev {esc(f["severity"])}">{esc(f["severity"])}</td><td>{score}</td>'
            f'<td class="reason">{comment}</td>{extra}<td><ul class="sides">'
            f'{"".join(side_html(s) for s in f["sides"])}</ul></td></tr>')


@router.get("/findings", response_class=HTMLResponse,
            summary="Conflicts and duplicate groups with filters; each side quoted with its line and linked")
async def findings_page(request: Request, flt: Filters = Depends(_filters),
                        page_no: int = Query(1, alias="page", ge=1)) -> HTMLResponse:
    got = await _found(request, flt, (page_no - 1) * PAGE_SIZE, PAGE_SIZE, options=True)
    shown, total, conflicts = got["findings"], got["total"], got["conflicts"]
    docs, unit_names, kinds, sevs = ([tuple(o) for o in got["options"][k]] for k in ("plan", "unit", "kind", "severity"))
    extra_cols = sorted({c for f in shown for c in f["extra"]})
    qs = flt.query_string()
    form = f"""<form class="filters" method="get" action="/findings">
{_options("plan", docs, flt.plan, "全部方案 all plans")} {_options("unit", unit_names, flt.unit, "全部单位 all units")}
{_options("kind", kinds, flt.kind, "全部类型 all kinds")} {_options("severity", sevs, flt.severity, "全部严重度 any severity")}
<button type="submit">筛选 <span class="en">Filter</span></button> <a href="/findings">清除 <span class="en">clear</span></a>
</form>"""
    head = "".join(f"<th>{esc(c)}</th>" for c in extra_cols)
    rows = "".join(_finding_html(f, extra_cols) for f in shown) or \
        f'<tr><td colspan="{5 + len(extra_cols)}">没有符合条件的发现 <span class="en">No findings match</span></td></tr>'
    body = f"""<main class="findings"><h1>发现 <span class="en">Findings</span></h1>
<p class="muted" id="findings-count">{conflicts} 个冲突，{total - conflicts} 组重复或关联
<span class="en">{conflicts} conflicts, {total - conflicts} duplicate groups</span> ·
<a href="/findings.csv{'?' + qs if qs else ''}">CSV</a> · <a href="/findings.json{'?' + qs if qs else ''}">JSON</a> ·
<a href="/graph/cross">跨方案图 <span class="en">cross-plan graph</span></a></p>
{form}
<table class="results findings-table"><thead><tr><th>类型 <span class="en">kind</span></th>
<th>严重度 <span class="en">severity</span></th><th>分数 <span class="en">score</span></th>
<th>原因 <span class="en">reason</span></th>{head}<th>各方 <span class="en">sides</span></th></tr></thead>
<tbody>{rows}</tbody></table>{_pages(flt, page_no, total)}</main>"""
    return page("发现 Findings · GazetteKG", body, scripts='<script src="/static/findings.js"></script>')
