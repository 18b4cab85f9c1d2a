"""Query execution with a time limit that really stops the work.

A pyoxigraph query cannot be interrupted from Python, so queries run in a small pool of
worker processes, each with its own read-only view of the store. A query that outlives
its time limit has its process killed (SIGKILL) and a fresh one started in the
background; the caller gets `QueryTimeout` at once. The worker also caps rows and
serializes the answer, so a huge result costs worker time (inside the limit), not
server memory.

As defence in depth behind the SERVICE refusal in `api.guard`, each worker moves into a
network namespace of its own where it can, so it has no route to anywhere.
"""
from __future__ import annotations

import ctypes
import functools
import datetime as dt
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

from api import calls
from api.calls import CallError

log = logging.getLogger("gazettekg.worker")

_CLONE_NEWNET = 0x40000000
XSD = "http://www.w3.org/2001/XMLSchema#"


class PoolBusy(Exception):
    """Every worker stayed busy for the whole queue wait."""


class QueryTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"query stopped after {seconds:.1f} s")
        self.seconds = seconds


class WorkerLost(Exception):
    """The worker process died while answering (killed from outside, out of memory …)."""


class JobCancelled(Exception):
    """The caller set the job's `cancel` event (its client went away): the job was dropped,
    or its worker killed and replaced."""


class QueryFailed(Exception):
    """The query was not answered: kind is 'syntax' (parser, with position), 'evaluation'
    (the engine's message) or 'service' (a SERVICE pattern, refused before the engine ran)."""

    def __init__(self, kind: str, message: str, error: list | None = None):
        super().__init__(message)
        self.kind, self.message, self.error = kind, message, error  # error: an api.calls.CallError's fields


# --- values travel between processes as plain tuples -------------------------------------

def to_transport(value) -> tuple:
    """A binding value (pyoxigraph or rdflib term, or a Python value) → a picklable tuple.

    >>> to_transport(3)
    ('literal', '3', 'http://www.w3.org/2001/XMLSchema#integer', None)
    >>> to_transport("许昌")
    ('literal', '许昌', None, None)
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    if isinstance(value, (ox.NamedNode, URIRef)):
        return ("iri", str(value.value if isinstance(value, ox.NamedNode) else value))
    if isinstance(value, ox.Literal):
        return ("literal", value.value, None if value.language else value.datatype.value, value.language)
    if isinstance(value, Literal):
        return ("literal", str(value), str(value.datatype) if value.datatype else None, value.language)
    if isinstance(value, (ox.BlankNode, BNode)):
        raise TypeError("blank nodes cannot be bound")
    if isinstance(value, bool):
        return ("literal", "true" if value else "false", XSD + "boolean", None)
    if isinstance(value, int):
        return ("literal", str(value), XSD + "integer", None)
    if isinstance(value, (float, Decimal)):
        return ("literal", str(value), XSD + ("double" if isinstance(value, float) else "decimal"), None)
    if isinstance(value, dt.date):
        return ("literal", value.isoformat(), XSD + "date", None)
    return ("literal", str(value), None, None)


def _from_transport(t: tuple):
    import pyoxigraph as ox
    if t[0] == "iri":
        return ox.NamedNode(t[1])
    _, value, datatype, language = t
    if language:
        return ox.Literal(value, language=language)
    if datatype and datatype != XSD + "string":
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


# --- the worker process ------------------------------------------------------------------

def _isolate_network() -> bool:
    """Enter a new, empty network namespace (needs CAP_SYS_ADMIN); False where not allowed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


class _Refused(Exception):
    """Inside the worker: the job is refused before the engine sees it (args[0] is the kind)."""


