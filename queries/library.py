"""The query library: the `.rq` files beside this module, their headers and their parameters.

Every `queries/*.rq` file starts with a header of `#` comment lines, one `key: value` each
(a bare `#` line is allowed as a spacer); the header ends at the first line that is not a
comment. Keys:

    # name: unit_tasks                      required; equals the file name without `.rq`
    # title: 单位承担的任务 | Tasks a unit leads or shares
                                            required; Chinese title, ` | `, English title
    # description: One or two sentences.   required; repeated lines are joined with a space
    # param: NAME TYPE EXAMPLE — DESCRIPTION
    # param: NAME TYPE EXAMPLE optional — DESCRIPTION
                                            zero or more; NAME is the SPARQL variable (?NAME),
                                            TYPE one of iri|string|date|integer|decimal,
                                            EXAMPLE a value without spaces, the word `optional`
                                            marks a parameter that may be left out, and ` — `
                                            (an em dash between spaces) starts the description

A malformed header raises `LibraryError` naming the file and line, so a broken query
fails at load time rather than when a researcher first runs it.

Values reach a query only as RDF terms bound to its variables (`bindings()`), never as
text pasted into the query: the embedded store binds them with Oxigraph substitutions,
a remote endpoint receives them in a VALUES block of escaped terms (`queries.remote`).
Oxigraph substitutes only variables that the SELECT projects, so every parameter of a
SELECT query is also one of its result columns (an optional one left out stays empty).
Both bind at the query's outermost group, so a FILTER or BIND that reads a parameter
belongs there (or in an OPTIONAL's condition), not in a nested group or a subquery.
An optional parameter left out stays unbound. The queries test it as
`COALESCE(?x = ?name, true)`: the comparison fails on an unbound variable and COALESCE
turns that into "keep". (Not `BOUND(?name)`: Oxigraph 0.5 folds BOUND of a substituted
variable to false before it binds the value.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from queries.engines import PREFIX_MAP, QueryResult

QUERY_DIR = Path(__file__).parent
TYPES = ("iri", "string", "date", "integer", "decimal")
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
XSD = "http://www.w3.org/2001/XMLSchema#"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PARAM = re.compile(r"(?P<name>\S+)\s+(?P<type>\S+)\s+(?P<example>\S+)(?P<optional>\s+optional)?\s+—\s+(?P<desc>\S.*)")
_PROLOGUE = re.compile(r"\s*(?:#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+\Z")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*\Z")


class LibraryError(ValueError):
    """A query file is malformed, or no library query has the name asked for."""


class ParamError(ValueError):
    """A parameter value is missing, unknown or not of the declared type."""


@dataclass
class Param:
    name: str
    type: str
    example: str
    description: str
    optional: bool = False

    def to_term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw text value, or ParamError saying what was expected.

        >>> Param("from", "date", "2020-06-30", "").to_term("2020-12-31")
        <Literal value=2020-12-31 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#date>>
        >>> Param("task", "iri", "id:task/x", "").to_term("id:task/x").value
        'https://w3id.org/gazettekg/id/task/x'
        """
        if self.type == "string":
            return ox.Literal(raw)
        checks = {"integer": _INTEGER, "decimal": _DECIMAL, "date": _DATE}
        if self.type in checks:
            if not checks[self.type].match(raw) or not _valid_number_or_date(self.type, raw):
                raise ParamError(f"parameter {self.name!r}: {raw!r} is not {_EXPECTED[self.type]}")
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + self.type))
        return _iri(self.name, raw)


_EXPECTED = {"integer": "an integer (e.g. 3)", "decimal": "a decimal number (e.g. 97.5)",
             "date": "a date written YYYY-MM-DD (e.g. 2020-12-31)"}


def _valid_number_or_date(kind: str, raw: str) -> bool:
    try:
        if kind == "date":
            date.fromisoformat(raw)
        elif kind == "decimal":
            Decimal(raw)
        return True
    except (ValueError, InvalidOperation):
        return False


def _iri(name: str, raw: str) -> ox.NamedNode:
    """An absolute IRI, or a prefixed name with a project prefix (id:task/…)."""
    prefix, _, local = raw.partition(":")
    if prefix in PREFIX_MAP and not local.startswith("//"):
        raw = PREFIX_MAP[prefix] + local
    if not _IRI.match(raw):
        raise ParamError(f"parameter {name!r}: {raw!r} is not an IRI (expected e.g. "
                         f"https://w3id.org/gazettekg/id/… or id:…)")
    try:
        return ox.NamedNode(raw)
    except ValueError as error:
        raise ParamError(f"parameter {name!r}: {raw!r} is not a valid IRI: {error}") from None


