"""The source view: /source/{issue}?line=N — the gazette text around a line.

Every gk:sourceLine in the graph points into the input file of one issue. This page shows
that file's lines around N (the cited span highlighted, and a quoted phrase marked inside
it), breadcrumbs (gazette › plan › section) and, beside each line, the tasks that start
there. The text is read from the file the store's manifest names, after checking its
sha256 against the graph's gk:sha256 — a moved or edited file gives a clear error, never a
wrong text. The look-ups and the file read run in a query worker (api.calls "source",
"locate"), under the service's time limit, like every route that reads the store.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.errors import ApiError
from api.pages import esc, page
from api.rest import page_path
from api.runner import run_call
from kg_build.reading import InputError, decode_gazette
from ontology.namespaces import ID

router = APIRouter(tags=["Pages"])

GAZETTE = """SELECT ?g ?title ?file ?sha WHERE {
  ?g a gk:Gazette . OPTIONAL { ?g dcterms:title ?title } OPTIONAL { ?g gk:fileName ?file }
  OPTIONAL { ?g gk:sha256 ?sha } }"""
# plans of the issue, by where they start: the plan of line N is the last one starting at or before it
PLANS = """SELECT ?g ?plan ?doc ?title ?line WHERE {
  ?plan a gk:Plan ; gk:publishedIn ?g ; gk:sourceLine ?line .
  OPTIONAL { ?plan gk:docNumber ?doc } OPTIONAL { ?plan dcterms:title ?title } } ORDER BY ?line"""
# tasks of the issue with their line span (a task without gk:endLine spans its first line)
TASKS = """SELECT ?g ?task ?path ?label ?line ?end WHERE {
  ?plan gk:publishedIn ?g . ?task gk:inPlan ?plan ; gk:sourceLine ?line .
  OPTIONAL { ?task gk:endLine ?end } OPTIONAL { ?task gk:sectionPath ?path } OPTIONAL { ?task rdfs:label ?label }
} ORDER BY ?line ?path"""
# where an entity was read: its issue (through its plan, or the task or plan owning a target)
LOCATE = """SELECT ?s ?g ?line ?end WHERE {
  { ?s gk:publishedIn ?g } UNION { ?s gk:inPlan/gk:publishedIn ?g }
  UNION { ?owner gk:hasTarget ?s . ?owner gk:publishedIn|gk:inPlan/gk:publishedIn ?g }
  OPTIONAL { ?s gk:sourceLine ?line } OPTIONAL { ?s gk:endLine ?end }
} LIMIT 1"""


@dataclass(frozen=True)
class TaskSpan:
    iri: str
    path: str
    label: str
    line: int
    end: int


def source_url(issue: str, line: int, *, end: int | None = None, quote_text: str | None = None,
               context: int | None = None) -> str:
    """The source view's URL for a line (used by every page that shows a gk:sourceLine).

    >>> source_url("xuchang-gazette-2020-02", 42, quote_text="年底前")
    '/source/xuchang-gazette-2020-02?line=42&quote=%E5%B9%B4%E5%BA%95%E5%89%8D#L42'
    """
    params = {"line": line}
    if end and end != line:
        params["end"] = end
    if quote_text:
        params["quote"] = quote_text
    if context is not None:
        params["context"] = context
    return f"/source/{quote(issue)}?{urlencode(params)}#L{line}"


def issue_of(gazette_iri: str) -> str | None:
    prefix = f"{ID}gazette/"
    return gazette_iri[len(prefix):] if gazette_iri.startswith(prefix) else None


def _rows(store, sparql: str, **bindings) -> list[dict]:
    res = store.query(sparql, bindings=bindings or None)
    return [{v: (None if t is None else t.value) for v, t in zip(res.variables, row)} for row in res.rows]


def read_lines(store, issue: str) -> tuple[dict, list[str]]:
    """The gazette's description and its text as lines (1-based: lines[0] is line 1)."""
    gazette = ox.NamedNode(f"{ID}gazette/{issue}")
    found = _rows(store, GAZETTE, g=gazette)
    if not found:
        raise ApiError(404, "No such gazette issue", f"the graph has no gazette {gazette.value}",
                       "follow a source line link from a task, finding or query result")
    info = found[0]
    entry = next((i for i in store.manifest.get("inputs", []) if isinstance(i, dict)
                  and (i.get("sha256") == info["sha"] or i.get("file") == info["file"])), None)
    path = Path(entry["path"]) if entry and entry.get("path") else None
    if path is None or not path.is_file():
        raise ApiError(404, "Gazette text not available",
                       f"the store does not say where {info['file'] or issue} is, or the file has moved",
                       "rebuild the store from the gazette files (`gazettekg build FILES`)")
    data = path.read_bytes()
    if info["sha"] and hashlib.sha256(data).hexdigest() != info["sha"]:
        raise ApiError(409, "Gazette text changed", f"{path.name} no longer has the content the graph was built from",
                       "rebuild the store (`gazettekg build`) so lines and text agree again")
    try:
        text, _ = decode_gazette(data, source=path.name)  # no file-system path in a public answer
    except InputError as err:
        raise ApiError(409, "Gazette text unreadable", str(err)) from None
    return info, text.split("\n")


def _tasks(store, issue: str) -> list[TaskSpan]:
    out = []
    for r in _rows(store, TASKS, g=ox.NamedNode(f"{ID}gazette/{issue}")):
        line = int(r["line"])
        out.append(TaskSpan(r["task"], r["path"] or "", r["label"] or "", line, int(r["end"] or line)))
    return out