def execute(store, job: dict) -> dict:
    """Run one job against an open pyoxigraph store (inside the worker)."""
    import pyoxigraph as ox
    from api import formats, guard
    from queries.engines import PREFIX_MAP
    text = job["sparql"]
    # the bundled library's texts hold no SERVICE and no typo'd cross product: not parsed again
    service, cross = (False, None) if text in _library_texts() else guard.review(text)
    if service:
        # decided on the parse tree right before the engine, which would really connect out
        raise _Refused("service")
    if cross:  # a typo'd variable making a cross product (api.lint): 400, not a time-out
        raise CallError(400, "Query joins nothing (cross product)", *cross)
    kwargs = {}
    if job.get("default_graph") is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graph"]]
    if job.get("named_graphs") is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    if not kwargs and "FROM" not in guard.keywords(job["sparql"]):
        # no dataset in the request nor in the query (FROM / FROM NAMED, which the union
        # option would override): the default graph is the union of every graph (one per
        # gazette issue, the entities and the links), as for EmbeddedStore.query
        kwargs["use_default_graph_as_union"] = True
    subs = {ox.Variable(k): _from_transport(v) for k, v in (job.get("bindings") or {}).items()}
    limit, fmt = job["row_limit"], job.get("format")
    started = time.perf_counter()
    res = store.query(job["sparql"], base_iri=job.get("base_iri"), prefixes=PREFIX_MAP,
                      substitutions=subs or None, **kwargs)
    out = {"ok": True, "truncated": False, "count": 1, "body": None, "data": None}
    if isinstance(res, ox.QueryBoolean):
        out["form"] = "ASK"
        value = bool(res)
        if fmt == "rows":
            out["data"] = {"boolean": value}
        else:
            f = fmt if fmt in {f.name for f in formats.BOOLEAN} else "json"
            out.update(format=f, body=formats.serialize_ask(f, value))
    elif isinstance(res, ox.QuerySolutions):
        out["form"] = "SELECT"
        variables = [v.value for v in res.variables]
        rows = [[sol[v] for v in variables] for sol in islice(res, limit + 1)]
        out["truncated"], rows = len(rows) > limit, rows[:limit]
        out["count"] = len(rows)
        if fmt == "rows":
            out["data"] = {"vars": variables, "rows": formats.select_rows(variables, rows)}
        else:
            f = fmt if fmt in {f.name for f in formats.TABULAR} else "json"
            out.update(format=f, body=formats.serialize_select(f, variables, rows, truncated=out["truncated"],
                                                               row_limit=limit))
    else:
        out["form"] = "GRAPH"
        triples = list(islice(res, limit + 1))
        out["truncated"], triples = len(triples) > limit, triples[:limit]
        out["count"] = len(triples)
        if fmt == "rows":
            out["data"] = {"triples": [[formats.term_json(t.subject), formats.term_json(t.predicate),
                                        formats.term_json(t.object)] for t in triples]}
        else:
            f = fmt if fmt in {f.name for f in formats.GRAPH} else "turtle"
            out.update(format=f, body=formats.serialize_graph(f, triples))
    out["elapsed"] = time.perf_counter() - started
    return out


@functools.lru_cache(maxsize=1)
def _library_texts() -> frozenset[str]:
    """The bundled library's query texts. They ship with the service and are SERVICE-free
    (tests/test_api_cache.py parses each), so the rdflib parse (~36 ms, five times the
    engine's own time for most of them) is skipped for them; values reach them only as
    bound terms, never as text."""
    from queries.library import load_library
    return frozenset(q.text for q in load_library().values())


def call(view, job: dict) -> dict:
    """Run one of the service's fixed computations (api.calls) inside the worker."""
    started = time.perf_counter()
    out = calls.run(view, job["call"], job.get("args") or {})
    return {"ok": True, "truncated": False, "count": 1, "data": None, **out,
            "elapsed": time.perf_counter() - started}


def _warm() -> None:
    """Import what every job needs before the first one, so no query pays for it."""
    from api import formats, guard  # noqa: F401
    from rdflib.plugins.sparql import parser  # noqa: F401
    from queries import linking, names  # noqa: F401
    from viz import render, select  # noqa: F401
    # not the workbench's modules (api.facets … import FastAPI): a replacement for a killed
    # worker must be ready fast; the first workbench call, or api.calls.warm, imports them
    _library_texts()


def _die_with_parent() -> None:
    """Exit when the server process goes away, even in the middle of a query.

    (PR_SET_PDEATHSIG would not do: it follows the thread that started the worker, and
    replacements are started from short-lived threads.)"""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    """Cap this worker's address space: a query that would exhaust memory fails here (the
    engine aborts, the server answers 503 and starts a fresh worker), not on the whole host."""
    if megabytes > 0:
        import resource
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _open(root: str):
    """The store's current version, and its id; re-opened if a build published meanwhile."""
    from queries.engines import open_store, store_version
    for _ in range(5):
        view = open_store(Path(root))
        if store_version(Path(root)) == view.version:
            break
    return view


