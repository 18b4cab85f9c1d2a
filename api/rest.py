"""REST under /api/: plans, tasks, units, regions, projects and the query library.

Every list is also a CSV (`?format=csv`). Entity ids are the IRI after its kind, e.g. the
task https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-1-3 is /api/tasks/xuzheng-2020-7/2-1-3.
Values reach the queries only as bound RDF terms; the project prefixes (gk:, skos: …) are
predefined by the engine, so the query texts below do not repeat them.
"""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api import formats
from api.errors import ApiError
from api.runner import result_headers, run_query
from ontology.namespaces import ID

router = APIRouter(prefix="/api", tags=["REST"])

PLANS = """SELECT ?plan ?docNumber ?title ?issued ?issuer ?issuerLabel ?tasks ?goals WHERE {
  ?plan a gk:Plan .
  OPTIONAL { ?plan gk:docNumber ?docNumber } OPTIONAL { ?plan dcterms:title ?title }
  OPTIONAL { ?plan dcterms:issued ?issued }
  OPTIONAL { ?plan gk:issuedBy ?issuer OPTIONAL { ?issuer skos:prefLabel ?issuerLabel } }
  OPTIONAL { SELECT ?plan (COUNT(DISTINCT ?t) AS ?tasks) WHERE { ?t gk:inPlan ?plan } GROUP BY ?plan }
  OPTIONAL { SELECT ?plan (COUNT(DISTINCT ?g) AS ?goals) WHERE { ?plan a gk:Plan ; gk:hasTarget ?g } GROUP BY ?plan }
} ORDER BY ?issued ?plan"""

PLAN = """SELECT ?plan ?docNumber ?title ?noticeTitle ?issued ?issuer ?issuerLabel ?gazette ?gazetteTitle
       ?fileName ?sourceLine WHERE {
  ?plan a gk:Plan .
  OPTIONAL { ?plan gk:docNumber ?docNumber } OPTIONAL { ?plan dcterms:title ?title }
  OPTIONAL { ?plan gk:noticeTitle ?noticeTitle } OPTIONAL { ?plan dcterms:issued ?issued }
  OPTIONAL { ?plan gk:sourceLine ?sourceLine }
  OPTIONAL { ?plan gk:issuedBy ?issuer OPTIONAL { ?issuer skos:prefLabel ?issuerLabel } }
  OPTIONAL { ?plan gk:publishedIn ?gazette OPTIONAL { ?gazette dcterms:title ?gazetteTitle }
             OPTIONAL { ?gazette gk:fileName ?fileName } }
} LIMIT 1"""

PLAN_TASKS = """SELECT ?plan ?task ?sectionPath ?label ?sourceLine WHERE {
  ?task gk:inPlan ?plan . OPTIONAL { ?task gk:sectionPath ?sectionPath }
  OPTIONAL { ?task rdfs:label ?label } OPTIONAL { ?task gk:sourceLine ?sourceLine }
} ORDER BY ?sourceLine ?sectionPath"""

TARGETS = """SELECT ?owner ?target ?indicator ?indicatorLabel ?value ?valueLow ?unitOfMeasure ?comparator
       ?sourceText ?sourceLine ?dueDate WHERE {
  ?owner gk:hasTarget ?target .
  OPTIONAL { ?target gk:indicator ?indicator OPTIONAL { ?indicator skos:prefLabel ?indicatorLabel } }
  OPTIONAL { ?target gk:value ?value } OPTIONAL { ?target gk:valueLow ?valueLow }
  OPTIONAL { ?target gk:unitOfMeasure ?unitOfMeasure } OPTIONAL { ?target gk:comparator ?comparator }
  OPTIONAL { ?target gk:sourceText ?sourceText } OPTIONAL { ?target gk:sourceLine ?sourceLine }
  OPTIONAL { ?target gk:dueBy/gk:date ?dueDate }
} ORDER BY ?sourceLine ?target"""

TASK = """SELECT ?task ?plan ?docNumber ?planTitle ?sectionPath ?label ?text ?sourceLine ?endLine ?fileName
WHERE {
  ?task a gk:Task .
  OPTIONAL { ?task gk:inPlan ?plan OPTIONAL { ?plan gk:docNumber ?docNumber }
             OPTIONAL { ?plan dcterms:title ?planTitle }
             OPTIONAL { ?plan gk:publishedIn/gk:fileName ?fileName } }
  OPTIONAL { ?task gk:sectionPath ?sectionPath } OPTIONAL { ?task rdfs:label ?label }
  OPTIONAL { ?task gk:text ?text } OPTIONAL { ?task gk:sourceLine ?sourceLine }
  OPTIONAL { ?task gk:endLine ?endLine }
} LIMIT 1"""

