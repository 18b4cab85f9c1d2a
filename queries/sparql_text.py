"""SPARQL query text handled as text: its form, and parameter values bound in it.

Both stores bind a library query's parameters the same way (`bind_in_text`): a VALUES block
opening the query's outermost group, and the values written into FILTER expressions. The
embedded store also passes them as Oxigraph substitutions. Measured at 1.56M quads:
- substitutions alone: `plan_tasks` 446 ms (the optimiser does not start from the bound
  variable); with the VALUES block 0.8 ms;
- VALUES alone: `task_record` 389 ms (the constant does not reach its OPTIONALs); with
  substitutions too 2.6 ms;
- a bound variable in a FILTER keeps the filter from being pushed down: `keyword_tasks`
  3.1 s, `unit_workload` 4.0 s; with the value written in 0.35 s each.
"""
from __future__ import annotations

import re

import pyoxigraph as ox

# Tokens the VALUES injection must step over: comments, strings (long ones first) and IRIs.
_SKIP = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                   r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>', re.DOTALL)
_WHERE = re.compile(r"(?<![\w?$:])WHERE\b", re.IGNORECASE)
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
DECLARED_PREFIX = re.compile(r"(?<![\w?$])PREFIX\s+([A-Za-z][\w.-]*|):", re.IGNORECASE)
_FORM = re.compile(r"(?<![\w?$:])(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                   re.IGNORECASE)


def to_ox_term(value):
    """A Python value or rdflib term → the pyoxigraph term bound in place of a variable."""
    from rdflib import Literal as RLiteral, URIRef
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, RLiteral):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    return ox.Literal(str(value))


def sparql_term(term) -> str:
    """An RDF term in SPARQL syntax; pyoxigraph's N-Triples form escapes quotes, backslashes
    and line breaks, so no value can end its literal early.

    >>> sparql_term(ox.Literal('x" } ; DROP ALL #'))
    '"x\\\\" } ; DROP ALL #"'
    """
    term = to_ox_term(term)
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be bound to a query variable")
    return str(term)


def blank_out(sparql: str) -> str:
    """The query with comments, strings and IRIs blanked out, offsets unchanged."""
    return _SKIP.sub(lambda m: " " * len(m.group()), sparql)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or the update keyword the text starts with."""
    m = _FORM.search(blank_out(sparql))
    return m.group(1).upper() if m else ""


def outer_group(sparql: str) -> int | None:
    """Offset just after the `{` that opens the query's outermost WHERE group (None: it has none,
    as in `DESCRIBE <iri>`)."""
    text, depth, where_seen = blank_out(sparql), 0, False
    construct = query_form(sparql) == "CONSTRUCT"
    for m in re.finditer(r"[{}]|" + _WHERE.pattern, text, re.IGNORECASE):
        token = m.group()
        if token == "}":
            depth -= 1
        elif token != "{":
            where_seen = where_seen or depth == 0
        elif depth == 0 and (where_seen or not construct):  # CONSTRUCT's template comes before WHERE
            return m.end()
        else:
            depth += 1
    return None


def with_values(sparql: str, bindings: dict) -> str:
    """The query with `VALUES (?a ?b) { (term term) }` opening its outermost group."""
    if not bindings:
        return sparql
    for name in bindings:
        if not _VARNAME.match(name):  # a name is query text too
            raise ValueError(f"{name!r} is not a variable name")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(sparql_term(value) for value in bindings.values())
    at = outer_group(sparql)
    if at is None:
        raise ValueError("cannot bind values: the query has no WHERE group")
    return f"{sparql[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{sparql[at:]}"


_FILTER = re.compile(r"(?<![\w?$:])FILTER\b", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def _filter_expressions(text: str):
    """(start, end) of each FILTER's parenthesised expression in blanked-out query text."""
    for m in _FILTER.finditer(text):
        at = text.find("(", m.end())
        brace = text.find("{", m.end())
        if at < 0 or 0 <= brace < at:      # FILTER EXISTS { … } / NOT EXISTS { … }
            continue
        depth = 0
        for i in range(at, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                yield at, i + 1
                break


def inline_in_filters(sparql: str, bindings: dict) -> str:
    """Each bound variable written as its term where a FILTER expression reads it (not inside
    an EXISTS group there, where it could stand as a subject).

    Why: Oxigraph pushes a FILTER down to the pattern it tests only when the filter's other
    operands are constants. Bound as a variable, `CONTAINS(?indicatorName, ?indicator)` ran
    after every target's OPTIONAL parts were joined (5.9 s at 1.56M quads); written as
    the literal it reads the two matching indicators first (0.4 s).

    >>> inline_in_filters('SELECT ?x WHERE { ?x ?p ?l FILTER(CONTAINS(?l, ?k)) }', {"k": "水"})
    'SELECT ?x WHERE { ?x ?p ?l FILTER(CONTAINS(?l, "水")) }'
    """
    text = blank_out(sparql)
    found = []
    for start, end in _filter_expressions(text):
        depth = 0
        for i in range(start, end):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            m = _VARIABLE.match(text, i) if depth == 0 and text[i] in "?$" else None
            if m and m.group(1) in bindings and not (text[i - 1:i].isalnum() or text[i - 1:i] in "_?$"):
                found.append((m.start(), m.end(), sparql_term(bindings[m.group(1)])))
    for start, end, term in reversed(found):
        sparql = sparql[:start] + term + sparql[end:]
    return sparql


def bind_in_text(sparql: str, bindings: dict) -> str:
    """The query with its parameters bound in its text: a VALUES block opening the outermost
    group, and their terms written into FILTER expressions."""
    return inline_in_filters(with_values(sparql, bindings), bindings)
