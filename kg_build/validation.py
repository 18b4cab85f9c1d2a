"""SHACL validation of a built graph, reported so a researcher can act on it.

`validate(graph)` runs a SHACL engine — pyshacl-turbo by default, pySHACL as the
reference — with the shapes in ontology/shapes.ttl (no inference: the builder writes
every rdf:type it means) and turns the result graph into sorted
`Finding`s, each carrying the input line of its entity, or of the task or plan that
owns it, so the finding can be checked against the gazette text.

Conformance follows our exit code: Violations break it, Warnings and Infos do not.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ontology import SHAPES_PATH
from ontology.namespaces import GK, ID, RDF, SH, bind_namespaces

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_OF = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# Edges from an owner to what it owns: a finding on the owned node is reported at the
# owner's line (a Deadline at its Task's line, a Unit at the first Task naming it).
_OWNER_EDGES = (
    GK.hasTarget, GK.hasDeadline, GK.dueBy, GK.leadUnit, GK.responsibleUnit,
    GK.region, GK.mentionsProject, GK.issuedBy, GK.indicator,
)
# Edges from a finding-like node to the commitments it is about.
_ABOUT_EDGES = (GK.involves, GK.evidenceFor)
_MAX_HOPS = 3
_VALUE_WIDTH = 30


@dataclass(frozen=True)
class Finding:
    severity: str               # 'Violation' | 'Warning' | 'Info'
    focus: str                  # IRI (or blank node id) of the entity the finding is about
    line: int | None            # input line of the focus node or of its owner
    path: str | None            # property path, prefixed: gk:value, gk:leadUnit|gk:responsibleUnit
    message: str
    value: str | None = None    # the offending value, if the constraint names one
    shape: str | None = None    # the shape that produced the finding, prefixed

    @property
    def entity(self) -> str:
        """Short id of the focus node: 'task/xuzheng-2020-7/2-1-3' for id: IRIs.

        >>> Finding('Warning', str(ID['task/p/1']), 3, None, 'm').entity
        'task/p/1'
        """
        return self.focus[len(ID):] if self.focus.startswith(str(ID)) else self.focus

    def sort_key(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.line is None, self.line or 0,
                self.focus, self.path or "", self.message, self.value or "")


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no Violation; Warnings do not break conformance."""
        return self.counts["Violation"] == 0

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "findings": [asdict(f) | {"entity": f.entity} for f in self.findings],
        }

    def format_table(self) -> str:
        """An aligned text table, one finding per row, then a summary line.

        >>> print(ValidationReport().format_table())
        No findings. 0 Violation(s), 0 Warning(s), 0 Info(s).
        """
        summary = ", ".join(f"{n} {s}(s)" for s, n in self.counts.items())
        if not self.findings:
            return f"No findings. {summary}."
        header = ("severity", "entity", "line", "property", "value", "message")
        rows = [header] + [
            (f.severity, f.entity, "" if f.line is None else str(f.line), f.path or "",
             _clip(f.value or "", _VALUE_WIDTH), f.message)
            for f in self.findings
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header) - 1)]
        lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)) + "  " + row[-1]
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len("message"))
        return "\n".join(lines + [summary + "."])


ENGINES = ("turbo", "pyshacl")


