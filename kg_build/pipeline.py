"""The build: files → records → RDF → validation → store and export.

The only module of kg_build that touches the file system. Every output is written
aside and renamed into place, so a failed build leaves what was there before intact.

Two ways in: `build_graph(paths)` builds a few files into one in-memory rdflib graph
(tests, benchmarks); `build_collection(files, sink)` builds a whole collection issue by
issue — extracted, written and validated in worker processes, each issue's triples
streamed into its own named graph of the store (the `sink`), only the records kept for
linking across the collection — and skips the issues a previous build already holds.
"""
from __future__ import annotations

import hashlib
import heapq
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from contextlib import closing, nullcontext
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol

from rdflib import Graph

from kg_build import iris
from kg_build.cache import SUFFIX, CacheError, decode, decode_entry, encode_entry
from kg_build.extract import extract_gazette
from kg_build.linking import link
from kg_build.links_rdf import links_graph
from kg_build.links_stream import links_rows, validate_links
from kg_build.reading import InputError, decode_gazette
from kg_build.records import GazetteRecord
from kg_build.to_rdf import gazette_graph
from kg_build.validation import Finding, ValidationReport, validate
from ontology.namespaces import GK, NAMESPACES, bind_namespaces
from rdflib.namespace import RDF

EXPORT_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld"}


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