TASK_UNITS = """SELECT ?task ?unit ?unitLabel ?role WHERE {
  VALUES (?roleProperty ?role) { (gk:leadUnit "lead") (gk:responsibleUnit "responsible") }
  ?task ?roleProperty ?unit . OPTIONAL { ?unit skos:prefLabel ?unitLabel }
} ORDER BY ?role ?unitLabel"""

TASK_DEADLINES = """SELECT ?task ?deadline ?date ?sourceText WHERE {
  ?task gk:hasDeadline ?deadline .
  OPTIONAL { ?deadline gk:date ?date } OPTIONAL { ?deadline gk:sourceText ?sourceText }
} ORDER BY ?date"""

TASK_LINKS = """SELECT ?task ?kind ?other ?otherLabel WHERE {
  { VALUES (?property ?kind) { (gk:region "regions") (gk:mentionsProject "projects") (gk:relatedTo "related") }
    ?task ?property ?other .
    OPTIONAL { ?other skos:prefLabel|rdfs:label ?otherLabel } }
  UNION
  { ?other gk:involves ?task . BIND("conflicts" AS ?kind) OPTIONAL { ?other rdfs:comment ?otherLabel } }
} ORDER BY ?kind ?otherLabel ?other"""

UNITS = """SELECT ?unit ?label ?altLabels ?lead ?responsible WHERE {
  ?unit a gk:Unit . OPTIONAL { ?unit skos:prefLabel ?label }
  OPTIONAL { SELECT ?unit (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?altLabels)
             WHERE { ?unit a gk:Unit ; skos:altLabel ?alt } GROUP BY ?unit }
  OPTIONAL { SELECT ?unit (COUNT(DISTINCT ?t) AS ?lead) WHERE { ?t gk:leadUnit ?unit } GROUP BY ?unit }
  OPTIONAL { SELECT ?unit (COUNT(DISTINCT ?t) AS ?responsible) WHERE { ?t gk:responsibleUnit ?unit } GROUP BY ?unit }
} ORDER BY ?label ?unit"""

UNIT = """SELECT ?unit ?label ?altLabel WHERE {
  ?unit a gk:Unit . OPTIONAL { ?unit skos:prefLabel ?label } OPTIONAL { ?unit skos:altLabel ?altLabel }
} ORDER BY ?altLabel"""

UNIT_TASKS = """SELECT ?unit ?task ?role ?label ?sectionPath ?plan ?docNumber ?sourceLine WHERE {
  VALUES (?roleProperty ?role) { (gk:leadUnit "lead") (gk:responsibleUnit "responsible") }
  ?task ?roleProperty ?unit .
  OPTIONAL { ?task rdfs:label ?label } OPTIONAL { ?task gk:sectionPath ?sectionPath }
  OPTIONAL { ?task gk:sourceLine ?sourceLine }
  OPTIONAL { ?task gk:inPlan ?plan OPTIONAL { ?plan gk:docNumber ?docNumber } }
} ORDER BY ?docNumber ?sourceLine ?role"""

UNIT_PLANS = """SELECT ?unit ?plan ?docNumber ?title WHERE {
  ?plan gk:issuedBy ?unit . OPTIONAL { ?plan gk:docNumber ?docNumber } OPTIONAL { ?plan dcterms:title ?title }
} ORDER BY ?docNumber"""

REGIONS = """SELECT ?region ?label ?adminCode ?tasks WHERE {
  ?region a gk:Region . OPTIONAL { ?region skos:prefLabel ?label } OPTIONAL { ?region gk:adminCode ?adminCode }
  OPTIONAL { SELECT ?region (COUNT(DISTINCT ?t) AS ?tasks) WHERE { ?t gk:region ?region } GROUP BY ?region }
} ORDER BY ?adminCode ?label ?region"""

