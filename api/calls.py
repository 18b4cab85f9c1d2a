"""The service's own fixed computations, run inside a query worker like any query.

/api/conflicts, /api/related/…, the /graph/… views and the workbench (/tasks facets,
/findings, /charts data, /api/search, /source, the library's name suggestions) once read
the store in the server process, with no time limit (55.8 s for /api/conflicts, 11.8 s for
the first /findings on a 40-issue store), nothing to stop them and no cancellation. Here
each is a named call a worker runs against its read-only view of the store, so they get
the same time limit, kill-on-timeout, cancellation and store version as /sparql, and
lists are cut at the row cap (`cap`, said in the answer). The server process never reads
the store. A call answers with a finished body (JSON or HTML text) or plain data; a
client's mistake is a `CallError` (or an api.errors.ApiError raised by the route's own
code) that the server turns into the same error shape as everywhere else.
"""
from __future__ import annotations

import json
import threading
import time


class CallError(Exception):
    def __init__(self, status: int, title: str, detail: str, hint: str = ""):
        super().__init__(detail)
        self.status, self.title, self.detail, self.hint = status, title, detail, hint


IRI_HELP = "the entity's full IRI, e.g. https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3"


def _json(data) -> dict:
    return {"body": json.dumps(data, ensure_ascii=False), "media": "application/json"}


def _capped(sub, cap: int):
    """At most `cap` nodes (the row cap of every answer), the rest counted and said."""
    if len(sub.nodes) <= cap:
        return sub
    sub.hidden += len(sub.nodes) - cap
    sub.nodes = sub.nodes[:cap]
    sub.notes.append(f"图有 {cap + sub.hidden} 个节点，只显示前 {cap} 个。"
                     f"The view has {cap + sub.hidden} nodes; the first {cap} are shown (the service's row limit).")
    return sub.finish()


def _graph(sub, fmt: str, cap: int | None = None) -> dict:
    from viz import render
    if cap is not None:
        sub = _capped(sub, cap)
    if fmt in ("graphml", "gexf"):  # files for Gephi and other graph tools (api.graph_files)
        from viz import exchange
        return {"body": getattr(exchange, fmt)(sub), "media": f"application/{fmt}+xml"}
    if fmt == "html":
        return {"body": render.page(sub, mode="served"), "media": "text/html; charset=utf-8"}
    return _json(render.graph_data(sub, render.SERVED_LINKS))


def _cut(items: list, cap: int | None) -> tuple[list, bool]:
    """At most `cap` items (the row cap), and whether some were cut."""
    if cap is None or len(items) <= cap:
        return items, False
    return items[:cap], True


def _conflicts(store, args):
    from queries import linking
    found = linking.conflicts(store)
    shown, cut = _cut(found, args.get("cap"))
    return _json({"count": len(found), "truncated": cut, "conflicts": shown})


def _related(store, args):
    from queries import linking
    found, cut = _cut(linking.related(store, args["iri"]), args.get("cap"))
    return _json({"task": args["iri"], "truncated": cut, "related": found})


# --- the workbench: the route modules' own functions, run here ------------------------

# The facet pairs and the findings are computed once per worker and store version (their
# functions cache on the store view), which takes seconds on a large collection (7.9 s and
# 11.8 s on 40 issues). They are computed in a thread of the worker (`warm`): from its start
# for the workers of a generation (the server starting, a new store version), on the first
# request that needs them for a worker that replaced a killed one (its CPU is better spent
# on the queries that are waiting). A request waits up to `wait` seconds (the routes pass
# most of the time limit), then gets 503 "Warming up" — the worker is not killed, so the
# work goes on and the next request finds it done.
_WARM_LOCK = threading.Lock()
_WARM_DONE = threading.Event()
_WARM_STARTED: list[float] = []


def _compute(store) -> None:
    from api import facets, findings
    try:
        facets.facet_state(store, [])
        findings.gather(store)
    except Exception:  # the request that needs them computes them again and reports the error
        pass
    finally:
        _WARM_DONE.set()


def warm(store) -> None:
    """Start computing the workbench tables of `store` in a thread (once per worker)."""
    with _WARM_LOCK:
        if _WARM_STARTED:
            return
        _WARM_STARTED.append(time.monotonic())
    threading.Thread(target=_compute, args=(store,), name="workbench-warm", daemon=True).start()