def _serve(conn, store_path: str, isolate: bool, count: bool = False, memory_mb: int = 0, warm: bool = False) -> None:
    """Worker main loop: answer jobs from `conn` until it closes."""
    _die_with_parent()
    # Queries yield the CPU to the server process, so /health and routing stay quick
    # while workers are saturated.
    os.nice(10)
    isolated = _isolate_network() if isolate else False
    try:
        view = _open(store_path)  # the fixed computations (api.calls) read through this view
        store = view._store
        _warm()
        hello = {"ok": True, "pid": os.getpid(), "isolated": isolated, "version": view.version}
        if count:  # the first worker of a generation reports what /health shows
            inputs = view.manifest.get("inputs", [])
            hello.update(triples=len(store), inputs=[
                {k: i[k] for k in ("file", "graph") if k in i} if isinstance(i, dict) else Path(str(i)).name
                for i in inputs])
        _limit_memory(memory_mb)  # after opening: the store's own start-up is not a query
    except Exception as err:  # reported to the parent, which names the store
        hello = {"ok": False, "kind": "start", "message": f"{type(err).__name__}: {err}"}
    try:
        conn.send(hello)
    except OSError:  # the server is already gone
        return
    if not hello["ok"]:
        return
    if warm:  # the workbench's tables, computed while the worker already answers other jobs
        calls.warm(view)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = call(view, job) if "call" in job else execute(store, job)
        except _Refused as err:
            reply = {"ok": False, "kind": err.args[0], "message": "refused before evaluation"}
        except CallError as err:
            reply = {"ok": False, "kind": "api", "message": err.detail,
                     "error": [err.status, err.title, err.detail, err.hint]}
        except SyntaxError as err:
            reply = {"ok": False, "kind": "syntax", "message": str(err)}
        except MemoryError:
            reply = {"ok": False, "kind": "memory", "message": "the query needed more memory than a worker has"}
        except RecursionError:
            reply = {"ok": False, "kind": "evaluation", "message": "the query is nested too deeply to evaluate"}
        except Exception as err:  # the engine's own message, never a traceback
            reply = {"ok": False, "kind": "evaluation", "message": f"{err}" or type(err).__name__}
        try:
            conn.send(reply)
        except OSError:  # the server closed our end (shutdown): nothing left to answer
            return


# --- the pool (in the server process) ----------------------------------------------------

@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Connection
    pid: int
    isolated: bool
    version: str = ""


@dataclass
class PoolStats:
    size: int
    started: int = 0
    timeouts: int = 0
    lost: int = 0
    isolated: bool = False
    last_error: str = ""
    idle: int = field(default=0)
    switches: int = 0       # store versions the pool moved to after a rebuild
    cancelled: int = 0      # jobs stopped because their client went away