def read_gazette(path: Path, file_name: str | None = None) -> GazetteRecord:
    """Read, decode and extract one file; InputError names the file and line on bad input.
    `file_name` (default: the file's name) is what the issue is called in the graph."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), 0, "no such file; expected the path of a gazette text file")
    if path.is_dir():
        raise InputError(str(path), 0, "is a directory; expected a gazette text file")
    data = path.read_bytes()
    text, _encoding = decode_gazette(data, source=str(path))
    return extract_gazette(text, file_name=file_name or path.name, sha256=hashlib.sha256(data).hexdigest(),
                           source=str(path))


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


def export_format(path: Path) -> str:
    fmt = EXPORT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(str(path), 0, f"unknown export format; expected one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def export_bytes(graph: Graph, path: Path) -> bytes:
    fmt = export_format(path)
    if fmt == "nt":
        return sorted_ntriples(graph)
    if fmt == "nquads":
        raise InputError(str(path), 0, "N-Quads name a graph per issue; export a collection build instead")
    return ntriples_as(sorted_ntriples(graph), fmt)


def ntriples_as(ntriples: bytes, fmt: str) -> bytes:
    """N-Triples rewritten as Turtle or JSON-LD by Oxigraph, which keeps every literal's
    lexical form: rdflib's writers turn "1824"^^xsd:decimal into `1824.0` and "01"^^xsd:integer
    into `1`, so the .ttl and .jsonld exports named other terms than the .nt and .nq ones."""
    import pyoxigraph as ox
    target = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = {p: str(ns) for p, ns in NAMESPACES.items()}
    return ox.serialize(triples, format=target, prefixes=prefixes)


def sorted_lines(data: bytes) -> bytes:
    """N-Triples or N-Quads as sorted, distinct lines: the same collection gives the same bytes."""
    lines = sorted(set(l for l in data.splitlines() if l.strip()))
    return b"\n".join(lines) + b"\n" if lines else b""


def export_collection(sink: "Sink", path: Path) -> Path:
    """Write the collection in the sink as the format `path` names into a new file beside
    `path` and return that file (the caller renames it into place once the build is
    published): .nq keeps one named graph per issue, .nt is the union of the graphs, both as
    sorted, distinct lines; .ttl and .jsonld via Oxigraph (`ntriples_as`).

    N-Quads are sorted on disk in bounded memory (`sort_file`): 1,000 issues are ~10⁷ lines,
    ~2 GB, which a sort in memory would need several times over."""
    path = Path(path)
    fmt = export_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    out = Path(tmp)
    try:
        if fmt == "nquads":
            raw = out.with_name(out.name + ".unsorted")
            try:
                sink.dump_nquads(raw)
                sort_file(raw, out)
            finally:
                raw.unlink(missing_ok=True)
            return out
        ntriples = sorted_lines(sink.dump_ntriples())
        data = ntriples if fmt == "nt" else ntriples_as(ntriples, fmt)
        out.write_bytes(data)
        return out
    except BaseException:
        out.unlink(missing_ok=True)
        raise


SORT_RUN = 500_000      # lines sorted in memory at a time by sort_file


def sort_file(source: Path, target: Path, run: int = SORT_RUN) -> None:
    """The lines of `source` into `target`, sorted and distinct, holding at most `run` lines in
    memory: sorted runs go to temporary files beside `target` and are merged."""
    runs: list[Path] = []
    try:
        with open(source, "rb") as lines:
            while True:
                chunk = sorted({line for _, line in zip(range(run), lines) if line.strip()})
                if not chunk:
                    break
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.run", dir=target.parent)
                runs.append(Path(name))
                with os.fdopen(fd, "wb") as fh:
                    fh.writelines(line if line.endswith(b"\n") else line + b"\n" for line in chunk)
        files = [open(r, "rb") for r in runs]
        try:
            with open(target, "wb") as out:
                previous = None
                for line in heapq.merge(*files):
                    if line != previous:
                        out.write(line)
                        previous = line
        finally:
            for f in files:
                f.close()
    finally:
        for r in runs:
            r.unlink(missing_ok=True)


# --- collections ---------------------------------------------------------------------------

# Subjects that several issues describe alike (a unit, a region, a project): their triples go
# to the collection's entities graph, so that no triple is stored in two graphs. Oxigraph's
# union default graph does not merge duplicates: a unit in two issue graphs would be counted
# twice by every COUNT.
SHARED_CLASSES = (GK.Unit, GK.Region, GK.Project)
ISSUE_GRAPH_PREFIX = str(iris.ID["graph/gazette/"])


@dataclass(frozen=True)
class InputFile:
    path: Path
    file_name: str      # the issue's name in the graph: the file's name, or its path inside a folder given


def gazette_files(inputs: list[Path]) -> list[InputFile]:
    """Files as given; a folder stands for every *.txt below it (recursively, sorted, hidden
    folders skipped), named by its path inside the folder so 2020/01.txt and 2021/01.txt differ.
    A folder that cannot be read, or a file name that is not UTF-8, is an InputError naming it."""
    found: list[InputFile] = []
    for given in map(Path, inputs):
        if not given.is_dir():
            found.append(InputFile(given, _utf8_name(given, given.name)))
            continue
        inside = sorted(_walk(given))
        if not inside:
            raise InputError(str(given), 0, "no *.txt files in this folder; expected gazette text files")
        found.extend(InputFile(p, _utf8_name(p, p.relative_to(given).as_posix())) for p in inside)
    return found


def _walk(folder: Path) -> Iterator[Path]:
    """The *.txt files below `folder`, outside hidden folders; an unreadable folder raises
    (Path.rglob passes over it in silence, and its gazettes would be left out unsaid)."""
    def fail(error: OSError):
        raise InputError(_shown(error.filename or folder), 0, f"cannot read this folder ({error.strerror}); "
                         "expected a readable folder of gazette files") from None
    for top, dirs, files in os.walk(folder, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(top) / name
            if not name.startswith(".") and path.suffix.lower() == ".txt" and path.is_file():
                yield path


def _utf8_name(path: Path, name: str) -> str:
    """The issue's name, which goes into IRIs and the manifest: it must be text."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            hint = f" (as GB18030 it reads {raw.decode('gb18030')!r})"
        except UnicodeDecodeError:
            hint = ""
        raise InputError(_shown(path), 0, f"the file name is not valid UTF-8{hint}; expected a UTF-8 file "
                         "name: rename the file") from None
    return name


