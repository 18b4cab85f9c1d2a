"""`gazettekg validate` — check a graph against the SHACL shapes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from gazettekg.common import ERROR, INVALID, OK, err, store_arg
from kg_build.reading import InputError


def _graph_for_validation(args):
    from rdflib import Graph
    from kg_build.pipeline import EXPORT_FORMATS, build_graph
    from queries.engines import open_store
    if args.source is None:
        store = open_store(args.store)
        g = Graph()
        g.parse(data=store.dump_ntriples(), format="nt")
        return g, None
    src = Path(args.source)
    fmt = EXPORT_FORMATS.get(src.suffix.lower())
    if fmt is None:
        result = build_graph([src])
        return result.graph, result.report
    if not src.exists():
        raise InputError(str(src), 0, "no such file; expected an RDF file or a gazette text file")
    g = Graph()
    try:
        g.parse(src, format=fmt)
    except Exception as err:  # rdflib raises many parser exception types
        raise InputError(str(src), getattr(err, "lineno", 0) or 0, f"cannot parse as {fmt}: {err}") from None
    return g, None


def cmd_validate(args) -> int:
    from kg_build.validation import validate
    graph, report = _graph_for_validation(args)
    report = report or validate(graph)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.format_table())
    return OK if report.conforms else INVALID



def register(sub) -> None:
    v = sub.add_parser("validate", help="check the graph against the SHACL shapes")
    v.add_argument("source", nargs="?", help="an RDF file (.ttl/.nt/.jsonld) or a gazette text file "
                   "(default: the store)")
    store_arg(v)
    v.add_argument("--format", choices=("table", "json"), default="table")
    v.set_defaults(func=cmd_validate)
