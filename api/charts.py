"""/charts: results drawn — a bar chart of any label+count library query, the timeline of
deadlines (overdue against today), and regions ranked with their GB/T 2260 codes.

Chart.js 4 is vendored under /static/vendor/chartjs (MIT, see its README there), so the
page makes no external request. The page's data comes from the library (/api/queries/…),
/api/regions and /charts/deadlines.json below.
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.errors import ApiError
from api.pages import _json_for_script, esc, page
from api.runner import run_call
from ontology.namespaces import ID
from queries.library import load_library

router = APIRouter(tags=["Charts"])

DEADLINES = """SELECT ?task ?label ?doc ?date ?phrase WHERE {
  ?task a gk:Task ; gk:hasDeadline ?deadline ; gk:inPlan/gk:docNumber ?doc .
  ?deadline gk:date ?date . OPTIONAL { ?deadline gk:sourceText ?phrase } OPTIONAL { ?task rdfs:label ?label }
} ORDER BY ?date ?doc ?task"""
# library queries that answer with a label and a count and need no parameter: the chart's choices
DEFAULT_BAR = "unit_workload"
SCRIPTS = ('<script src="/static/vendor/chartjs/chart.umd.min.js"></script>'
           '<script src="/static/chart-results.js"></script><script src="/static/charts.js"></script>')


def deadline_items(store) -> list[dict]:
    """Every task deadline as plain rows (run in a query worker: api.calls "deadlines")."""
    res = store.query(DEADLINES)
    return [{v: (None if t is None else t.value) for v, t in zip(res.variables, row)} for row in res.rows]


@router.get("/charts/deadlines.json", summary="Every task deadline (date, phrase, task, plan) for the timeline "
            "(at most row_limit; `truncated` says when cut)")
async def deadlines(request: Request) -> JSONResponse:
    cap = request.app.state.settings.row_limit
    data = (await run_call(request.app.state, "deadlines", cap=cap))["data"]
    return JSONResponse(data, headers={"X-Gazettekg-Rows": str(len(data["items"])), "X-Gazettekg-Row-Limit": str(cap),
                                       "X-Gazettekg-Truncated": "true" if data["truncated"] else "false"})


def _bar_choices() -> list[tuple[str, str]]:
    return [(q.name, f"{q.title_zh} · {q.title_en}") for q in sorted(load_library().values(), key=lambda q: q.name)
            if q.form == "SELECT" and all(p.optional for p in q.params)]


@router.get("/charts", response_class=HTMLResponse, summary="Charts: a label+count query as bars, the deadline "
            "timeline (overdue vs today), regions ranked by GB/T 2260 code")
def charts_page(query: str = Query(DEFAULT_BAR, description="a library query to draw as bars"),
                today: date | None = Query(None, description="the day that splits overdue from upcoming "
                                                             "(default: the server's date)")) -> HTMLResponse:
    choices = _bar_choices()
    if query not in dict(choices):
        raise ApiError(400, "Not a chartable query", f"{query!r} is not a library query without required parameters",
                       f"use one of {', '.join(n for n, _ in choices)}")
    options = "".join(f'<option value="{esc(n)}"{" selected" if n == query else ""}>{esc(t)}</option>'
                      for n, t in choices)
    config = {"idBase": str(ID), "today": (today or date.today()).isoformat()}
    body = f"""<main class="charts"><h1>图表 <span class="en">Charts</span></h1>
<section><h2>数量排行 <span class="en">Counts by label</span></h2>
<label>查询 <span class="en">query</span> <select id="bar-query">{options}</select></label>
<p id="bar-note" class="muted"></p><div class="chart-box"><canvas id="bar-chart" role="img"
aria-label="bar chart"></canvas></div></section>
<section><h2>期限时间线 <span class="en">Deadline timeline</span></h2><p id="timeline-note" class="muted"></p>
<div class="chart-box"><canvas id="timeline" role="img" aria-label="deadline timeline"></canvas></div></section>
<section><h2>地区排行 <span class="en">Regions ranked</span> (GB/T 2260)</h2><p id="regions-note" class="muted"></p>
<table class="results" id="regions"><thead><tr><th>#</th><th>地区 <span class="en">region</span></th>
<th>行政区划代码 <span class="en">GB/T 2260 code</span></th><th>任务 <span class="en">tasks</span></th><th></th></tr></thead>
<tbody></tbody></table></section></main>
<script id="config" type="application/json">{_json_for_script(config)}</script>"""
    return page("图表 Charts · GazetteKG", body, scripts=SCRIPTS)