def _shown(path) -> str:
    """A path as printable text, undecodable bytes as \\x escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass
class IssueBuild:
    """One issue as its worker built it; kept (without `own`) for linking and in the cache."""
    file: InputFile
    sha256: str
    record: GazetteRecord
    graph: str                  # IRI of the issue's named graph
    own: bytes                  # N-Triples of the issue's graph
    shared: list[bytes]         # N-Triples lines about its units, regions and projects
    findings: list[Finding]
    counts: dict[str, int]


@dataclass
class IssueFailure:
    file: InputFile
    source: str
    line: int
    message: str

    def error(self) -> InputError:
        return InputError(self.source, self.line, self.message)

    def __str__(self) -> str:
        return str(self.error())


def build_issue(file: InputFile) -> IssueBuild | IssueFailure:
    """Read, extract, write and validate one issue (runs in a worker process; the result pickles)."""
    try:
        record = read_gazette(file.path, file.file_name)
    except InputError as error:
        return IssueFailure(file, error.source, error.line, error.message)
    graph = gazette_graph(record)
    findings = validate(graph).findings
    shared_subjects = {f"<{s}>".encode() for cls in SHARED_CLASSES for s in graph.subjects(RDF.type, cls)}
    own, shared = [], []
    for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
        if line.strip():
            (shared if line.split(b" ", 1)[0] in shared_subjects else own).append(line)
    count = lambda cls: sum(1 for _ in graph.subjects(RDF.type, cls))
    counts = {"plans": count(GK.Plan), "tasks": count(GK.Task), "targets": count(GK.Target),
              "deadlines": count(GK.Deadline), "triples": len(own)}
    return IssueBuild(file, record.sha256, record, str(iris.issue_graph(record.file_name)),
                      b"\n".join(sorted(own)) + b"\n", sorted(shared), findings, counts)


class Sink(Protocol):
    """Where a collection is written: a staged store (queries.engines.StagedStore)."""
    cache: Path
    def graphs(self) -> set[str]: ...
    def put_graph(self, iri: str, ntriples: bytes) -> None: ...
    def add_to_graph(self, iri: str, ntriples: bytes) -> None: ...
    def drop_graph(self, iri: str) -> None: ...
    def dump_nquads(self, output: Path) -> None: ...
    def dump_ntriples(self) -> bytes: ...


Progress = Callable[[int, int, str], None]   # (files done, files in all, the file just done)


@dataclass
class CollectionResult:
    issues: list[IssueBuild]            # every issue now in the store, in input order
    built: list[str]                    # file names extracted this time
    unchanged: list[str]                # file names taken from the cache
    failures: list[IssueFailure]
    report: ValidationReport
    counts: dict[str, int]
    timings: dict[str, float]
    fingerprint: str
    collection_findings: list[Finding] = field(default_factory=list)   # on the entities and links graphs
    changed: bool = True                # False: the store already holds exactly this collection

    def manifest(self) -> dict:
        """What the store records about its build: per input, its hash, graph and counts."""
        inputs = [{"file": i.file.file_name, "path": str(i.file.path), "sha256": i.sha256, "graph": i.graph,
                   "cache": cache_key(i.file.file_name, i.sha256), **i.counts} for i in self.issues]
        return {"version": 2, "fingerprint": self.fingerprint, "inputs": inputs, "counts": self.counts,
                "graphs": {"entities": str(iris.ENTITIES_GRAPH), "links": str(iris.LINKS_GRAPH)},
                "failures": [str(f) for f in self.failures],
                "collection_findings": [asdict(f) for f in self.collection_findings]}


def code_fingerprint() -> str:
    """A hash of what decides the graphs and findings: the extraction and linking code, its data
    tables, the ontology and shapes. A cached issue is reused only under the same hash."""
    here = Path(__file__).resolve().parent
    root = here.parent / "ontology"
    files = sorted([*here.glob("*.py"), *(here / "linking").glob("*.py"), *(here / "data").glob("*"),
                    *root.glob("*.ttl"), *root.glob("*.py")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(here.parent).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def reusable(previous: dict | None) -> bool:
    """Can a build start from the store whose manifest is `previous` (same code, same layout)?"""
    return bool(previous) and previous.get("version") == 2 and previous.get("fingerprint") == code_fingerprint()


def cache_key(file_name: str, sha256: str) -> str:
    return hashlib.sha256(f"{file_name}\0{sha256}".encode()).hexdigest() + SUFFIX


def _hash(file: InputFile) -> str | IssueFailure:
    try:
        return hashlib.sha256(file.path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return IssueFailure(file, str(file.path), 0, "no such file; expected the path of a gazette text file")
    except OSError as error:
        return IssueFailure(file, str(file.path), 0, f"cannot read: {error.strerror}")


def _cached(sink: Sink, graphs: set[str], file: InputFile, sha: str, previous: dict) -> IssueBuild | None:
    """The issue as the previous build left it, if the file is unchanged and its entry is cached.

    The cache is a JSON entry per issue inside the store (kg_build.cache: data only, checked),
    published and rolled back with the data. Re-extracting instead would cost what skipping is
    meant to save: extraction, RDF writing and SHACL are ~4 s of the ~4.5 s an issue takes,
    reading a cached one ~10 ms. An entry that does not check out is ignored with a warning."""
    entry = previous.get(file.file_name)
    path = sink.cache / cache_key(file.file_name, sha)
    if entry is None or entry.get("sha256") != sha or entry.get("graph") not in graphs or not path.exists():
        return None
    try:
        fields = decode_entry(path.read_bytes(), file_name=file.file_name, sha256=sha)
    except (CacheError, OSError) as error:
        print(f"gazettekg: warning: {path}: cache entry ignored, {file.file_name} is extracted again: {error}",
              file=sys.stderr)
        return None
    if fields["graph"] != entry.get("graph"):
        print(f"gazettekg: warning: {path}: cache entry names another graph; {file.file_name} is extracted "
              f"again", file=sys.stderr)
        return None
    return IssueBuild(file, sha, own=b"", **fields)


def _cache_entry(issue: IssueBuild) -> bytes:
    return encode_entry(file_name=issue.file.file_name, sha256=issue.sha256, graph=issue.graph,
                        record=issue.record, shared=issue.shared, findings=issue.findings, counts=issue.counts)


def _pool(jobs: int) -> ProcessPoolExecutor | None:
    """Worker processes for `jobs` > 1. forkserver: workers start from a clean process, not
    from a fork of this one, which holds an open store. Each worker exits when the build
    process is gone, however it ended (SIGKILL included), rather than live on orphaned."""
    if jobs <= 1:
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kg_build.pipeline"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_die_with_build,
                               initargs=(os.getpid(),))


def _die_with_build(build_pid: int) -> None:
    """In a worker: exit as soon as process `build_pid` has ended. A worker's parent is the
    forkserver, not the build, so PR_SET_PDEATHSIG would not do; the forkserver itself ends
    with the build, which changes the worker's parent — that, or the build's pid gone, ends it."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent and _alive(build_pid):
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, name="build-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(pool: ProcessPoolExecutor | None) -> None:
    """Stop the workers now (a failed or interrupted build), not after their current issue."""
    if pool is None:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())   # no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)


