"""Cancel a request's work when its client goes away.

Before this, a client that disconnected left its query running to the time limit: the
worker stayed busy (and the next client waited) for up to `time_limit` seconds for an
answer nobody would read — on /sparql as on every other route. Now each request has a
`Watch` (set by the `DisconnectWatch` middleware for the request's task); while
`api.runner` waits for a worker's answer it also waits for the client's disconnect, and
on disconnect it stops the job: the pool kills the worker running it (a pyoxigraph query
cannot be interrupted otherwise) and starts a replacement, or drops the job if it was
still waiting for a worker.

ASGI servers report a closed connection as an `http.disconnect` message from `receive`,
which a handler only sees while it reads. The watch reads `receive` itself while the job
runs; body messages the route has not read yet are kept and handed to it in order.
"""
from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar

from starlette.concurrency import run_in_threadpool

_current: ContextVar["Watch | None"] = ContextVar("gazettekg_disconnect_watch", default=None)


class Cancelled(Exception):
    """The client went away; the work was stopped."""


class Watch:
    def __init__(self, receive):
        self._receive = receive
        self._kept: list[dict] = []
        self.gone = False

    async def receive(self) -> dict:
        """`receive` as the route sees it: kept messages first."""
        if self._kept:
            return self._kept.pop(0)
        message = await self._receive()
        if message["type"] == "http.disconnect":
            self.gone = True
        return message

    async def until_gone(self) -> None:
        """Return once the client has disconnected (never, while it stays)."""
        while not self.gone:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.gone = True
            else:  # body the route has not read: keep it for the route
                self._kept.append(message)


class DisconnectWatch:
    """ASGI middleware: a `Watch` for every HTTP request, reachable through `current()`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        watch = Watch(receive)
        token = _current.set(watch)
        try:
            await self.app(scope, watch.receive, send)
        finally:
            _current.reset(token)


def current() -> Watch | None:
    return _current.get()


async def in_thread(fn, *args, **kwargs):
    """Run blocking `fn(*args, cancel=event, **kwargs)` in the thread pool; if the client
    disconnects first, set `event` (fn must then stop soon, raising) and raise Cancelled."""
    stop = threading.Event()
    watch = current()
    work = asyncio.ensure_future(run_in_threadpool(fn, *args, cancel=stop, **kwargs))
    if watch is None:
        return await work
    gone = asyncio.ensure_future(watch.until_gone())
    try:
        await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not gone.done():
            gone.cancel()
    if work.done():
        return work.result()
    stop.set()
    try:
        await work
    except Exception:  # the job's own ending (cancelled, or it finished meanwhile): nobody reads it
        pass
    raise Cancelled()