def validate(data: Graph | bytes, *, engine: str = "turbo", shapes: Graph | None = None,
             focus: list[str] | None = None) -> ValidationReport:
    """Validate `data` (a graph, or N-Triples) against ontology/shapes.ttl, or `shapes`, and
    return the sorted findings; with `focus`, about those nodes only.

    `engine` "turbo" is pyshacl-turbo, a Rust SHACL engine behind pySHACL's API, about ten
    times faster on a gazette; "pyshacl" is pySHACL itself, the reference that
    tests/test_shapes_engines.py holds turbo to (same findings, severities, messages).
    N-Triples go to turbo as they are (its own parser is far faster than rdflib's); they are
    parsed into a graph only if there are findings to place at a line.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")
    run = _turbo_validate() if engine == "turbo" else pyshacl.validate
    if isinstance(data, bytes) and engine != "turbo":
        data = Graph().parse(data=data, format="nt")
    _, results, _ = run(
        _native_input(data) if isinstance(data, bytes) else data,
        shacl_graph=_shapes() if shapes is None else shapes, inference="none", allow_warnings=True,
        abort_on_first=False, meta_shacl=False, advanced=True,  # sh:SPARQLTarget
        focus_nodes=None if focus is None else [URIRef(n) for n in focus],
    )
    if not isinstance(results, Graph):  # pyshacl reports a broken shapes graph this way
        raise RuntimeError(f"SHACL validation could not run: {results}")
    if isinstance(data, bytes) and (None, RDF.type, SH.ValidationResult) in results:
        data = Graph().parse(data=data, format="nt")
    names = _names()
    lines = _SourceLines(data if isinstance(data, Graph) else Graph())
    findings = [
        _finding(results, result, names, lines)
        for result in results.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationReport(sorted(findings, key=Finding.sort_key))


def _native_input(ntriples: bytes):
    """N-Triples for turbo's own parser. Given as a string, turbo would parse it with rdflib
    first: ~10× slower (measured: 2.3 s against 0.24 s for 20k link triples)."""
    from pyshacl_turbo.rdf import Input
    return Input(ntriples.decode("utf-8"), "nt", None, {})


def _turbo_validate():
    import pyshacl_turbo    # imported on use: the reference engine works without it
    return pyshacl_turbo.validate


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES_PATH, format="turtle")


def shapes_for_named(named: dict[URIRef, tuple[URIRef, ...]]) -> Graph:
    """The shapes for a graph that describes some nodes only in part: a node of a class in
    `named` is checked on the properties listed for its class, not on all its shape requires.

    For the links graph, which names tasks and targets its issues describe: checking each
    gk:relatedTo and gk:indicator there, and not a task's label or plan (absent by design),
    keeps the work to the links themselves instead of reporting, then dropping, every task.
    """
    shapes = Graph()
    for triple in _shapes():
        shapes.add(triple)
    for cls, kept in named.items():
        for shape in set(shapes.subjects(SH.targetClass, cls)):
            for prop in list(shapes.objects(shape, SH.property)):
                if shapes.value(prop, SH.path) not in kept:
                    shapes.remove((shape, SH.property, prop))
    return shapes


def _finding(results: Graph, result: Node, names, lines: _SourceLines) -> Finding:
    fields: dict[Node, list[Node]] = {}
    for p, o in results.predicate_objects(result):      # one look-up per result, not one per field
        fields.setdefault(p, []).append(o)
    focus, path, value, shape, severity = (fields.get(p, [None])[0] for p in (
        SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.resultSeverity))
    messages = sorted({str(m) for m in fields.get(SH.resultMessage, [])})
    return Finding(
        severity=_SEVERITY_OF[severity],
        focus=str(focus),
        line=lines(focus),
        path=None if path is None else _format_path(results, path, names),
        message=" / ".join(messages),
        value=None if value is None else _format_term(value, names),
        shape=_shape_name(shape),
    )


@lru_cache(maxsize=1)
def _names():
    return bind_namespaces(Graph()).namespace_manager


@lru_cache(maxsize=1024)
def _shape_name(shape: Node | None) -> str | None:
    """The named node shape behind a result; anonymous property shapes name their parent."""
    if isinstance(shape, BNode):
        shape = _shapes().value(predicate=SH.property, object=shape)
    return None if shape is None or isinstance(shape, BNode) else _format_term(shape, _names())


class _SourceLines:
    """The input line of a node: its own gk:sourceLine, else the earliest line of an owner or of
    what it is about (up to _MAX_HOPS away). Remembered per node: the findings of one graph
    share their owners (the tasks and plans above many targets)."""

    def __init__(self, data: Graph):
        self.data = data
        self.memo: dict[tuple[Node, int], int | None] = {}

    def __call__(self, node: Node, hops: int = _MAX_HOPS) -> int | None:
        key = (node, hops)
        if key not in self.memo:
            self.memo[key] = self._find(node, hops)
        return self.memo[key]

    def _find(self, node: Node, hops: int) -> int | None:
        data = self.data
        own = [int(v) for v in data.objects(node, GK.sourceLine) if _is_int(v)]
        if own:
            return min(own)
        if hops == 0:
            return None
        related = [s for p in _OWNER_EDGES for s in data.subjects(p, node)]
        related += [o for p in _ABOUT_EDGES for o in data.objects(node, p)]
        lines = [line for n in related if (line := self(n, hops - 1)) is not None]
        return min(lines, default=None)


def _is_int(term: Node) -> bool:
    if not isinstance(term, Literal):
        return False
    try:
        int(term)
    except (TypeError, ValueError):
        return False
    return True


def _format_path(results: Graph, path: Node, names) -> str:
    """SHACL property paths as SPARQL property-path text."""
    if isinstance(path, URIRef):
        return _format_term(path, names)
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_format_path(results, p, names) for p in Collection(results, alternatives))
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _format_path(results, inverse, names)
    if results.value(path, RDF.first) is not None:
        return "/".join(_format_path(results, p, names) for p in Collection(results, path))
    return str(path)


def _format_term(term: Node, names) -> str:
    if isinstance(term, URIRef):
        if str(term).startswith(str(ID)):
            return "id:" + term[len(ID):]
        try:
            return names.normalizeUri(term)
        except ValueError:
            return f"<{term}>"
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    if _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text + "…"
