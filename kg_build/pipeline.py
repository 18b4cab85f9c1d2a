"""The build: files → records → RDF → validation → store and export.

The only module of kg_build that touches the file system. Every output is written
aside and renamed into place, so a failed build leaves what was there before intact.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg_build.extract import extract_gazette
from kg_build.linking import link
from kg_build.links_rdf import links_graph
from kg_build.reading import InputError, decode_gazette
from kg_build.records import GazetteRecord
from kg_build.to_rdf import gazette_graph
from kg_build.validation import ValidationReport, validate
from ontology.namespaces import GK, bind_namespaces
from rdflib.namespace import RDF

EXPORT_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


@dataclass
class BuildResult:
    records: list[GazetteRecord]
    graph: Graph
    report: ValidationReport
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        g = self.graph
        count = lambda cls: sum(1 for _ in g.subjects(RDF.type, cls))
        return {
            "gazettes": count(GK.Gazette), "plans": count(GK.Plan), "tasks": count(GK.Task),
            "units": count(GK.Unit), "regions": count(GK.Region), "targets": count(GK.Target),
            "deadlines": count(GK.Deadline), "projects": count(GK.Project), "triples": len(g),
            "violations": self.report.counts["Violation"], "warnings": self.report.counts["Warning"],
        }


def read_gazette(path: Path) -> GazetteRecord:
    """Read, decode and extract one file; InputError names the file and line on bad input."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), 0, "no such file; expected the path of a gazette text file")
    if path.is_dir():
        raise InputError(str(path), 0, "is a directory; expected a gazette text file")
    data = path.read_bytes()
    text, _encoding = decode_gazette(data, source=str(path))
    return extract_gazette(text, file_name=path.name, sha256=hashlib.sha256(data).hexdigest(), source=str(path))


def build_graph(paths: list[Path]) -> BuildResult:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    records = [read_gazette(p) for p in paths]
    timings["read+extract"] = time.perf_counter() - t
    seen: dict[str, str] = {}
    for p, r in zip(paths, records):
        if r.file_name in seen:
            raise InputError(str(p), 0, f"a second file named {r.file_name} (first: {seen[r.file_name]}); "
                             "expected distinct gazette file names")
        seen[r.file_name] = str(p)
    t = time.perf_counter()
    graph = bind_namespaces(Graph())
    for r in records:
        graph += gazette_graph(r)
    timings["to-rdf"] = time.perf_counter() - t
    t = time.perf_counter()
    graph += links_graph(link(records))     # cross-plan: indicators, related tasks, conflicts
    timings["linking"] = time.perf_counter() - t
    t = time.perf_counter()
    report = validate(graph)
    timings["shacl"] = time.perf_counter() - t
    return BuildResult(records, graph, report, timings)


def sorted_ntriples(graph: Graph) -> bytes:
    """Canonical, sorted N-Triples: two builds of the same input give identical bytes."""
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(set(l for l in lines if l.strip()))) + b"\n"


def write_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_bytes(graph: Graph, path: Path) -> bytes:
    fmt = EXPORT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(str(path), 0, f"unknown export format; expected one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "nt":
        return sorted_ntriples(graph)
    return graph.serialize(format=fmt, encoding="utf-8")