def _warmed(store, args) -> None:
    warm(store)
    if _WARM_DONE.wait(timeout=max(0.0, float(args.get("wait", 0)))):
        return
    since = time.monotonic() - _WARM_STARTED[0]
    raise CallError(503, "Warming up", f"this worker has been computing the workbench's tables for {since:.0f} s "
                    "(once per worker and store version)", "try again in a few seconds")


def _tasks(store, args):
    """/tasks: the facet state of a selection, rows `offset`…`offset+limit`, facets cut at `cap`."""
    from api import facets
    _warmed(store, args)
    picks = [tuple(p) for p in args["picks"]]
    st = facets.facet_state(store, picks)
    start, cap = args["offset"], args["cap"]
    rows, cut = _cut(st["tasks"][start:], args["limit"])
    return {"data": {"count": st["count"], "truncated": cut, "offset": start, "tasks": rows,
                     "facets": {name: values[:cap] for name, values in st["facets"].items()},
                     "facetTotals": {name: len(values) for name, values in st["facets"].items()},
                     "labels": {v: st["labels"].get(v, v) for _, v in picks}}}


def _findings(store, args):
    """/findings: the findings matching the filters, `offset`…`offset+limit`, and (for the
    page's filter form) the plans, units, kinds and severities of all findings."""
    from api import findings
    _warmed(store, args)
    everything = findings.gather(store)
    found = [f for f in everything if findings.matches(f, findings.Filters(**args["filters"]))]
    start = args["offset"]
    shown, cut = _cut(found[start:], args["limit"])
    out = {"total": len(found), "conflicts": sum(f["type"] == "conflict" for f in found), "offset": start,
           "truncated": cut, "findings": shown}
    if args.get("options"):
        out["options"] = findings.options(everything)
    return {"data": out}


def _deadlines(store, args):
    from api import charts
    items = charts.deadline_items(store)
    shown, cut = _cut(items, args["cap"])
    return {"data": {"count": len(items), "truncated": cut, "items": shown}}


def _search(store, args):
    from queries import names
    found, near = names.match(args["q"], names.candidates(store), kind=args["kind"])
    return {"data": {"matches": [h.as_dict() for h in found], "suggestions": [h.as_dict() for h in near]}}


def _suggest(store, args):
    from queries.names import suggest_for_params
    return {"data": suggest_for_params(store, args["params"])}


def _source(store, args):
    from api import source
    return {"data": source.source_body(store, **args)}


def _locate(store, args):
    from api import source
    return {"data": source.locate_url(store, **args)}


def _view(store, args):
    from viz import select
    name = args["view"]
    if name == "overview":
        sub = select.overview(store)
    elif name == "cross":
        sub = select.cross(store)
    else:
        try:
            sub = select.neighbourhood(store, args["iri"], hops=args["hops"], cap=args["cap"])
        except select.EntityNotFound:
            raise CallError(404, "No such entity", f"{args['iri']!r} is not in the store",
                            "copy the IRI from an entity page or a query result") from None
        except ValueError:
            raise CallError(400, "Bad IRI", f"{args['iri']!r} is not an IRI", IRI_HELP) from None
    return _graph(sub, args["format"], args.get("cap_nodes"))


def _from_ntriples(store, args):
    import pyoxigraph as ox
    from viz import select
    triples = list(ox.parse(args["ntriples"], format=ox.RdfFormat.N_TRIPLES))
    return _graph(select.from_triples(store, triples, truncated=args["truncated"]), args["format"])


CALLS = {"conflicts": _conflicts, "related": _related, "view": _view, "from_ntriples": _from_ntriples,
         "tasks": _tasks, "findings": _findings, "deadlines": _deadlines, "search": _search, "suggest": _suggest,
         "source": _source, "locate": _locate}


def run(store, name: str, args: dict) -> dict:
    """Run call `name` against `store` (an EmbeddedStore-like view with `.query`)."""
    from api.errors import ApiError
    if name not in CALLS:
        raise CallError(404, "Not found", f"no such computation {name!r}")
    try:
        return CALLS[name](store, args)
    except ApiError as err:  # a route's own check (no such gazette, bad IRI …), raised in the worker
        raise CallError(err.status, err.title, err.detail, err.hint) from None
