"""`gazettekg query` — answer SPARQL from the store."""
from __future__ import annotations

import sys
from pathlib import Path

from gazettekg.common import ERROR, INVALID, OK, err, store_arg
from kg_build.reading import InputError


def cmd_query(args) -> int:
    from queries.engines import open_store
    from queries.results import render
    src = args.query
    path = Path(src)
    if src.endswith(".rq") or (len(src) < 255 and path.is_file()):
        if not path.is_file():
            raise InputError(src, 0, "no such query file; expected a .rq file or SPARQL text")
        text = path.read_text(encoding="utf-8")
    else:
        text = src
    bindings = {}
    for item in args.param or []:
        if "=" not in item:
            return err(f"--param {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        bindings[k] = v
    store = open_store(args.store)
    try:
        result = store.query(text, bindings=bindings)
    except SyntaxError as error:
        return err(f"{src if text is not src else '<query>'}: {error}")
    print(render(result, args.format))
    return OK



def register(sub) -> None:
    q = sub.add_parser("query", help="run a SPARQL query (text or .rq file) against the store")
    q.add_argument("query", help="SPARQL text or a .rq file")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="bind ?NAME to VALUE (as an RDF literal) — repeatable")
    store_arg(q)
    q.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    q.set_defaults(func=cmd_query)
