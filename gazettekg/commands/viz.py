"""`gazettekg viz` — write an interactive graph as one standalone HTML page.

The page works from the file system with no network at all: vis-network, the styles and
the script are inlined. Views: overview (plans → tasks → units, regions), cross
(gk:relatedTo links and gk:Conflict findings), entity IRI (a neighbourhood), query
FILE.rq (the graph a CONSTRUCT or DESCRIBE query returns).
"""
from __future__ import annotations

from pathlib import Path

from gazettekg.common import OK, err, store_arg


def _expand(iri: str) -> str:
    """id:task/… → the full IRI; a full IRI stays as it is."""
    from queries.engines import PREFIX_MAP
    prefix, _, rest = iri.partition(":")
    if prefix in PREFIX_MAP and not rest.startswith("//"):
        return PREFIX_MAP[prefix] + rest
    return iri


def _select(args, store):
    from viz import select
    if args.view == "overview":
        return select.overview(store)
    if args.view == "cross":
        return select.cross(store)
    if args.view == "entity":
        return select.neighbourhood(store, _expand(args.iri), hops=args.hops, cap=args.cap)
    return select.construct(store, Path(args.file).read_text(encoding="utf-8"))


def cmd_viz(args) -> int:
    from queries.engines import open_store
    from viz import render, select
    if args.view == "query" and not Path(args.file).is_file():
        return err(f"{args.file}: no such query file")
    store = open_store(args.store)
    try:
        sub = _select(args, store)
    except select.EntityNotFound as error:
        return err(str(error))
    except SyntaxError as error:
        return err(f"{args.file}: {error}")
    except ValueError as error:
        return err(f"{getattr(args, 'iri', None) or getattr(args, 'file', '')}: {error}")
    out = Path(args.out)
    out.write_text(render.page(sub, mode="standalone"), encoding="utf-8")
    shown = f"{len(sub.nodes)} nodes, {len(sub.edges)} edges" + (f", {sub.hidden} more not shown" if sub.hidden else "")
    print(f"wrote {out}: {sub.title} ({shown})")
    for note in sub.notes:
        print(f"note: {note}")
    return OK


def register(sub) -> None:
    from viz.select import DEFAULT_CAP, DEFAULT_HOPS, MAX_CAP, MAX_HOPS
    v = sub.add_parser("viz", help="write an interactive graph (overview, cross, entity, query) as a standalone page",
                       description="Write an interactive graph as one HTML file that works offline: colour by "
                                   "class, size by degree, search, filters by plan, unit, region and class, and "
                                   "the full record of a node on click.")
    views = v.add_subparsers(dest="view", required=True, metavar="VIEW")
    parsers = [views.add_parser("overview", help="plans → tasks → units and regions"),
               views.add_parser("cross", help="tasks linked across plans (gk:relatedTo) and gk:Conflict findings")]
    entity = views.add_parser("entity", help="the neighbourhood of one entity")
    entity.add_argument("iri", help="the entity's IRI, full or as id:task/…")
    entity.add_argument("--hops", type=int, default=DEFAULT_HOPS, help=f"links to follow, 1–{MAX_HOPS} "
                        f"(default {DEFAULT_HOPS})")
    entity.add_argument("--cap", type=int, default=DEFAULT_CAP, help=f"most nodes to show, up to {MAX_CAP} "
                        f"(default {DEFAULT_CAP}); the page says how many more there are")
    query = views.add_parser("query", help="the graph a CONSTRUCT or DESCRIBE query returns")
    query.add_argument("file", help="a .rq file holding a CONSTRUCT or DESCRIBE query")
    for p in (*parsers, entity, query):
        store_arg(p)
        p.add_argument("--out", required=True, metavar="PAGE.html", help="the HTML file to write")
        p.set_defaults(func=cmd_viz)
