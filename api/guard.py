"""What a SPARQL request is: its kind from its tokens, SERVICE from its parse tree.

The endpoint is read-only and closed: updates (INSERT, LOAD, CLEAR …) and federated
queries (SERVICE) are refused. Oxigraph would really open an HTTP connection for a
SERVICE clause, so the refusal must be sound: a real SPARQL tokenizer skips strings
(all four quote forms, with escapes), IRIs, comments, variables and prefixed names,
so `"SERVICE"`, `# SERVICE`, `?service`, `ex:SERVICE` and `<http://x/SERVICE>` do not
trip it, while the keyword in any letter case does. In the grammar a bare word is
always a keyword, so a bare SERVICE token can only be the federated-query clause.

Tokens are not enough for SERVICE, though: Oxigraph matches keywords without a word
boundary, so `SERVICE:sparql` and `SERVICEx:y` (prefixed names to a tokenizer) run as
federated queries. `service_in_parse` therefore decides on a real parse (rdflib's SPARQL
grammar, looking for a ServiceGraphPattern); where that parser gives up (a syntax it does
not know, too deep), any word or prefix that starts with SERVICE is refused instead, which
over-approximates the engine's reading. The worker runs this check right before the engine.

`nesting_depth` lets the server refuse deeply nested text (a stack overflow in a parser)
with a 400 before any parser sees it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

_PN_CHARS = r"\w\u00B7\u0300-\u036F\u203F-\u2040"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][""" + _PN_CHARS + r"""]+)
  | (?P<bnode>_:[""" + _PN_CHARS + r"""\-.]*)
  | (?P<pname>(?:[^\W\d_](?:[""" + _PN_CHARS + r"""\-.]*[""" + _PN_CHARS + r"""\-])?)?:
               (?:[""" + _PN_CHARS + r""":\-.%]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[^\W\d_][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Inspection:
    kind: str            # "query", "update" or "unknown" (left to the parser to reject)
    form: str | None     # SELECT, ASK, CONSTRUCT or DESCRIBE for a query
    keyword: str | None  # the first operation keyword seen
    service: bool        # a SERVICE clause is present


def keywords(text: str) -> list[str]:
    """The bare words (keywords) of SPARQL text, upper-cased, in order.

    >>> keywords('SELECT ?service WHERE { ?s <http://x/SERVICE> "SERVICE" . ex:service ?o } # SERVICE')
    ['SELECT', 'WHERE']
    """
    return [m.group().upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def inspect(text: str) -> Inspection:
    """Classify SPARQL text without executing it.

    >>> inspect("PREFIX ex: <http://e/> ask { }").form
    'ASK'
    >>> inspect("LOAD <http://example.org/data.ttl>").kind
    'update'
    >>> inspect("SELECT * { sErViCe <http://127.0.0.1/> { ?s ?p ?o } }").service
    True
    >>> inspect("SELECT * { ?s ?p 'a SERVICE b' }").service
    False
    """
    words = keywords(text)
    first = next((w for w in words if w not in ("BASE", "PREFIX")), None)
    if first in QUERY_FORMS:
        kind, form = "query", first
    elif first in UPDATE_KEYWORDS:
        kind, form = "update", None
    else:
        kind, form = "unknown", None
    return Inspection(kind=kind, form=form, keyword=first, service="SERVICE" in words)


_OPEN, _CLOSE = "{([", "})]"


def nesting_depth(text: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside strings, IRIs and comments.

    >>> nesting_depth("SELECT * { { ?s ?p '{{{' } FILTER((1)) }")
    3
    """
    depth = deepest = 0
    for m in _TOKEN.finditer(text):
        if m.lastgroup != "other":
            continue
        c = m.group()
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def _service_like_token(text: str) -> bool:
    """Any keyword, or prefix of a prefixed name, that starts with SERVICE (any case)."""
    for m in _TOKEN.finditer(text):
        if m.lastgroup in ("word", "pname") and m.group().upper().startswith("SERVICE"):
            return True
    return False


def nodes_named(node, name: str):
    """Every rdflib CompValue called `name` in a parse tree or an algebra, depth first (a stack,
    not recursion: a hostile query nests deep). The variable sets an algebra node carries
    (`_vars`) hold no nodes and are not walked."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == name:
                yield item
            stack.extend(v for k, v in item.items() if k != "_vars")
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _has_service(node) -> bool:
    return next(nodes_named(node, "ServiceGraphPattern"), None) is not None


# A SERVICE clause needs the word in the text, in some letter case, or spelled with \u / \U
# escapes (which SPARQL resolves before parsing): text with neither cannot hold one.
_MAYBE_SERVICE = re.compile(r"service|\\u", re.IGNORECASE)


@lru_cache(maxsize=2048)
def review(text: str) -> tuple[bool, tuple[str, str] | None]:
    """From one parse of the query (the costly part, ~25 ms for a library query): whether it
    holds a SERVICE pattern (see the module text), and api.lint's refusal of a typo'd cross
    product as (detail, hint), or None."""
    if not _MAYBE_SERVICE.search(text) and "OPTIONAL" not in text.upper():
        return False, None  # nothing for the parse to find: no SERVICE spelling, no OPTIONAL to lint
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        tree = parseQuery(text)
    except Exception:  # includes RecursionError: fall back to the over-approximation
        return _service_like_token(text), None
    if _has_service(tree):
        return True, None
    from api import lint
    return False, lint.cross_product(tree, text)  # translating changes the tree: it goes last


def service_in_parse(text: str) -> bool:
    """Does the query contain a SERVICE pattern, by its parse tree (see the module text)?

    >>> service_in_parse("PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql {?s ?p ?o} }")
    True
    >>> service_in_parse("SELECT * WHERE { SERVICEx:y {?s ?p ?o} }")
    True
    >>> service_in_parse("PREFIX service: <http://e/> SELECT ?x WHERE { BIND(service:x AS ?x) }")
    False
    """
    return review(text)[0]
