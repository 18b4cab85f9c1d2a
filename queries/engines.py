"""Where the graph lives: one small interface over the embedded store.

The embedded store is Oxigraph on disk (pyoxigraph): measured against rdflib it loads
~15x faster and answers self-joins orders of magnitude faster (bench/store.py). The
build, the API and the graphs all reach the store through `open_store`, so none of
them depends on another to get at the data. A `sparql+http://` spec opens a remote
SPARQL endpoint instead (queries/remote.py), with the same `query()`.

Publishing is atomic: a new store is built beside the old one and swapped in by
renaming, so a failed build never leaves a half-written store behind.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ontology.namespaces import NAMESPACES

PREFIX_MAP = {prefix: str(ns) for prefix, ns in NAMESPACES.items()}

DEFAULT_STORE = Path(os.environ.get("GAZETTEKG_STORE", ".gazettekg/store"))
MANIFEST = "gazettekg-store.json"


class StoreError(RuntimeError):
    """The store is missing, locked or not a gazettekg store."""


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[list[ox.NamedNode | ox.Literal | ox.BlankNode | None]]


@dataclass
class AskResult:
    value: bool


@dataclass
class GraphResult:
    triples: list[ox.Triple]


QueryResult = SelectResult | AskResult | GraphResult


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


class EmbeddedStore:
    """A read-only view of a published on-disk Oxigraph store."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not (self.path / MANIFEST).exists():
            raise StoreError(f"{self.path}: no gazettekg store here; run `gazettekg build FILE --store {self.path}` first")
        try:
            self._store = ox.Store.read_only(str(self.path))
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None

    @property
    def manifest(self) -> dict:
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    def query(self, sparql: str, *, bindings: dict | None = None) -> QueryResult:
        """Run a SPARQL query; `bindings` (variable name → value) are bound as RDF terms."""
        subs = {ox.Variable(k): to_ox_term(v) for k, v in (bindings or {}).items()}
        res = self._store.query(sparql, prefixes=PREFIX_MAP, substitutions=subs or None)
        if isinstance(res, ox.QueryBoolean):
            return AskResult(bool(res))
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            return SelectResult(names, [[sol[v] for v in names] for sol in res])
        return GraphResult(list(res))

    def dump_ntriples(self) -> bytes:
        """Every triple of the default graph as N-Triples."""
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())

    def __len__(self) -> int:
        return len(self._store)


REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")


def is_remote(spec) -> bool:
    """Does the store spec name a remote SPARQL endpoint (sparql+http://HOST:PORT/PATH)?"""
    return isinstance(spec, str) and spec.startswith(REMOTE_SCHEMES)


def open_store(spec: Path | str | None = None):
    """The embedded store in directory `spec`, or the remote endpoint a sparql+http:// spec names."""
    if is_remote(spec):
        from queries.remote import RemoteStore  # imported here: remote builds on this module
        return RemoteStore.from_spec(spec)
    return EmbeddedStore(Path(spec) if spec else DEFAULT_STORE)


def publish(ntriples: bytes, target: Path, manifest: dict) -> None:
    """Load N-Triples into a fresh store beside `target`, then swap it in."""
    target = Path(target)
    if target.exists() and not (target / MANIFEST).exists():
        if any(target.iterdir()):
            raise StoreError(f"{target}: exists and is not a gazettekg store; refusing to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        store = ox.Store(str(staging))
        store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
        store.flush()
        del store
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True),
                                        encoding="utf-8")
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
