"""What a SPARQL request is, decided from its tokens before anything runs.

The endpoint is read-only and closed: updates (INSERT, LOAD, CLEAR …) and federated
queries (SERVICE) are refused. Oxigraph would really open an HTTP connection for a
SERVICE clause, so the refusal must be sound: a real SPARQL tokenizer skips strings
(all four quote forms, with escapes), IRIs, comments, variables and prefixed names,
so `"SERVICE"`, `# SERVICE`, `?service`, `ex:SERVICE` and `<http://x/SERVICE>` do not
trip it, while the keyword in any letter case does. In the grammar a bare word is
always a keyword, so a bare SERVICE token can only be the federated-query clause.
"""
from __future__ import annotations

import re
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