class WorkerPool:
    """`size` worker processes over the store at `store_path`; `run(job)` blocks the calling thread.

    Every answer comes from one store version, `self.version`. When a build publishes a new
    version, a whole new generation of workers is opened on it in the background while the
    old one keeps answering; then the pool switches at once, and old workers are dismissed
    as they come back. A worker that (re)started on another version than the pool's is never
    used, so two identical queries never see two versions side by side.
    """

    def __init__(self, store_path: Path | str, *, size: int = 2, queue_wait: float = 10.0,
                 isolate_network: bool = True, memory_mb: int = 0, check_every: float = 0.2):
        self.store_path = str(store_path)
        self.size, self.queue_wait, self.isolate_network = size, queue_wait, isolate_network
        self.memory_mb, self.check_every = memory_mb, check_every
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._refreshing = False
        self._checked = 0.0
        self._retry_at = 0.0
        self.version: str | None = None
        self.triples = 0
        self.inputs: list = []
        self.stats = PoolStats(size=size)

    # lifecycle
    def start(self) -> None:
        """Start the workers (in parallel) and wait until each has opened the store."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for attempt in range(3):
            workers, hello = self._generation()
            if len({w.version for w in workers}) == 1:
                break
            for w in workers:  # a build published while they opened: open them again
                self._dismiss(w)
        self._switch(workers, hello, first=True)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._live.values())
            self._live.clear()
        for w in workers:
            self._kill(w)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(self._live)

    def idle_count(self) -> int:
        return self._idle.qsize()

    # work
    def run(self, job: dict, *, time_limit: float, reserve: int = 0, on_start=None,
            cancel: threading.Event | None = None) -> dict:
        """Answer `job` in a worker within `time_limit` seconds, or raise.

        `reserve`: take a worker only while that leaves this many idle (for other work).
        `cancel`: once set, the job is dropped (waiting) or its worker killed (running).
        Raises PoolBusy, QueryTimeout, WorkerLost, JobCancelled or QueryFailed.
        """
        if not self._started:
            self.start()
        self.check_version()
        deadline = time.monotonic() + self.queue_wait
        step = self.CANCEL_CHECK if cancel is not None else None
        while True:
            left = max(0.0, deadline - time.monotonic())
            try:
                worker = self._idle.get(timeout=left if step is None else min(left, step))
            except queue.Empty:
                if cancel is not None and cancel.is_set():
                    raise JobCancelled() from None
                if time.monotonic() < deadline:
                    continue
                raise PoolBusy() from None
            if worker.version != self.version:
                self._dismiss(worker)  # of a generation the pool has left
                continue
            if reserve and self._idle.qsize() < reserve:
                self._idle.put(worker)
                if cancel is not None and cancel.is_set():
                    raise JobCancelled()
                if time.monotonic() >= deadline:
                    raise PoolBusy()
                time.sleep(0.02)
                continue
            break
        if on_start is not None:
            on_start()
        version = worker.version  # the answer's version: the pool may switch while it runs
        started = time.monotonic()
        try:
            worker.conn.send(job)
            answered = self._wait(worker.conn, started + time_limit, cancel)
            if answered is None:
                self._retire(worker, timed_out=False, cancelled=True)
                worker = None
                raise JobCancelled()
            if not answered:
                self._retire(worker, timed_out=True)
                worker = None
                raise QueryTimeout(time.monotonic() - started)
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker, timed_out=False)
            worker = None
            raise WorkerLost() from None
        finally:
            if worker is not None:
                if worker.version == self.version:
                    self._idle.put(worker)
                else:
                    self._dismiss(worker)
        if not reply["ok"]:
            raise QueryFailed(reply["kind"], reply["message"], reply.get("error"))
        reply["version"] = version
        return reply

    CANCEL_CHECK = 0.05  # seconds between looks at a job's cancel event

    def _wait(self, conn: Connection, deadline: float, cancel: threading.Event | None) -> bool | None:
        """True once `conn` has the answer, False at the deadline, None if cancelled first."""
        if cancel is None:
            return conn.poll(max(0.0, deadline - time.monotonic()))
        while True:
            left = deadline - time.monotonic()
            if conn.poll(max(0.0, min(left, self.CANCEL_CHECK))):
                return True
            if cancel.is_set():
                return None
            if left <= self.CANCEL_CHECK:
                return False

    def check_version(self) -> None:
        """Start moving to the published store version if it is not the pool's (cheap; rate-limited)."""
        now = time.monotonic()
        if now - self._checked < self.check_every or self._refreshing or now < self._retry_at:
            return
        self._checked = now
        from queries.engines import store_version
        try:
            current = store_version(Path(self.store_path))
        except Exception as err:  # a store being replaced by hand: keep answering from what is open
            self.stats.last_error = f"cannot read the store version: {err}"
            return
        if current != self.version:
            with self._lock:
                if self._refreshing or self._closed:
                    return
                self._refreshing = True
            threading.Thread(target=self._refresh, name="gazettekg-store-switch", daemon=True).start()

    # internals
    def _generation(self) -> tuple[list[_Worker], dict]:
        pending = [self._spawn(count=(i == 0), warm=True) for i in range(self.size)]
        ready = [self._await_ready(proc, conn) for proc, conn in pending]
        return [w for w, _ in ready], ready[0][1]

    def _switch(self, workers: list[_Worker], hello: dict, *, first: bool = False) -> None:
        with self._lock:
            self.version = workers[0].version
            self.triples, self.inputs = hello.get("triples", 0), hello.get("inputs", [])
            if not first:
                self.stats.switches += 1
        for w in workers:
            self._idle.put(w)

    def _refresh(self) -> None:
        """Open a new generation on the published version, then switch to it at once."""
        try:
            workers, hello = self._generation()
            from queries.engines import store_version
            if len({w.version for w in workers}) == 1 and workers[0].version == store_version(Path(self.store_path)) \
                    and not self._closed:
                self._switch(workers, hello)
                stale = []
                for _ in range(self._idle.qsize()):  # dismiss the old generation's idle workers now
                    try:
                        w = self._idle.get_nowait()
                    except queue.Empty:
                        break
                    (self._idle.put(w) if w.version == self.version else stale.append(w))
                for w in stale:
                    self._dismiss(w)
            else:
                for w in workers:
                    self._dismiss(w)
        except RuntimeError as err:
            log.error("could not open the new store version: %s", err)
            self._retry_at = time.monotonic() + 5
        finally:
            self._refreshing = False

    def _spawn(self, count: bool = False, warm: bool = False):
        """A fresh interpreter running this module, talking over a socket pair. `warm`: start
        computing the workbench's tables at once (a generation's workers; a replacement waits
        for a request that needs them: api.calls)."""
        ours, theirs = socket.socketpair()
        cmd = [sys.executable, "-m", "api.worker", str(theirs.fileno()), self.store_path,
               "1" if self.isolate_network else "0", "1" if count else "0", str(self.memory_mb),
               "1" if warm else "0"]
        proc = subprocess.Popen(cmd, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": _project_path()})
        theirs.close()
        return proc, Connection(ours.detach())

    def _await_ready(self, proc, conn) -> tuple[_Worker, dict]:
        try:
            hello = conn.recv() if conn.poll(60) else {"ok": False, "message": "no answer within 60 s"}
        except (EOFError, OSError):
            hello = {"ok": False, "message": f"exited with code {proc.poll()}"}
        if not hello["ok"]:
            proc.kill()
            proc.wait()
            self.stats.last_error = f"a query worker could not open the store: {hello['message']}"
            raise RuntimeError(self.stats.last_error)
        worker = _Worker(proc, conn, hello["pid"], hello["isolated"], hello.get("version", ""))
        with self._lock:
            self._live[worker.pid] = worker
        self.stats.started += 1
        self.stats.isolated = worker.isolated
        return worker, hello

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)
        worker.conn.close()

    def _dismiss(self, worker: _Worker) -> None:
        """Stop a worker of a generation the pool has left (no replacement)."""
        with self._lock:
            self._live.pop(worker.pid, None)
        self._kill(worker)

    def _retire(self, worker: _Worker, *, timed_out: bool, cancelled: bool = False) -> None:
        """Kill a worker now and start its replacement in the background."""
        with self._lock:
            self._live.pop(worker.pid, None)
        self._kill(worker)
        if cancelled:
            self.stats.cancelled += 1
        elif timed_out:
            self.stats.timeouts += 1
        else:
            self.stats.lost += 1
        if not self._closed and worker.version == self.version:
            threading.Thread(target=self._replace, name="gazettekg-worker-restart", daemon=True).start()

    def _replace(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            try:
                worker, _ = self._await_ready(*self._spawn())
            except RuntimeError as err:
                log.error("%s (attempt %d)", err, attempt + 1)
                time.sleep(1 + attempt)
                continue
            if self._closed or worker.version != self.version:
                # closed, or a build published meanwhile: the switch brings a whole new generation
                self._dismiss(worker)
                self._checked = 0.0
                self.check_version()
            else:
                self._idle.put(worker)
            return


def _project_path() -> str:
    """PYTHONPATH for a worker: the directory holding the `api` package, then the caller's."""
    here = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)


if __name__ == "__main__":  # a worker process: python -m api.worker FD STORE ISOLATE COUNT MEMORY_MB WARM
    _serve(Connection(int(sys.argv[1])), sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1", int(sys.argv[5]),
           sys.argv[6:7] == ["1"])
