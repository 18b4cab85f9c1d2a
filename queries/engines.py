"""Where the graph lives: one small interface over the embedded store.

The embedded store is Oxigraph on disk (pyoxigraph): measured against rdflib it loads 10⁶
quads 7.8-9.7x faster (15x in memory) and answers self-joins orders of magnitude faster
(bench/store.py, bench/scale.py, docs/PERFORMANCE.md). The
build, the API and the graphs all reach the store through `open_store`, so none of
them depends on another to get at the data. A `sparql+http://` spec opens a remote
SPARQL endpoint instead (queries/remote.py), with the same `query()`.

A collection is stored as one named graph per gazette issue plus two collection-wide
graphs (kg_build.iris: ENTITIES_GRAPH, LINKS_GRAPH); every query reads the union of all
graphs as its default graph, so a query needs no GRAPH clause to see everything.

Publishing is atomic: a new version of the store is built beside the published one
(`StagedStore`) and made current by replacing one symlink (queries.layout), so a failed or
killed build never leaves a half-written store, nor none, behind.
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
from queries import layout
from queries.layout import CACHE, MANIFEST, StoreError, check_target, data_dir, store_lock, store_version  # noqa: F401
from queries.sparql_text import bind_in_text, outer_group, to_ox_term

PREFIX_MAP = {prefix: str(ns) for prefix, ns in NAMESPACES.items()}

DEFAULT_STORE = Path(os.environ.get("GAZETTEKG_STORE", ".gazettekg/store"))
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


class EmbeddedStore:
    """A read-only view of a published on-disk Oxigraph store: the version current when it
    was opened (`version`), held until this view is dropped, whatever builds publish after."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: is a file, not a store directory")
        self.version = store_version(self.path)
        self.data = data_dir(self.path, self.version)
        if self.data is None or not (self.data / MANIFEST).exists():
            raise StoreError(f"{self.path}: no gazettekg store here; run `gazettekg build FILE --store {self.path}` first")
        try:
            self._store = ox.Store.read_only(str(self.data))
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None

    @property
    def manifest(self) -> dict:
        return _load_manifest(self.data / MANIFEST)

    def query(self, sparql: str, *, bindings: dict | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all graphs; `bindings` (variable name → value)
        are bound as RDF terms, in the query text and as substitutions (queries.sparql_text
        says why both)."""
        subs = {ox.Variable(k): to_ox_term(v) for k, v in (bindings or {}).items()}
        if subs and outer_group(sparql) is not None:
            sparql = bind_in_text(sparql, bindings)
        res = self._store.query(sparql, prefixes=PREFIX_MAP, substitutions=subs or None,
                                use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            return AskResult(bool(res))
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            return SelectResult(names, [[sol[v] for v in names] for sol in res])
        return GraphResult(list(res))

    def dump_ntriples(self) -> bytes:
        """Every triple of every graph (the union the queries see) as N-Triples."""
        return dump_union(self._store)

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


def dump_union(store: ox.Store) -> bytes:
    """The triples of the default graph and of every named graph, as N-Triples."""
    graphs = [ox.DefaultGraph(), *sorted(store.named_graphs(), key=str)]
    return b"".join(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) for g in graphs)


def _write_manifest(directory: Path, manifest: dict) -> None:
    path = directory / MANIFEST
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        fh.flush()
        os.fsync(fh.fileno())     # on disk before the version it describes is published


def publish(ntriples: bytes, target: Path, manifest: dict) -> None:
    """Load N-Triples into the default graph of a new version of the store at `target`, and
    make it current."""
    with StagedStore(Path(target), fresh=True) as staged:
        staged.store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
        staged.commit(manifest)


class StagedStore:
    """A writable copy of the store at `target`, swapped in by `commit` or thrown away.

    Why a copy and not one transaction on the live store: the copy is an Oxigraph checkpoint,
    which hard-links RocksDB's immutable files. Measured on a 218 MB store of 100 sample-sized
    issues (800k quads): staging it took 0.07 s and replacing one issue's graph in the copy
    0.55 s, against 0.63 s for the same replacement as one SPARQL-update transaction on the
    live store. At equal cost the copy wins: the live store is never opened for writing, so a
    failed build leaves it byte-identical and the API's read-only views are never disturbed.

    Use as a context manager: leaving the block without `commit` discards the copy.
    """

    def __init__(self, target: Path | None, *, fresh: bool = False):
        """`target` None stages a store that is only read from (e.g. to send to a remote engine);
        `fresh` starts empty instead of from the published store's data. Holds the store's
        build lock (queries.layout.store_lock) until committed or discarded."""
        self.target = Path(target) if target is not None else None
        self._lock = store_lock(self.target) if self.target is not None else None
        if self._lock is not None:
            self._lock.__enter__()      # raises StoreError: not a store, not writable, or locked
        try:
            if self.target is not None:
                layout.clean_staging(self.target)   # what builds that died left
                self.path = layout.new_staging(self.target)
            else:
                self.path = Path(tempfile.mkdtemp(prefix=".gazettekg.new-"))
        except OSError as error:
            self._unlock()
            raise StoreError(f"{self.target}: cannot create the new version of the store: "
                             f"{error.strerror}") from None
        self.cache = self.path / CACHE
        try:
            published = data_dir(self.target) if self.target is not None else None
            if published is not None and not fresh:
                self.path.rmdir()  # the checkpoint creates its directory itself
                ox.Store.read_only(str(published)).backup(str(self.path))
                self._link_cache(published / CACHE)
            self.cache.mkdir(exist_ok=True)
            self.store = ox.Store(str(self.path))
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            self._unlock()
            raise

    def _unlock(self) -> None:
        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            lock.__exit__(None, None, None)

    def _link_cache(self, source: Path) -> None:
        """Cache files are written once and never changed, so hard links copy them safely."""
        self.cache.mkdir(exist_ok=True)
        if source.is_dir():
            for f in source.iterdir():
                try:
                    os.link(f, self.cache / f.name)
                except OSError:  # another file system: copy instead
                    shutil.copy2(f, self.cache / f.name)

    def graphs(self) -> set[str]:
        return {g.value for g in self.store.named_graphs()}

    def put_graph(self, iri: str, ntriples: bytes) -> None:
        """Replace named graph `iri` by the triples of `ntriples`."""
        graph = ox.NamedNode(iri)
        if self.store.contains_named_graph(graph):
            self.store.clear_graph(graph)
        self.store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def add_to_graph(self, iri: str, ntriples: bytes) -> None:
        """Add the triples of `ntriples` to named graph `iri` (a graph written in pieces)."""
        self.store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))

    def drop_graph(self, iri: str) -> None:
        graph = ox.NamedNode(iri)
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)

    def dump_graph(self, iri: str) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))

    def dump_nquads(self, output: Path) -> None:
        self.store.dump(output=str(output), format=ox.RdfFormat.N_QUADS)

    def dump_ntriples(self) -> bytes:
        return dump_union(self.store)

    def __len__(self) -> int:
        return len(self.store)

    def commit(self, manifest: dict, *, step=lambda name: None) -> str:
        """Publish the staged store as the current version of `target`; return its id.
        (`step`: see queries.layout.publish_version.)"""
        if self.target is None:
            raise StoreError("this staged store has no target to publish to")
        self.store.flush()
        del self.store
        _write_manifest(self.path, manifest)
        try:
            version = layout.publish_version(self.path, self.target, step=step)
        except BaseException:
            self.discard()
            raise
        self._unlock()
        return version

    def discard(self) -> None:
        self.__dict__.pop("store", None)
        shutil.rmtree(self.path, ignore_errors=True)
        self._unlock()

    def __enter__(self) -> "StagedStore":
        return self

    def __exit__(self, *exc) -> None:
        if self.path.exists():
            self.discard()
        self._unlock()


def read_manifest(target: Path) -> dict | None:
    """The manifest of the store published at `target`, or None if there is none."""
    data = data_dir(Path(target)) if Path(target).is_dir() else None
    return _load_manifest(data / MANIFEST) if data is not None and (data / MANIFEST).exists() else None


def _load_manifest(path: Path) -> dict:
    """A manifest as data (JSON only; nothing in it is evaluated); StoreError names the file if
    it is not one (e.g. truncated by a full disk or a copy cut short)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise StoreError(f"{path}: the store's manifest is not UTF-8 text (byte {error.start}); "
                         f"rebuild the store") from None
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}:{error.lineno}: the store's manifest is not valid JSON ({error.msg}); "
                         f"it may be truncated: rebuild the store") from None
    if not isinstance(manifest, dict):
        raise StoreError(f"{path}: the store's manifest is not a JSON object; rebuild the store")
    return manifest
