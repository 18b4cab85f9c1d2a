"""`gazettekg find` — units, regions and projects by any spelling or part of a name."""
from __future__ import annotations

import sys

from gazettekg.common import OK, store_arg


def cmd_find(args) -> int:
    from queries.engines import open_store
    from queries.names import candidates, match
    found, near = match(args.text, candidates(open_store(args.store)), kind=args.kind)
    for h in found:
        alt = f"  ({'、'.join(h.alt)})" if h.alt else ""
        print(f"{h.kind}\t{h.label}\t{h.match}\t{h.iri}{alt}")
    if not found:
        hint = f"; did you mean {'、'.join(h.label for h in near)}?" if near else ""
        print(f"gazettekg: no {args.kind or 'unit, region or project'} named {args.text}{hint}", file=sys.stderr)
    return OK


def register(sub) -> None:
    p = sub.add_parser("find", help="find units, regions and projects by any alias or part of a name",
                       description="Look a name up as typed, as an abbreviation (市发改委) or under a former name "
                                   "(市环保局), and as part of a name (生态环境局); similar names are suggested "
                                   "when nothing matches. Prints kind, name, how it matched and the IRI.")
    p.add_argument("text", help="a name, alias or part of one")
    p.add_argument("--kind", choices=("unit", "region", "project"), default=None)
    store_arg(p)
    p.set_defaults(func=cmd_find)
