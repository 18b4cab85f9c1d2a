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
    if guard.service_in_parse(job["sparql"]):
        # decided on the parse tree right before the engine, which would really connect out
        raise _Refused("service")
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
    from queries import linking  # noqa: F401
    from viz import render, select  # noqa: F401


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


def _serve(conn, store_path: str, isolate: bool) -> None:
    """Worker main loop: answer jobs from `conn` until it closes."""
    _die_with_parent()
    # Queries yield the CPU to the server process, so /health and routing stay quick
    # while workers are saturated.
    os.nice(10)
    isolated = _isolate_network() if isolate else False
    try:
        from queries.engines import EmbeddedStore
        view = EmbeddedStore(Path(store_path))  # the fixed computations (api.calls) read through it
        store = view._store
        _warm()
    except Exception as err:  # reported to the parent, which names the store
        hello = {"ok": False, "kind": "start", "message": f"{type(err).__name__}: {err}"}
    else:
        hello = {"ok": True, "pid": os.getpid(), "isolated": isolated}
    try:
        conn.send(hello)
    except OSError:  # the server is already gone
        return
    if not hello["ok"]:
        return
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


@dataclass
class PoolStats:
    size: int
    started: int = 0
    timeouts: int = 0
    lost: int = 0
    isolated: bool = False
    last_error: str = ""
    idle: int = field(default=0)


class WorkerPool:
    """`size` worker processes over the store at `store_path`; `run(job)` blocks the calling thread."""

    def __init__(self, store_path: Path | str, *, size: int = 2, queue_wait: float = 10.0,
                 isolate_network: bool = True):
        self.store_path = str(store_path)
        self.size, self.queue_wait, self.isolate_network = size, queue_wait, isolate_network
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.stats = PoolStats(size=size)

    # lifecycle
    def start(self) -> None:
        """Start the workers (in parallel) and wait until each has opened the store."""
        with self._lock:
            if self._started:
                return
            self._started = True
        pending = [self._spawn() for _ in range(self.size)]
        for proc, conn in pending:
            self._idle.put(self._await_ready(proc, conn))

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
    def run(self, job: dict, *, time_limit: float) -> dict:
        """Answer `job` in a worker within `time_limit` seconds, or raise.

        Raises PoolBusy, QueryTimeout, WorkerLost or QueryFailed.
        """
        if not self._started:
            self.start()
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise PoolBusy() from None
        started = time.monotonic()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(time_limit):
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
                self._idle.put(worker)
        if not reply["ok"]:
            raise QueryFailed(reply["kind"], reply["message"], reply.get("error"))
        return reply

    # internals
    def _spawn(self):
        """A fresh interpreter running this module, talking over a socket pair."""
        ours, theirs = socket.socketpair()
        cmd = [sys.executable, "-m", "api.worker", str(theirs.fileno()), self.store_path,
               "1" if self.isolate_network else "0"]
        proc = subprocess.Popen(cmd, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": _project_path()})
        theirs.close()
        return proc, Connection(ours.detach())

    def _await_ready(self, proc, conn) -> _Worker:
        try:
            hello = conn.recv() if conn.poll(60) else {"ok": False, "message": "no answer within 60 s"}
        except (EOFError, OSError):
            hello = {"ok": False, "message": f"exited with code {proc.poll()}"}
        if not hello["ok"]:
            proc.kill()
            proc.wait()
            self.stats.last_error = f"worker could not open {self.store_path}: {hello['message']}"
            raise RuntimeError(self.stats.last_error)
        worker = _Worker(proc, conn, hello["pid"], hello["isolated"])
        with self._lock:
            self._live[worker.pid] = worker
        self.stats.started += 1
        self.stats.isolated = worker.isolated
        return worker

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)
        worker.conn.close()

    def _retire(self, worker: _Worker, *, timed_out: bool) -> None:
        """Kill a worker now and start its replacement in the background."""
        with self._lock:
            self._live.pop(worker.pid, None)
        self._kill(worker)
        if timed_out:
            self.stats.timeouts += 1
        else:
            self.stats.lost += 1
        if not self._closed:
            threading.Thread(target=self._replace, name="gazettekg-worker-restart", daemon=True).start()

    def _replace(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            try:
                worker = self._await_ready(*self._spawn())
            except RuntimeError as err:
                log.error("%s (attempt %d)", err, attempt + 1)
                time.sleep(1 + attempt)
                continue
            if self._closed:
                self._kill(worker)
            else:
                self._idle.put(worker)
            return


def _project_path() -> str:
    """PYTHONPATH for a worker: the directory holding the `api` package, then the caller's."""
    here = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)


if __name__ == "__main__":  # a worker process: python -m api.worker FD STORE ISOLATE
    _serve(Connection(int(sys.argv[1])), sys.argv[2], sys.argv[3] == "1")