def _run(todo: list[InputFile], pool: ProcessPoolExecutor | None) -> Iterator[IssueBuild | IssueFailure]:
    """Build the files, in the pool if there is one; results come in the order they finish."""
    if pool is None:
        yield from map(build_issue, todo)
        return
    pending = {pool.submit(build_issue, f) for f in todo}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


def build_collection(files: list[InputFile], sink: Sink, *, previous: dict | None = None, jobs: int = 1,
                     keep_going: bool = False, progress: Progress | None = None) -> CollectionResult:
    """Build `files` into `sink`: one named graph per issue, then the entities and links graphs.

    Issues whose file is unchanged since the build that wrote `previous` (the sink's current
    manifest) are taken from the cache. A bad file raises InputError (file:line) unless
    `keep_going`, which leaves it out and lists it in `failures`. Nothing here publishes:
    the caller commits or discards the sink.
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    fingerprint = code_fingerprint()
    before = _inputs_of(previous) if reusable(previous) else {}
    failures: list[IssueFailure] = []
    issues: dict[str, IssueBuild] = {}     # by file name
    todo: list[InputFile] = []

    def fail(failure: IssueFailure) -> None:
        if not keep_going:
            raise failure.error()
        failures.append(failure)

    graphs, names = sink.graphs(), {}
    for file in files:
        sha = _hash(file)
        if file.file_name in names:
            fail(IssueFailure(file, str(file.path), 0, f"a second file named {file.file_name} (first: "
                              f"{names[file.file_name]}); expected distinct gazette file names"))
            continue
        names[file.file_name] = file.path
        if isinstance(sha, IssueFailure):
            fail(sha)
        elif (issue := _cached(sink, graphs, file, sha, before)) is not None:
            issues[file.file_name] = issue
        else:
            todo.append(file)
    timings["check"] = time.perf_counter() - t
    with _pool(jobs) or nullcontext() as pool:
        try:
            return _build(files, names, todo, issues, sink, pool, before, previous, fingerprint, fail, failures,
                          timings, progress)
        except BaseException:
            _stop(pool)
            raise


def _build(files, names, todo, issues, sink, pool, before, previous, fingerprint, fail, failures, timings,
           progress) -> CollectionResult:
    """build_collection's second half, once the pool is up: issues, then the collection graphs."""
    t = time.perf_counter()
    done = len(files) - len(todo)
    unchanged = set(issues)
    if progress:
        progress(done, len(files), "")
    with closing(_run(todo, pool)) as results:   # closing: a failure stops the workers at once
        for result in results:
            done += 1
            if isinstance(result, IssueFailure):
                fail(result)
            else:
                sink.put_graph(result.graph, result.own)
                result.own = b""            # in the store now; the record is what linking needs
                (sink.cache / cache_key(result.file.file_name, result.sha256)).write_bytes(_cache_entry(result))
                issues[result.file.file_name] = result
            if progress:
                progress(done, len(files), result.file.file_name)
    timings["issues"] = time.perf_counter() - t
    if not todo and not failures and names.keys() == before.keys():
        try:
            return _as_before(previous, [issues[n] for n in names], timings, fingerprint)
        except CacheError as error:         # a manifest edited by hand or damaged: link again
            print(f"gazettekg: warning: the store's manifest does not hold a previous result ({error}); "
                  "linking again", file=sys.stderr)
    kept = _without_duplicates([issues[n] for n in names if n in issues], fail)
    _forget_others(sink, kept)
    t = time.perf_counter()
    findings = [f for i in kept for f in i.findings]
    entities = sorted({line for i in kept for line in i.shared})
    entities_nt = b"\n".join(entities) + b"\n" if entities else b""
    sink.put_graph(str(iris.ENTITIES_GRAPH), entities_nt)
    entities_graph = Graph().parse(data=entities_nt, format="nt")
    collection_findings = validate(entities_graph).findings
    sink.put_graph(str(iris.LINKS_GRAPH), b"")
    records = [i.record for i in kept]
    store = lambda rows: sink.add_to_graph(str(iris.LINKS_GRAPH), rows)
    n_links, link_findings = validate_links(links_rows(link(records)), records, pool, store=store)
    collection_findings += link_findings
    timings["linking"] = time.perf_counter() - t
    report = merge_findings(findings + collection_findings)
    count = lambda cls: sum(1 for _ in entities_graph.subjects(RDF.type, cls))
    counts = {"gazettes": len(kept), **{k: sum(i.counts[k] for i in kept) for k in ("plans", "tasks", "targets",
                                                                                        "deadlines")},
              "units": count(GK.Unit), "regions": count(GK.Region), "projects": count(GK.Project),
              "triples": sum(i.counts["triples"] for i in kept) + len(entities) + n_links,
              "violations": report.counts["Violation"], "warnings": report.counts["Warning"]}
    names = [i.file.file_name for i in kept]
    return CollectionResult(kept, [n for n in names if n not in unchanged], [n for n in names if n in unchanged],
                            failures, report, counts, timings, fingerprint, collection_findings)


