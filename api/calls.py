"""The service's own fixed computations, run inside a query worker like any query.

/api/conflicts, /api/related/…, and the /graph/… views once read the store in the server
process, with no time limit (55.8 s for /api/conflicts on a 40-issue store) and nothing to
stop them. Here each is a named call a worker runs against its read-only view of the
store, so they get the same time limit, kill-on-timeout and store version as /sparql. A
call answers with a finished body (JSON or HTML text); a client's mistake is a `CallError`
that the server turns into the same error shape as everywhere else.
"""
from __future__ import annotations

import json


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


def _conflicts(store, args):
    from queries import linking
    found = linking.conflicts(store)
    return _json({"count": len(found), "conflicts": found})


def _related(store, args):
    from queries import linking
    return _json({"task": args["iri"], "related": linking.related(store, args["iri"])})


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


CALLS = {"conflicts": _conflicts, "related": _related, "view": _view, "from_ntriples": _from_ntriples}


def run(store, name: str, args: dict) -> dict:
    """Run call `name` against `store` (an EmbeddedStore-like view with `.query`)."""
    if name not in CALLS:
        raise CallError(404, "Not found", f"no such computation {name!r}")
    return CALLS[name](store, args)