PROJECTS = """SELECT ?project ?label ?tasks WHERE {
  ?project a gk:Project . OPTIONAL { ?project skos:prefLabel ?label }
  OPTIONAL { SELECT ?project (COUNT(DISTINCT ?t) AS ?tasks) WHERE { ?t gk:mentionsProject ?project }
             GROUP BY ?project }
} ORDER BY ?label ?project"""


# --- helpers -------------------------------------------------------------------------------

def _value(row: dict, name: str):
    """A cell as JSON: numbers as numbers, everything else as its lexical form."""
    term = row.get(name)
    if term is None:
        return None
    dt = term.get("datatype", "")
    if dt.endswith(("#integer", "#int", "#long")):
        return int(term["value"])
    if dt.endswith(("#decimal", "#double", "#float")):
        number = float(term["value"])
        return int(number) if number.is_integer() and dt.endswith("#decimal") else number
    return term["value"]


def _ref(row: dict, var: str, kind: str, label_var: str | None = None) -> dict | None:
    """An entity reference: IRI, local id, label and the links to it."""
    iri = _value(row, var)
    if iri is None:
        return None
    ref = {"iri": iri, "id": local_id(iri, kind), "href": page_path(iri)}
    if label_var:
        ref["label"] = _value(row, label_var)
    api = API_OF.get(kind)
    if api and ref["id"] is not None:
        ref["api"] = f"/api/{api}/{ref['id']}"
    return ref


API_OF = {"plan": "plans", "task": "tasks", "unit": "units"}


def local_id(iri: str, kind: str) -> str | None:
    """'https://w3id.org/gazettekg/id/task/a/b', 'task' → 'a/b'; None for other IRIs."""
    base = f"{ID}{kind}/"
    return iri[len(base):] if iri.startswith(base) else None


def page_path(iri: str) -> str | None:
    """Where this service dereferences an IRI of the id: namespace."""
    return "/id/" + iri[len(str(ID)):] if iri.startswith(str(ID)) else None


async def _rows(request: Request, text: str, **bindings) -> tuple[list[dict], bool]:
    reply = await run_query(request.app.state, text, fmt="rows", bindings=bindings)
    return reply["data"]["rows"], reply["truncated"]


async def _entity(request: Request, text: str, kind: str, local: str, what: str) -> dict:
    iri = f"{ID}{kind}/{local}"
    rows, _ = await _rows(request, text, **{kind: _iri(iri)})
    if not rows:
        raise ApiError(404, f"No such {what}", f"the graph has no {what} {iri}",
                       f"list them at /api/{API_OF.get(kind, kind + 's')}")
    return rows[0]


def _iri(iri: str):
    import pyoxigraph as ox
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise ApiError(400, "Bad identifier", f"{iri!r} is not a valid IRI") from None


def _listing(request: Request, items: list[dict], truncated: bool):
    """The JSON list, or the same as CSV with `?format=csv` (nested references by IRI)."""
    fmt = request.query_params.get("format", "json").lower()
    if fmt == "csv":
        return _csv_response(items)
    if fmt != "json":
        raise ApiError(400, "Unknown format", f"format={fmt!r}", "use format=json or format=csv")
    return {"count": len(items), "truncated": truncated, "items": items}


def _csv_response(items: list[dict]) -> Response:
    columns = list(dict.fromkeys(k for item in items for k in item))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for item in items:
        w.writerow([_flat(item.get(c)) for c in columns])
    return Response(buf.getvalue(), media_type="text/csv")


