"""`gazettekg query` — answer a library query, a .rq file or SPARQL text from the store."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from gazettekg.common import OK, err, store_arg
from kg_build.reading import InputError


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def unknown_query_message(name: str, library) -> str:
    """`no library query unit_task; did you mean unit_tasks?`

    >>> unknown_query_message("unit_task", {"unit_tasks": 1, "plan_tasks": 2})
    'no library query unit_task; did you mean unit_tasks?'
    """
    near = difflib.get_close_matches(name, sorted(library), n=1, cutoff=0.6)
    if near:
        return f"no library query {name}; did you mean {near[0]}?"
    return f"no library query {name}; list them with `gazettekg queries`"


def _resolve(src: str):
    """(library query or None, SPARQL text, name for messages) for the QUERY argument."""
    from queries.library import LibraryError, load_library, parse_query
    library = load_library()
    if src in library:
        return library[src], library[src].text, src
    if _NAME.match(src) and not Path(src).is_file():
        # a bare word can never be a SPARQL query: it is a mistyped library name
        raise LibraryError(unknown_query_message(src, library))
    path = Path(src)
    if src.endswith(".rq") or (len(src) < 255 and "\n" not in src and path.is_file()):
        if not path.is_file():
            raise InputError(src, 0, "no such query file or library query; expected a library query name "
                                     "(`gazettekg queries`), a .rq file or SPARQL text")
        text = path.read_text(encoding="utf-8")
        # a file written in the library's header format gets typed parameters too
        query = parse_query(text, path.stem, path) if text.startswith("# name:") else None
        return query, text, src
    return None, src, "<query>"


def cmd_query(args) -> int:
    from queries.engines import open_store
    from queries.library import LibraryError, ParamError
    from queries.results import render
    raw = {}
    for item in args.param or []:
        if "=" not in item:
            return err(f"--param {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        raw[name] = value
    try:
        query, text, label = _resolve(args.query)
        bindings = query.bindings(raw) if query else raw  # ad-hoc text: values bound as plain literals
    except (LibraryError, ParamError) as error:
        return err(str(error))
    store = open_store(args.store)
    try:
        result = store.query(text, bindings=bindings)
    except SyntaxError as error:
        return err(f"{label}: {error}")
    text = render(result, args.format)
    print(text, end="" if text.endswith("\n") else "\n")  # CSV and TSV end their last row themselves
    if query is not None and getattr(result, "rows", None) == []:
        _suggest(store, raw)
    return OK


def _suggest(store, raw: dict[str, str]) -> None:
    """Nothing found: for a unit, region or project name, say which names the graph has."""
    import sys

    from queries.names import suggest_for_params
    for name, hits in suggest_for_params(store, raw).items():
        near = "、".join(h["label"] for h in hits[:5])
        print(f"gazettekg: no rows for {name}={raw[name]}; did you mean {near}? "
              f"(`gazettekg find {raw[name]}` lists names)", file=sys.stderr)


def register(sub) -> None:
    q = sub.add_parser("query", help="run a library query, a .rq file or SPARQL text against the store",
                       description="Run a query from the library (see `gazettekg queries`), a .rq file or "
                                   "SPARQL text. Parameters are bound as RDF terms, never pasted into the query.")
    q.add_argument("query", help="library query name, .rq file or SPARQL text")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="bind ?NAME to VALUE — typed as the query's header declares (library and headed "
                        ".rq files), else a plain literal; repeatable")
    store_arg(q)
    q.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    q.set_defaults(func=cmd_query)
