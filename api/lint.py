"""Refuse one kind of query that is almost surely a typo and costs a cross product.

`OPTIONAL { ?evidnce gk:basis ?basis }` after a pattern that binds ?evidence shares no
variable with what comes before it, so SPARQL joins every row so far with every gk:basis
triple in the store: on the bundled sample a one-letter slip in the library's
related_tasks query turned 4,612 rows into ~7 million and ran past any time limit (155 s
for a COUNT). The fuzz suite (tests/test_api_fuzz.py) found it as its only 5xx.

The rule, decided on rdflib's algebra of the query: an OPTIONAL whose pattern shares no
variable with the pattern it extends (and that pattern is not empty), and that contains a
variable written only once in the whole query text. A variable written once can never
join anything, so it means "anything" — exactly what a blank node `[]` says; a query that
really wants the product writes `[]` (or shares a variable) and is not refused. Everything
else is left to the engine and the time limit. Where rdflib cannot parse the text, nothing
is decided here (the engine reports the syntax error). The worker gets this from
`api.guard.review`, which parses each query text once for this and the SERVICE check.
"""
from __future__ import annotations

import difflib
from collections import Counter

from api.guard import _TOKEN, nodes_named


class CrossProduct(Exception):
    def __init__(self, detail: str, hint: str):
        super().__init__(detail)
        self.detail, self.hint = detail, hint


def _variables(text: str) -> Counter:
    return Counter(m.group()[1:] for m in _TOKEN.finditer(text) if m.lastgroup == "var")


def _empty(p) -> bool:
    return getattr(p, "name", None) == "BGP" and not p.get("triples")


def check(text: str) -> None:
    """Raise CrossProduct for a disconnected OPTIONAL holding a once-written variable.

    >>> check("SELECT * { ?e a <urn:E> OPTIONAL { ?e <urn:p> ?b } }")
    >>> check("SELECT * { ?e a <urn:E> OPTIONAL { [] <urn:p> ?b } } ORDER BY ?b")
    >>> try:
    ...     check("SELECT ?b { ?evidence a <urn:E> OPTIONAL { ?evidnce <urn:p> ?b } }")
    ... except CrossProduct as err:
    ...     print(err.hint)
    did you mean ?evidence? to match anything there on purpose, write [] instead of ?evidnce
    """
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        tree = parseQuery(text)
    except Exception:  # includes RecursionError: the engine decides
        return
    found = cross_product(tree, text)
    if found:
        raise CrossProduct(*found)


def cross_product(tree, text: str) -> tuple[str, str] | None:
    """(detail, hint) if rdflib's parse `tree` of `text` has the typo'd cross product, else None.
    Translating to the algebra changes `tree`: use it for nothing after this."""
    if "OPTIONAL" not in text.upper():
        return None
    from rdflib.plugins.sparql.algebra import translateQuery
    try:
        algebra = translateQuery(tree).algebra
    except Exception:  # includes RecursionError: the engine decides
        return None
    counts = _variables(text)
    for join in nodes_named(algebra, "LeftJoin"):
        left, right = join.p1, join.p2
        # a FILTER inside the OPTIONAL (the join's expr) that names a variable of the left
        # side correlates the two: not a blind product
        inside = set(right.get("_vars") or ()) | set(getattr(join.get("expr"), "_vars", None) or ())
        if _empty(left) or set(left.get("_vars") or ()) & inside:
            continue
        once = sorted(str(v) for v in right.get("_vars") or () if counts.get(str(v), 0) == 1)
        if not once:
            continue
        name = once[0]
        near = difflib.get_close_matches(name, [v for v in counts if v != name], n=1)
        hint = (f"did you mean ?{near[0]}? " if near else "") + \
            f"to match anything there on purpose, write [] instead of ?{name}"
        return (f"OPTIONAL {{ ?{name} … }} shares no variable with the pattern before it, and ?{name} "
                f"is written only once: every row would be repeated for every match of the OPTIONAL "
                f"(a cross product)", hint)
    return None
