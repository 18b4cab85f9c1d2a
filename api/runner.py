"""Run a query for a request: the guard, the worker pool, and their failures as ApiErrors.

Every router that answers from the store comes through `run_query`, so the read-only
rule, the time limit, the row cap and the error messages are the same everywhere.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache


from api import cancel, guard
from api.errors import ApiError
from api.worker import JobCancelled, PoolBusy, QueryFailed, QueryTimeout, WorkerLost, to_transport

_POSITION = re.compile(r"error at (\d+):(\d+)")


MAX_NESTING = 40  # the default of Settings.max_nesting


def check_query(text: str, max_nesting: int = MAX_NESTING) -> guard.Inspection:
    """Refuse what this endpoint never runs: empty text, deep nesting, updates, federated queries.

    The same texts come again and again (the library's, a dashboard's), and the token scans
    were a third of the server's CPU per cached answer: an accepted text of ordinary size is
    remembered (a refused one raises again each time)."""
    if len(text) <= _MEMO_CHARS:
        return _check_memo(text, max_nesting)
    return _check(text, max_nesting)


_MEMO_CHARS = 16 * 1024  # at most 1024 texts of 16 KB: 16 MB


@lru_cache(maxsize=1024)
def _check_memo(text: str, max_nesting: int) -> guard.Inspection:
    return _check(text, max_nesting)


def _check(text: str, max_nesting: int) -> guard.Inspection:
    if not text.strip():
        raise ApiError(400, "Empty query", "the query text is empty", "send SPARQL in the `query` parameter")
    depth = guard.nesting_depth(text)
    if depth > max_nesting:
        # refused here: a parser would recurse once per level and could crash a worker
        raise ApiError(400, "Query nested too deeply",
                       f"brackets are nested {depth} levels deep; at most {max_nesting} are accepted",
                       "flatten the query (fewer nested groups or parentheses)")
    seen = guard.inspect(text)
    if seen.kind == "update":
        raise ApiError(403, "Read-only endpoint",
                       f"SPARQL Update ({seen.keyword}) is not accepted: this endpoint only answers queries",
                       "rebuild the store with `gazettekg build` to change the data")
    if seen.service:
        raise _federated()
    return seen


def _federated() -> ApiError:
    return ApiError(403, "Federated queries are disabled",
                    "SERVICE clauses are refused: this endpoint makes no outbound connections",
                    "query the other endpoint yourself and join the results locally")


class FairUse:
    """Who may start a query a user wrote (/sparql, /graph/query), so a few clients looping
    slow queries cannot starve everyone else.

    - Such queries never take the last idle worker: one is always left for the service's
      own queries (the REST routes, the library, the pages), also while a killed worker
      is being replaced.
    - A client (by IP) that already has a query running for longer than `slow_after`
      seconds gets 429 with Retry-After for its next one, until that one ends.
    """

    def __init__(self, workers: int, slow_after: float, queue_wait: float):
        self.slow_after, self.queue_wait = slow_after, queue_wait
        self._running: dict[str, dict[int, float]] = {}
        self._lock = threading.Lock()
        self._ids = iter(range(1 << 62))

    def admit(self, client: str) -> int:
        now = time.monotonic()
        with self._lock:
            mine = self._running.setdefault(client, {})
            slow = sum(1 for t in mine.values() if now - t > self.slow_after)
            if slow:
                raise ApiError(429, "Too many slow queries",
                               f"this client already has a query running for more than {self.slow_after:g} s",
                               "wait for it to finish, or make the query cheaper", {"Retry-After": "2"})
            ticket = next(self._ids)
            mine[ticket] = float("inf")  # waiting for a worker is not running: see `started`
            return ticket

    def started(self, client: str, ticket: int) -> None:
        """The query got a worker: from now on its time counts."""
        with self._lock:
            mine = self._running.get(client)
            if mine is not None and ticket in mine:
                mine[ticket] = time.monotonic()

    def release(self, client: str, ticket: int) -> None:
        with self._lock:
            mine = self._running.get(client, {})
            mine.pop(ticket, None)
            if not mine:
                self._running.pop(client, None)


def fair_use(state) -> FairUse:
    fair = getattr(state, "fair_use", None)
    if fair is None:
        s = state.settings
        fair = state.fair_use = FairUse(s.workers, s.slow_after, s.queue_wait)
    return fair


def _run_in_lane(pool, fair: "FairUse", job: dict, time_limit: float, client: str, ticket: int,
                 on_start=None, cancel=None) -> dict:
    def started():
        fair.started(client, ticket)
        if on_start is not None:
            on_start()
    return pool.run(job, time_limit=time_limit, reserve=1 if pool.size > 1 else 0, on_start=started, cancel=cancel)


class ResultCache:
    """Answers of the read-only store, keyed by store version and the whole job.

    The data cannot change under a version, so an answer stays right until a build
    publishes (the next version's keys simply never match the old ones). Bounded in
    bytes; least recently used answers go first. Errors are never cached."""

    def __init__(self, max_bytes: int, max_item: int = 1 << 20):
        self.max_bytes, self.max_item = max_bytes, max_item
        self._items: OrderedDict[tuple, tuple[dict, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(version, job: dict) -> tuple:
        return (version, json.dumps(job, sort_keys=True, ensure_ascii=False, default=str))

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key, reply: dict) -> None:
        size = len(str(reply.get("body") or "")) + len(json.dumps(reply.get("data"), default=str))
        if size > self.max_item or self.max_bytes <= 0:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (reply, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _, (_, old) = self._items.popitem(last=False)
                self._bytes -= old


def result_cache(state) -> ResultCache:
    cache = getattr(state, "result_cache", None)
    if cache is None:
        cache = state.result_cache = ResultCache(state.settings.cache_mb * 1024 * 1024)
    return cache


async def run_query(state, text: str, *, fmt: str = "json", bindings: dict | None = None,
                    default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
                    base_iri: str | None = None, client: str | None = None) -> dict:
    """Answer SPARQL `text` in a worker; `fmt` is a format name or 'rows' for Python data.
    Relative IRIs in the text resolve against `base_iri` (the endpoint's URL for /sparql).
    `client` (an address) marks text a user wrote: it runs under the FairUse rules."""
    settings = state.settings
    check_query(text, settings.max_nesting)
    try:
        transport = {k: to_transport(v) for k, v in (bindings or {}).items()}
    except TypeError as err:
        raise ApiError(400, "Bad parameter value", str(err)) from None
    job = {"sparql": text, "bindings": transport, "format": fmt, "row_limit": settings.row_limit,
           "default_graph": default_graph, "named_graphs": named_graphs, "base_iri": base_iri}
    return await _in_pool(state, job, settings, client)


def result_headers(reply: dict, row_limit: int) -> dict[str, str]:
    """Headers that state the row count, the cap and whether the answer was cut."""
    return {"X-Gazettekg-Rows": str(reply["count"]), "X-Gazettekg-Row-Limit": str(row_limit),
            "X-Gazettekg-Truncated": "true" if reply["truncated"] else "false",
            "X-Gazettekg-Elapsed-Ms": f"{reply['elapsed'] * 1000:.1f}"}


async def run_call(state, name: str, **args) -> dict:
    """Run one of the service's fixed computations (api.calls) in a worker, under the same
    time limit as a query; the reply's `body` is finished JSON or HTML text."""
    settings = state.settings
    job = {"call": name, "args": args}
    return await _in_pool(state, job, settings)


async def _in_pool(state, job: dict, settings, client: str | None = None) -> dict:
    cache = result_cache(state)
    state.pool.check_version()
    key = cache.key(state.pool.version, job)
    hit = cache.get(key)
    if hit is not None:
        return hit
    # The same job for the same version already running (fifty clients opening the same page,
    # or sending the same query, right after a start or a publish): wait for its answer instead
    # of queueing another copy for the workers. Its error, if any, is this request's error too
    # (errors are never cached).
    flights, lock = _flights(state)
    with lock:
        flight = flights.get(key)
        leader = flight is None
        if leader:
            flight = flights[key] = _Flight()
    if not leader:
        shared = await _follow(state, flight, client)
        if shared is not None:
            return shared
        return await _in_pool(state, job, settings, client)  # the first request could not run it: ask anew
    try:
        reply = await _run_job(state, job, settings, client, on_start=flight.start)
    except ApiError as err:
        if err.status == 429:  # about the first request's client, not about the job
            flight.future.set_result(None)
        else:
            flight.future.set_exception(err)
        raise
    except BaseException:
        flight.future.set_result(None)  # cancelled or unexpected: the others run the job themselves
        raise
    else:
        cache.put(cache.key(reply.get("version"), job), reply)
        flight.future.set_result(reply)
    finally:
        with lock:
            flights.pop(key, None)
    return reply


class _Flight:
    """A job one request is running for every request that asks the same meanwhile.

    Thread-safe (test clients each run an event loop of their own on one app). `start` is
    called when the job gets a worker: a user who waits for someone else's run of the same
    text is under fair use as if it ran its own, its time counting from then."""

    def __init__(self):
        self.future: concurrent.futures.Future = concurrent.futures.Future()
        self._lock = threading.Lock()
        self._started = False
        self._on_start: list = []

    def start(self) -> None:
        with self._lock:
            self._started, waiting, self._on_start = True, self._on_start, []
        for f in waiting:
            f()

    def on_start(self, f) -> None:
        with self._lock:
            if not self._started:
                self._on_start.append(f)
                return
        f()


async def _follow(state, flight: _Flight, client: str | None) -> dict | None:
    """The answer of a job another request is running (None: run it yourself)."""
    if client is None:
        return await asyncio.shield(asyncio.wrap_future(flight.future))
    fair = fair_use(state)
    ticket = fair.admit(client)  # 429 here too if this client already has a slow query
    try:
        flight.on_start(lambda: fair.started(client, ticket))
        return await asyncio.shield(asyncio.wrap_future(flight.future))
    finally:
        fair.release(client, ticket)


def _flights(state) -> tuple[dict, threading.Lock]:
    flights = getattr(state, "flights", None)
    if flights is None:
        flights = state.flights = ({}, threading.Lock())
    return flights


async def _run_job(state, job: dict, settings, client: str | None = None, on_start=None) -> dict:
    retry = {"Retry-After": str(settings.retry_after)}
    fair = ticket = None
    if client is not None:
        fair = fair_use(state)
        ticket = fair.admit(client)
    try:
        # every job stops when its client goes away (api.cancel): the worker is freed at once
        if fair is None:
            return await cancel.in_thread(state.pool.run, job, time_limit=settings.time_limit, on_start=on_start)
        return await cancel.in_thread(_run_in_lane, state.pool, fair, job, settings.time_limit, client, ticket,
                                      on_start)
    except (cancel.Cancelled, JobCancelled):
        # not an ApiError: no other request may take this as its answer (api.errors answers 499)
        raise cancel.Cancelled() from None
    except QueryTimeout as err:
        raise ApiError(503, "Query timed out",
                       f"the query was stopped after {err.seconds:.1f} s (limit {settings.time_limit:g} s)",
                       "narrow it: add a LIMIT, bind more variables, or avoid cross joins", retry) from None
    except PoolBusy:
        raise ApiError(503, "Server busy", f"no query worker became free within {settings.queue_wait:g} s",
                       "try again shortly", retry) from None
    except WorkerLost:
        limit = f" (each worker may use {settings.worker_memory_mb} MB)" if settings.worker_memory_mb else ""
        raise ApiError(503, "Query worker lost",
                       f"the process answering this query stopped: most likely the query needed more memory "
                       f"than a worker has{limit}; a fresh worker is taking its place",
                       "narrow the query (a LIMIT inside, fewer cross joins or unbounded property paths); "
                       "the same query will fail the same way", retry) from None
    except QueryFailed as err:
        if err.kind == "api":
            raise ApiError(*err.error) from None
        if err.kind == "service":
            raise _federated() from None
        if err.kind == "memory":
            raise ApiError(503, "Query needs too much memory", err.message,
                           "narrow the query (a LIMIT inside, fewer cross joins)", retry) from None
        if err.kind == "syntax":
            where = _POSITION.search(err.message)
            hint = (f"check line {where.group(1)}, column {where.group(2)}" if where
                    else "check the query against the SPARQL 1.1 grammar")
            raise ApiError(400, "SPARQL syntax error", err.message, hint) from None
        raise ApiError(400, "Query could not be evaluated", err.message,
                       "check the functions and values the query uses") from None
    finally:
        if fair is not None:
            fair.release(client, ticket)
