"""Result formats: content negotiation and serializers (pure; the worker serializes).

SELECT and ASK answer as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle,
N-Triples, JSON-LD or RDF/XML. The client chooses by Accept (with q-values) or, from a
browser, by a `format` parameter (json, xml, csv, tsv, ttl, nt, jsonld, rdfxml).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from queries.engines import PREFIX_MAP, SelectResult
from queries.results import render


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()


TABULAR = (  # SELECT; the first is the default
    Format("json", "application/sparql-results+json", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
)
BOOLEAN = TABULAR[:2]  # ASK: CSV/TSV have no boolean form
GRAPH = (  # CONSTRUCT and DESCRIBE
    Format("turtle", "text/turtle", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", ("text/plain",)),
    Format("jsonld", "application/ld+json", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml")),
)
HTML = Format("html", "text/html", ("application/xhtml+xml",))
FORM_FORMATS = {"SELECT": TABULAR, "ASK": BOOLEAN, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}
FORMAT_PARAM = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
                "ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples",
                "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml",
                "rdf": "rdfxml", "rdf/xml": "rdfxml", "html": "html"}
_RDF = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML}


class NotAcceptable(ValueError):
    """No format of this query form is acceptable to the client."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (stable for equal q).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    ranges = []
    for part in (header or "*/*").split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        ranges.append((bits[0].lower(), q))
    return sorted(ranges, key=lambda r: -r[1])


def _matches(media_range: str, media_type: str) -> int:
    """0 no match, else the specificity: 1 */*, 2 type/*, 3 exact."""
    if media_range == "*/*":
        return 1
    if media_range.endswith("/*"):
        return 2 if media_type.startswith(media_range[:-1]) else 0
    return 3 if media_range == media_type else 0


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> Format:
    """The format to answer a query of `form` with.

    >>> negotiate("SELECT", "text/csv;q=0.9, application/sparql-results+xml").name
    'xml'
    >>> negotiate("CONSTRUCT", "*/*").name
    'turtle'
    >>> negotiate("ASK", None, "xml").media_type
    'application/sparql-results+xml'
    """
    return choose(FORM_FORMATS[form], accept, format_param, what=f"{form} queries")


def recognise(value: str, choices: tuple[Format, ...]) -> str | None:
    """The format name a `format` parameter value stands for, or None when unknown.

    Short names (json, ttl …) and media types (text/tab-separated-values) are both
    recognised; `json`/`xml` asked of a graph query mean JSON-LD/RDF-XML, as clients that
    send one `format` for every query form expect.

    >>> recognise("text/tab-separated-values", TABULAR), recognise("n3", GRAPH), recognise("json", GRAPH)
    ('tsv', None, 'jsonld')
    """
    v = value.strip().lower()
    name = FORMAT_PARAM.get(v) or next((f.name for group in (TABULAR, GRAPH, (HTML,)) for f in group
                                        if v == f.media_type), None)
    names = {f.name for f in choices}
    graph_twin = {"json": "jsonld", "xml": "rdfxml"}.get(name)
    return graph_twin if name not in names and graph_twin in names else name


def choose(choices: tuple[Format, ...], accept: str | None, format_param: str | list[str] | None = None, *,
           what: str = "this resource") -> Format:
    """The best of `choices` for an Accept header; a `format` parameter overrides Accept.

    `format` may be repeated (SPARQLWrapper sends `format=tsv&format=text/tab-separated-values`):
    the first recognised value wins, unknown values (`n3`) are ignored, and when none is
    recognised Accept decides. A recognised format this query form cannot give is a 406.

    >>> choose(TABULAR, None, ["n3", "tsv", "csv"]).name
    'tsv'
    >>> choose(GRAPH, "application/n-triples", ["n3"]).name
    'ntriples'
    """
    values = [format_param] if isinstance(format_param, str) else list(format_param or [])
    for value in values:
        name = recognise(value, choices)
        if name is None:
            continue
        for f in choices:
            if f.name == name:
                return f
        raise NotAcceptable(f"format={value!r} is not available for {what}; use one of "
                            f"{', '.join(f.name for f in choices)}")
    ranges = parse_accept(accept)
    refused = {f.name for f in choices for r, q in ranges if q <= 0 and _matches(r, f.media_type) == 3}
    best, best_key = None, (0.0, 0, 0)
    for media_range, q in ranges:
        if q <= 0:
            continue
        for order, f in enumerate(choices):
            if f.name in refused:
                continue
            # aliases (application/json, text/xml …) count only when named exactly
            spec = max([_matches(media_range, f.media_type)] +
                       [3 for t in f.aliases if _matches(media_range, t) == 3])
            # an explicit type beats a wildcard at equal q; the server's order breaks ties
            key = (q, spec, -order)
            if spec and key > best_key:
                best, best_key = f, key
    if best is None:
        raise NotAcceptable(f"none of the requested types ({accept}) is available for {what}; "
                            f"available: {', '.join(f.media_type for f in choices)}")
    return best


def term_json(term) -> dict:
    """A term in SPARQL 1.1 JSON results form (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    d = {"type": "literal", "value": term.value}
    if term.language:
        d["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        d["datatype"] = term.datatype.value
    return d


def select_rows(variables: list[str], rows: list[list]) -> list[dict]:
    return [{v: term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]


def serialize_select(fmt: str, variables: list[str], rows: list[list], *, truncated: bool, row_limit: int) -> bytes:
    if fmt == "json":
        doc = {"head": {"vars": variables}, "results": {"bindings": select_rows(variables, rows)},
               "truncated": truncated, "rowLimit": row_limit}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        return _xml(variables, rows, truncated).encode()
    return render(SelectResult(variables, rows), fmt).encode()


def serialize_ask(fmt: str, value: bool) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()


def serialize_graph(fmt: str, triples: list) -> bytes:
    if fmt == "ntriples":
        return ox.serialize(triples, format=_RDF[fmt])
    return ox.serialize(triples, format=_RDF[fmt], prefixes=PREFIX_MAP)


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(variables: list[str], rows: list[list], truncated: bool) -> str:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head>\n" + ("<!-- truncated: more rows than the row limit -->\n" if truncated else "")
               + "<results>")
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(variables, row) if t is not None)
        out.append(f"<result>{cells}</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out)