def _breadcrumbs(store, issue: str, info: dict, line: int, tasks: list[TaskSpan]) -> str:
    plans = _rows(store, PLANS, g=ox.NamedNode(f"{ID}gazette/{issue}"))
    plan = None
    for p in plans:
        if int(p["line"]) <= line:
            plan = p
    crumbs = [f'<a href="{esc(page_path(info["g"]) or "#")}">{esc(info["title"] or info["file"] or issue)}</a>']
    if plan:
        crumbs.append(f'<a href="{esc(page_path(plan["plan"]))}">{esc(plan["doc"] or "")} '
                      f'{esc(plan["title"] or "")}</a>')
    enclosing = [t for t in tasks if t.line <= line <= t.end]
    if enclosing:
        t = min(enclosing, key=lambda t: t.end - t.line)
        crumbs.append(f'<a href="{esc(page_path(t.iri))}">{esc(t.path)} {esc(t.label)}</a>')
    return '<nav class="crumbs" aria-label="breadcrumbs">' + " › ".join(crumbs) + "</nav>"


def _mark(text: str, phrase: str | None) -> str:
    """The line, escaped, with every occurrence of the quoted phrase in <mark>."""
    if not phrase or phrase not in text:
        return esc(text)
    return f'<mark class="quote">{esc(phrase)}</mark>'.join(esc(part) for part in text.split(phrase))


def source_body(store, issue: str, line: int, end: int | None, quote_text: str | None, context: int) -> dict:
    """The source view's title and HTML body (run in a query worker: api.calls "source")."""
    info, lines = read_lines(store, issue)
    if line > len(lines):
        raise ApiError(404, "No such line", f"{info['file'] or issue} has {len(lines)} lines, not {line}",
                       f"use a line between 1 and {len(lines)}")
    tasks = _tasks(store, issue)
    if end is None:  # a task starting here is cited with its whole span
        end = next((t.end for t in tasks if t.line == line), line)
    end = min(max(end, line), len(lines))
    first, last = max(1, line - context), min(len(lines), end + context)
    starting: dict[int, list[TaskSpan]] = {}
    for t in tasks:
        starting.setdefault(t.line, []).append(t)
    rows = []
    for n in range(first, last + 1):
        cited = line <= n <= end
        links = "".join(f'<a class="task" href="{esc(page_path(t.iri))}" title="{esc(t.label)}">'
                        f'{esc(t.path or t.label)}</a>' for t in starting.get(n, []))
        rows.append(f'<tr id="L{n}"{" class=cited" if cited else ""}><td class="ln"><a href="#L{n}">{n}</a></td>'
                    f'<td class="text">{_mark(lines[n - 1], quote_text if cited else None)}</td>'
                    f'<td class="tasks">{links}</td></tr>')
    wider = source_url(issue, line, end=end, quote_text=quote_text, context=context + 40)
    body = f"""<main class="source"><h1>原文 <span class="en">Source</span> · {esc(info['file'] or issue)}
<span class="muted">第 {line}{f'–{end}' if end != line else ''} 行 <span class="en">line {line}</span></span></h1>
{_breadcrumbs(store, issue, info, line, tasks)}
<p class="muted">第 {first}–{last} 行，共 {len(lines)} 行 <span class="en">lines {first}–{last} of {len(lines)}</span> ·
<a href="{esc(wider)}">更多上下文 <span class="en">more context</span></a></p>
<table class="source-text"><tbody>{''.join(rows)}</tbody></table></main>"""
    return {"title": f"原文 {issue}:{line} · GazetteKG", "body": body}


@router.get("/source/{issue}", response_class=HTMLResponse,
            summary="The gazette text around a source line, the cited span highlighted, with the tasks on those lines")
async def source_view(request: Request, issue: str,
                      line: int = Query(..., ge=1, description="1-based line of the input file"),
                      end: int | None = Query(None, ge=1, description="last line of the cited span (default: line)"),
                      quote_text: str | None = Query(None, alias="quote", max_length=500,
                                                     description="a phrase to mark inside the span"),
                      context: int = Query(12, ge=0, le=200, description="lines to show before and after")
                      ) -> HTMLResponse:
    got = (await run_call(request.app.state, "source", issue=issue, line=line, end=end, quote_text=quote_text,
                          context=context))["data"]
    return page(got["title"], got["body"])


def locate_url(store, iri: str, line: int | None, quote_text: str | None) -> str:
    """Where the source view of an entity is (run in a query worker: api.calls "locate")."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise ApiError(400, "Bad IRI", f"{iri!r} is not an IRI") from None
    found = _rows(store, LOCATE, s=node)
    issue = issue_of(found[0]["g"]) if found else None
    if not found or issue is None or (line is None and found[0]["line"] is None):
        raise ApiError(404, "No source line", f"the graph does not say where {iri} was read",
                       "tasks, plans and targets have source lines")
    start = line or int(found[0]["line"])
    end = int(found[0]["end"]) if line is None and found[0]["end"] else None
    return source_url(issue, start, end=end, quote_text=quote_text)


@router.get("/source", summary="The source view of an entity (task, plan, target): redirects to /source/{issue}?line=N",
            response_class=RedirectResponse, status_code=303)
async def locate(request: Request, iri: str = Query(..., description="the entity's IRI"),
                 line: int | None = Query(None, ge=1, description="a line to show instead of the entity's own"),
                 quote_text: str | None = Query(None, alias="quote", max_length=500)) -> RedirectResponse:
    url = (await run_call(request.app.state, "locate", iri=iri, line=line, quote_text=quote_text))["data"]
    return RedirectResponse(url, status_code=303)