@dataclass
class LibraryQuery:
    name: str
    title_zh: str
    title_en: str
    description: str
    params: list[Param]
    text: str
    form: str
    source: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")

    def bindings(self, raw: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Validate raw text values and convert them to RDF terms, keyed by variable name.

        An empty value counts as not given, so a blank web-form field leaves an optional
        parameter unbound.
        """
        given = {k: v for k, v in raw.items() if v is not None and v != ""}
        terms = {name: self.param(name).to_term(value) for name, value in given.items()}
        missing = [p.name for p in self.params if not p.optional and p.name not in terms]
        if missing:
            raise ParamError(f"query {self.name!r} needs parameter(s) {', '.join(missing)} "
                             f"(e.g. {', '.join(f'{m}={self.param(m).example}' for m in missing)})")
        for name in raw.keys() - given.keys():
            self.param(name)  # an unknown name fails even when its value is empty
        return terms

    def example_params(self, *, with_optional: bool = True) -> dict[str, str]:
        return {p.name: p.example for p in self.params if with_optional or not p.optional}


def parse_query(text: str, name: str, source: Path | None = None) -> LibraryQuery:
    """Parse one query file's text; `name` is its file stem. Raises LibraryError."""
    where = str(source or f"{name}.rq")
    fields: dict[str, list[tuple[int, str]]] = {}
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if not body:
            continue
        key, sep, value = body.partition(":")
        if not sep or key not in ("name", "title", "description", "param") or not value.strip():
            raise LibraryError(f"{where}:{lineno}: expected '# name|title|description|param: value', got {line!r}")
        fields.setdefault(key, []).append((lineno, value.strip()))
    for key in ("name", "title", "description"):
        if key not in fields:
            raise LibraryError(f"{where}: header has no '# {key}:' line")
    for key in ("name", "title"):
        if len(fields[key]) > 1:
            raise LibraryError(f"{where}:{fields[key][1][0]}: a second '# {key}:' line")
    if fields["name"][0][1] != name:
        raise LibraryError(f"{where}:{fields['name'][0][0]}: name {fields['name'][0][1]!r} differs from the "
                           f"file name {name!r}")
    lineno, title = fields["title"][0]
    zh, sep, en = title.partition(" | ")
    if not sep or not zh.strip() or not en.strip():
        raise LibraryError(f"{where}:{lineno}: expected '# title: 中文标题 | English title'")
    params = [_parse_param(text, where, lineno, value) for lineno, value in fields.get("param", [])]
    if len({p.name for p in params}) != len(params):
        raise LibraryError(f"{where}: a parameter is declared twice")
    return LibraryQuery(name, zh.strip(), en.strip(), " ".join(v for _, v in fields["description"]),
                        params, text, _form(text, where), source)


def _parse_param(text: str, where: str, lineno: int, value: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise LibraryError(f"{where}:{lineno}: expected '# param: NAME TYPE EXAMPLE [optional] — DESCRIPTION'")
    name, kind = m["name"], m["type"]
    if not _NAME.match(name):
        raise LibraryError(f"{where}:{lineno}: {name!r} is not a SPARQL variable name")
    if kind not in TYPES:
        raise LibraryError(f"{where}:{lineno}: type {kind!r} is not one of {'|'.join(TYPES)}")
    if not re.search(rf"[?$]{name}\b", text):
        raise LibraryError(f"{where}:{lineno}: the query never uses ?{name}")
    param = Param(name, kind, m["example"], m["desc"].strip(), bool(m["optional"]))
    try:
        param.to_term(param.example)
    except ParamError as error:
        raise LibraryError(f"{where}:{lineno}: bad example: {error}") from None
    return param


def _form(text: str, where: str) -> str:
    pos = 0
    while m := _PROLOGUE.match(text, pos):
        if m.end() == pos:
            break
        pos = m.end()
    m = _FORM.match(text, pos)
    if not m:
        raise LibraryError(f"{where}: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")
    return m[1].upper()


def load_directory(directory: Path) -> dict[str, LibraryQuery]:
    """Every `*.rq` in `directory`, parsed, by name in sorted order."""
    return {path.stem: parse_query(path.read_text(encoding="utf-8"), path.stem, path)
            for path in sorted(Path(directory).glob("*.rq"))}


@lru_cache(maxsize=1)
def _library() -> tuple[tuple[str, LibraryQuery], ...]:
    return tuple(load_directory(QUERY_DIR).items())


def load_library() -> dict[str, LibraryQuery]:
    """The bundled library (parsed once per process), sorted by name."""
    return dict(_library())


def get(name: str) -> LibraryQuery:
    library = load_library()
    if name not in library:
        raise LibraryError(f"no library query named {name!r}; `gazettekg queries` lists them")
    return library[name]


def run(store, name: str, raw_params: dict[str, str] | None = None) -> QueryResult:
    """Run library query `name` on `store` (embedded or remote) with raw text parameters."""
    query = get(name)
    return store.query(query.text, bindings=query.bindings(raw_params or {}))