def _flat(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        return str(v.get("iri", ""))
    if isinstance(v, list):
        return "|".join(_flat(x) for x in v)
    return str(v)


def _target(row: dict) -> dict:
    return {"iri": _value(row, "target"), "href": page_path(_value(row, "target")),
            "indicator": _value(row, "indicatorLabel"), "value": _value(row, "value"),
            "valueLow": _value(row, "valueLow"), "unitOfMeasure": _value(row, "unitOfMeasure"),
            "comparator": (_value(row, "comparator") or "").rpartition("#")[2] or None,
            "dueDate": _value(row, "dueDate"), "sourceText": _value(row, "sourceText"),
            "sourceLine": _value(row, "sourceLine")}


# --- routes ----------------------------------------------------------------------------------

@router.get("/plans", summary="Plans (方案) with their notice data and task counts")
async def plans(request: Request):
    rows, cut = await _rows(request, PLANS)
    items = [{**_ref(r, "plan", "plan"), "docNumber": _value(r, "docNumber"), "title": _value(r, "title"),
              "issued": _value(r, "issued"), "issuedBy": _ref(r, "issuer", "unit", "issuerLabel"),
              "tasks": _value(r, "tasks") or 0, "goals": _value(r, "goals") or 0} for r in rows]
    return _listing(request, items, cut)


@router.get("/plans/{plan_id}", summary="One plan with its tasks and plan-level goals")
async def plan(request: Request, plan_id: str):
    r = await _entity(request, PLAN, "plan", plan_id, "plan")
    iri = _value(r, "plan")
    tasks, cut = await _rows(request, PLAN_TASKS, plan=_iri(iri))
    goals, _ = await _rows(request, TARGETS, owner=_iri(iri))
    return {**_ref(r, "plan", "plan"), "docNumber": _value(r, "docNumber"), "title": _value(r, "title"),
            "noticeTitle": _value(r, "noticeTitle"), "issued": _value(r, "issued"),
            "issuedBy": _ref(r, "issuer", "unit", "issuerLabel"),
            "source": {"gazette": _ref(r, "gazette", "gazette", "gazetteTitle"), "file": _value(r, "fileName"),
                       "line": _value(r, "sourceLine")},
            "goals": [_target(g) for g in goals],
            "tasks": [{**_ref(t, "task", "task"), "sectionPath": _value(t, "sectionPath"),
                       "label": _value(t, "label"), "sourceLine": _value(t, "sourceLine")} for t in tasks],
            "truncated": cut}


@router.get("/tasks/{task_id:path}", summary="One task: units with roles, deadlines, targets, source text and line")
async def task(request: Request, task_id: str):
    r = await _entity(request, TASK, "task", task_id, "task")
    iri = _iri(_value(r, "task"))
    units, _ = await _rows(request, TASK_UNITS, task=iri)
    deadlines, _ = await _rows(request, TASK_DEADLINES, task=iri)
    targets, _ = await _rows(request, TARGETS, owner=iri)
    links, _ = await _rows(request, TASK_LINKS, task=iri)
    grouped: dict[str, list] = {"regions": [], "projects": [], "related": [], "conflicts": []}
    kind_of = {"regions": "region", "projects": "project", "related": "task", "conflicts": "conflict"}
    for link in links:
        kind = _value(link, "kind")
        grouped[kind].append(_ref(link, "other", kind_of[kind], "otherLabel"))
    return {**_ref(r, "task", "task"), "label": _value(r, "label"), "sectionPath": _value(r, "sectionPath"),
            "plan": {**(_ref(r, "plan", "plan") or {}), "docNumber": _value(r, "docNumber"),
                     "title": _value(r, "planTitle")},
            "units": [{**_ref(u, "unit", "unit", "unitLabel"), "role": _value(u, "role")} for u in units],
            "deadlines": [{"iri": _value(d, "deadline"), "href": page_path(_value(d, "deadline")),
                           "date": _value(d, "date"), "sourceText": _value(d, "sourceText")} for d in deadlines],
            "targets": [_target(t) for t in targets],
            **grouped,
            "source": {"file": _value(r, "fileName"), "line": _value(r, "sourceLine"),
                       "endLine": _value(r, "endLine"), "text": _value(r, "text")}}


@router.get("/units", summary="Units (government bodies) with their task counts by role")
async def units(request: Request):
    rows, cut = await _rows(request, UNITS)
    items = [{**_ref(r, "unit", "unit", "label"),
              "altLabels": [a for a in (_value(r, "altLabels") or "").split("|") if a],
              "leadTasks": _value(r, "lead") or 0, "responsibleTasks": _value(r, "responsible") or 0}
             for r in rows]
    return _listing(request, items, cut)


@router.get("/units/{unit_id:path}", summary="One unit with the tasks it leads or shares and the plans it issued")
async def unit(request: Request, unit_id: str):
    first = await _entity(request, UNIT, "unit", unit_id, "unit")
    iri = _iri(_value(first, "unit"))
    names, _ = await _rows(request, UNIT, unit=iri)
    tasks, cut = await _rows(request, UNIT_TASKS, unit=iri)
    issued, _ = await _rows(request, UNIT_PLANS, unit=iri)
    return {**_ref(first, "unit", "unit", "label"),
            "altLabels": sorted({_value(n, "altLabel") for n in names} - {None}),
            "plansIssued": [{**_ref(p, "plan", "plan"), "docNumber": _value(p, "docNumber"),
                             "title": _value(p, "title")} for p in issued],
            "tasks": [{**_ref(t, "task", "task", "label"), "role": _value(t, "role"),
                       "sectionPath": _value(t, "sectionPath"), "docNumber": _value(t, "docNumber"),
                       "sourceLine": _value(t, "sourceLine")} for t in tasks],
            "truncated": cut}


@router.get("/regions", summary="Regions (行政区划、园区) with their GB/T 2260 codes and task counts")
async def regions(request: Request):
    rows, cut = await _rows(request, REGIONS)
    items = [{**_ref(r, "region", "region", "label"), "adminCode": _value(r, "adminCode"),
              "tasks": _value(r, "tasks") or 0} for r in rows]
    return _listing(request, items, cut)


@router.get("/projects", summary="Named projects and facilities with the number of tasks that mention them")
async def projects(request: Request):
    rows, cut = await _rows(request, PROJECTS)
    items = [{**_ref(r, "project", "project", "label"), "tasks": _value(r, "tasks") or 0} for r in rows]
    return _listing(request, items, cut)


# --- the query library -----------------------------------------------------------------------

def _library():
    from queries.library import load_library
    return load_library()


def describe_query(q) -> dict:
    example = urlencode({p.name: p.example for p in q.params if not p.optional})
    return {"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en, "description": q.description,
            "form": q.form, "text": q.text,
            "params": [{"name": p.name, "type": p.type, "example": p.example, "description": p.description,
                        "optional": p.optional} for p in q.params],
            "href": f"/api/queries/{q.name}", "example": f"/api/queries/{q.name}" + (f"?{example}" if example else "")}


@router.get("/queries", summary="The query library: named, documented queries with parameters")
def queries():
    items = [describe_query(q) for q in _library().values()]
    return {"count": len(items), "items": items}


@router.get("/queries/{name}", summary="Run a library query; parameters as ?name=value; JSON or CSV",
            response_class=Response,
            responses={200: {"description": "SPARQL JSON results (with `truncated`), CSV with ?format=csv or "
                                            "Accept: text/csv; Turtle etc. for CONSTRUCT queries"}})
async def run_library_query(request: Request, name: str):
    from queries.library import ParamError
    library = _library()
    if name not in library:
        raise ApiError(404, "No such library query", f"the library has no query named {name!r}",
                       "GET /api/queries lists them")
    q = library[name]
    raw = {k: v for k, v in request.query_params.items() if k != "format"}
    for k in raw:
        if len(request.query_params.getlist(k)) > 1:
            raise ApiError(400, "Parameter given twice", f"{k!r} appears more than once")
    try:
        bindings = q.bindings(raw)
    except ParamError as err:
        raise ApiError(400, "Bad parameter", str(err),
                       "parameters: " + (", ".join(f"{p.name}={p.example}" for p in q.params) or "none")) from None
    try:
        chosen = formats.negotiate(q.form, request.headers.get("accept"), request.query_params.get("format"))
    except formats.NotAcceptable as err:
        raise ApiError(406, "Not acceptable", str(err), "use format=json or format=csv") from None
    reply = await run_query(request.app.state, q.text, fmt=chosen.name, bindings=bindings)
    media = "application/json" if chosen.name == "json" else chosen.media_type
    body = reply["body"]
    if reply["count"] == 0 and chosen.name == "json":  # a name that matched nothing: say what it may mean
        body = await _with_suggestions(request, body, raw)
    return Response(body, media_type=media,
                    headers=result_headers(reply, request.app.state.settings.row_limit) | {"Vary": "Accept"})


async def _with_suggestions(request: Request, body: bytes, params: dict[str, str]) -> bytes:
    """An empty JSON answer plus `suggestions`: for each name parameter (unit, region,
    project), the entities it may have meant (queries.names, run in a query worker)."""
    import json

    from api.runner import run_call
    from queries.names import NAME_PARAMS
    wanted = {k: v for k, v in params.items() if k in NAME_PARAMS and v}
    found = (await run_call(request.app.state, "suggest", params=wanted))["data"] if wanted else {}
    if not found:
        return body
    doc = json.loads(body)
    doc["suggestions"] = found
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
