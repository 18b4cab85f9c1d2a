"""Query results → table, CSV, TSV or SPARQL JSON text (pure)."""
from __future__ import annotations

import csv
import io
import json
import unicodedata

import pyoxigraph as ox

from queries.engines import PREFIX_MAP, AskResult, GraphResult, QueryResult, SelectResult

FORMATS = ("table", "csv", "tsv", "json")


def compact(iri: str) -> str:
    """Shortest prefixed form of an IRI for display (id:task/xuzheng-2020-7/2-1-1)."""
    best = iri
    for prefix, ns in PREFIX_MAP.items():
        if iri.startswith(ns) and len(iri) - len(ns) + len(prefix) + 1 < len(best):
            best = f"{prefix}:{iri[len(ns):]}"
    return best


def display(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return f"<< {display(term.subject)} {display(term.predicate)} {display(term.object)} >>"
    return term.value


def plain(term) -> str:
    """The CSV form: IRIs in full, literals as their lexical form."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def as_table(result: SelectResult, *, max_cell: int = 60) -> str:
    header = result.variables
    rows = [[display(t) for t in row] for row in result.rows]
    rows = [[c if _width(c) <= max_cell else c[: max_cell // 2 - 1] + "…" for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = "  ".join(_pad(h, w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(_pad(c, w) for c, w in zip(r, widths)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _json_term(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    d = {"type": "literal", "value": term.value}
    if term.language:
        d["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        d["datatype"] = term.datatype.value
    return d


def render(result: QueryResult, fmt: str = "table") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(result, AskResult):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value})
        return "true" if result.value else "false"
    if isinstance(result, GraphResult):
        return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in result.triples)
    if fmt == "table":
        return as_table(result)
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.variables)
        w.writerows([plain(t) for t in row] for row in result.rows)
    else:  # tsv: SPARQL TSV uses N-Triples syntax for terms
        buf.write("\t".join(f"?{v}" for v in result.variables) + "\n")
        for row in result.rows:
            buf.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buf.getvalue()
