"""The links graph of a collection, streamed: rows into the store and through SHACL in chunks.

At 1,000 issues the links graph has ~10⁷ rows; nothing here holds them all. links_triples
yields each triple once with a subject's triples together, so the rows can be cut between
subjects into chunks that SHACL checks one by one in the worker pool.
"""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.plugins.serializers.nt import _nt_row

from kg_build import iris
from kg_build.linking.model import LinkResult
from kg_build.records import GazetteRecord
from kg_build.links_rdf import NAMED_PROPERTIES, links_triples
from kg_build.validation import Finding, shapes_for_named, validate
from ontology.namespaces import GK


def links_rows(result: LinkResult) -> Iterator[bytes]:
    """The links graph as N-Triples rows, in links_triples' order (a subject's rows together),
    written by rdflib's N-Triples row writer: holding 10⁶ triples in an rdflib Graph first cost
    ~30 µs each, writing a row ~4 µs."""
    return (_nt_row(triple).encode("utf-8") for triple in links_triples(result))


LINKS_CHUNK = 20_000    # rows per SHACL run on the links graph
STORE_BATCH = 10        # chunks per load into the store (fewer, larger loads)
MAX_PENDING = 4         # chunks queued for the workers at a time
_TYPE = f"<{RDF.type}>".encode()


def validate_links(rows: Iterable[bytes], records: list[GazetteRecord], pool: ProcessPoolExecutor | None, *,
                   store: Callable[[bytes], None] | None = None) -> tuple[int, list[Finding]]:
    """SHACL on the links graph as it streams by (and, with `store`, into the store): returns
    the number of rows and the findings. Never all of it in memory: 1,000 issues have ~10⁷.

    The rows come in chunks of whole subjects, each checked in the worker pool about its own
    subjects, with the types of the nodes it names: the tasks and targets of the gazettes (their
    issue graphs say the rest, and `_links_shapes` checks only what the links graph says of
    them) and the nodes the links graph typed earlier in the stream (links_triples types an
    indicator before naming it)."""
    kinds = _named_kinds(records)
    found: list[Finding] = []
    pending: set = set()
    batch: list[bytes] = []
    loading = None          # the batch the loader is storing
    count = 0
    # the store loads in a thread of its own (Oxigraph's bulk load releases the GIL), one
    # batch at a time and in order, while this thread writes the next rows; leaving the block,
    # even on an error, waits for it, so nothing is written to a store being thrown away
    with ThreadPoolExecutor(max_workers=1) as loader:
        for chunk in _subject_chunks(rows, LINKS_CHUNK):
            count += len(chunk)
            for row in chunk:
                subject, predicate, rest = row.split(b" ", 2)
                if predicate == _TYPE:
                    kinds.setdefault(subject, rest.rsplit(b" ", 1)[0])
            job = _with_types(chunk, kinds)
            if pool is None:
                found += validate_links_chunk(job)
            else:
                pending.add(pool.submit(validate_links_chunk, job))
                if len(pending) >= MAX_PENDING:     # a bounded queue: memory stays flat
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    found += [f for d in done for f in d.result()]
            if store is not None:
                batch += chunk
                if len(batch) >= STORE_BATCH * LINKS_CHUNK:
                    loading = _load_next(loader, store, batch, loading)
                    batch = []
        if store is not None and batch:
            loading = _load_next(loader, store, batch, loading)
        if loading is not None:
            loading.result()
    for future in pending:
        found += future.result()
    return count, found


def _load_next(loader: ThreadPoolExecutor, store: Callable[[bytes], None], rows: list[bytes], loading):
    """Hand `rows` to the loader once the batch before them is stored (one batch waits at most)."""
    if loading is not None:
        loading.result()
    return loader.submit(store, b"".join(rows))


def _subject_chunks(rows: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """Rows in chunks of about `size`, cut only where the subject changes."""
    chunk: list[bytes] = []
    subject = None
    for row in rows:
        this = row.split(b" ", 1)[0]
        if len(chunk) >= size and this != subject:
            yield chunk
            chunk = []
        chunk.append(row)
        subject = this
    if chunk:
        yield chunk


def _named_kinds(records: list[GazetteRecord]) -> dict[bytes, bytes]:
    """IRI → type of every task and target of the gazettes, as N-Triples terms."""
    kinds: dict[bytes, bytes] = {}
    task, target = _iri(GK.Task), _iri(GK.Target)
    for record in records:
        for plan in record.plans:
            for n in range(1, len(plan.targets) + 1):
                kinds[_iri(iris.plan_target(plan.key, n))] = target
            for t in plan.tasks:
                node = iris.task(plan.key, t.path)
                kinds[_iri(node)] = task
                for n in range(1, len(t.targets) + 1):
                    kinds[_iri(iris.task_target(node, n))] = target
    return kinds


def _iri(node) -> bytes:
    return f"<{node}>".encode()


def _with_types(lines: list[bytes], kinds: dict[bytes, bytes]) -> tuple[bytes, list[str]]:
    """N-Triples of a chunk plus, for each node it names, that node's type; and its subjects."""
    subjects, nodes = set(), set()
    for line in lines:
        subject, _, rest = line.split(b" ", 2)
        subjects.add(subject)
        if rest.startswith(b"<"):
            nodes.add(rest.rsplit(b" ", 1)[0])
    types = [b"%s %s %s .\n" % (n, _TYPE, kinds[n]) for n in sorted(subjects | nodes) if n in kinds]
    return b"".join(lines) + b"".join(types), sorted(s[1:-1].decode() for s in subjects)


@lru_cache(maxsize=1)
def _links_shapes() -> Graph:
    return shapes_for_named(NAMED_PROPERTIES)


def validate_links_chunk(chunk: tuple[bytes, list[str]]) -> list[Finding]:
    """Validate a chunk of the links graph about its subjects (runs in a worker)."""
    ntriples, subjects = chunk
    return validate(ntriples, shapes=_links_shapes(), focus=subjects).findings