def _inputs_of(previous: dict) -> dict[str, dict]:
    """The previous build's inputs by file name; none if the manifest does not list them as
    expected (then every file is extracted again)."""
    inputs = previous.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) and isinstance(i.get("file"), str)
                                                for i in inputs):
        print("gazettekg: warning: the store's manifest lists no usable inputs; every file is extracted again",
              file=sys.stderr)
        return {}
    return {i["file"]: i for i in inputs}


def _as_before(previous: dict, issues: list[IssueBuild], timings: dict, fingerprint: str) -> CollectionResult:
    """Nothing changed since the build that wrote `previous` (same files, same contents, same
    code): its graphs, counts and findings stand, and linking need not run again."""
    kept = decode(list[Finding], previous.get("collection_findings", []))     # data only, checked
    report = merge_findings([f for i in issues for f in i.findings] + kept)
    return CollectionResult(issues, [], [i.file.file_name for i in issues], [], report,
                            decode(dict[str, int], previous.get("counts")),
                            timings, fingerprint, kept, changed=False)


def _without_duplicates(issues: list[IssueBuild], fail: Callable[[IssueFailure], None]) -> list[IssueBuild]:
    """The issues minus any that repeats an earlier one's gazette IRI or a plan's document
    number (their triples would mix in the union graph); the later file is the one that fails."""
    gazettes: dict[str, InputFile] = {}
    plans: dict[str, tuple[InputFile, int]] = {}
    kept = []
    for issue in issues:
        file, record = issue.file, issue.record
        first = gazettes.get(issue.graph)
        if first is not None:
            fail(IssueFailure(file, str(file.path), 0, f"names the same gazette as {first.path} "
                              f"({record.file_name}); expected distinct gazette file names"))
            continue
        repeated = next(((p, plans[p.key]) for p in record.plans if p.key in plans), None)
        if repeated is not None:
            plan, (other, line) = repeated
            fail(IssueFailure(file, str(file.path), plan.line, f"plan {plan.doc_number or plan.title} is already "
                              f"in {other.path}:{line}; expected each plan in one issue of the collection"))
            continue
        gazettes[issue.graph] = file
        plans.update((p.key, (file, p.line)) for p in record.plans)
        kept.append(issue)
    return kept


def _forget_others(sink: Sink, kept: list[IssueBuild]) -> None:
    """Drop the graphs and cache entries of issues no longer in the collection (removed,
    changed, failed or repeated files)."""
    graphs = {i.graph for i in kept}
    for graph in sink.graphs():
        if graph.startswith(ISSUE_GRAPH_PREFIX) and graph not in graphs:
            sink.drop_graph(graph)
    keys = {cache_key(i.file.file_name, i.sha256) for i in kept}
    for entry in sink.cache.iterdir():
        if entry.name not in keys:
            entry.unlink()


def merge_findings(findings: list[Finding]) -> ValidationReport:
    """One finding per entity and constraint (an entity several issues describe is reported
    once, at a line where one of them has it)."""
    best: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.severity, f.focus, f.path, f.message, f.value, f.shape)
        if key not in best or (best[key].line is None and f.line is not None):
            best[key] = f
    return ValidationReport(sorted(best.values(), key=Finding.sort_key))
