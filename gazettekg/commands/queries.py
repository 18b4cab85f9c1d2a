"""`gazettekg queries` — list the query library: names, titles and parameters."""
from __future__ import annotations

import json

from gazettekg.common import OK


def _as_dict(query) -> dict:
    return {"name": query.name, "title_zh": query.title_zh, "title_en": query.title_en,
            "description": query.description, "form": query.form,
            "params": [{"name": p.name, "type": p.type, "example": p.example, "optional": p.optional,
                        "description": p.description} for p in query.params]}


def _as_text(query, verbose: bool) -> str:
    params = " ".join(f"[{p.name}={p.example}]" if p.optional else f"{p.name}={p.example}" for p in query.params)
    lines = [f"{query.name}  {query.title_zh} | {query.title_en}" + (f"\n    --param {params}" if params else "")]
    if verbose:
        lines.append(f"    {query.description}")
        lines += [f"    {p.name} ({p.type}{', optional' if p.optional else ''}): {p.description}"
                  for p in query.params]
    return "\n".join(lines)


def cmd_queries(args) -> int:
    from queries.library import load_library
    library = load_library()
    if args.format == "json":
        print(json.dumps([_as_dict(q) for q in library.values()], ensure_ascii=False, indent=1))
    else:
        print("\n".join(_as_text(q, args.verbose) for q in library.values()))
        print(f"({len(library)} queries; run one with `gazettekg query NAME --param NAME=VALUE`)")
    return OK


def register(sub) -> None:
    q = sub.add_parser("queries", help="list the query library (names, titles, parameters)")
    q.add_argument("-v", "--verbose", action="store_true", help="also print descriptions")
    q.add_argument("--format", choices=("text", "json"), default="text")
    q.set_defaults(func=cmd_queries)
