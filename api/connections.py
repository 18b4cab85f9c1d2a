"""Connection limits for `gazettekg serve`: slow clients cannot hold the server.

uvicorn waits for a request's headers for as long as a client cares to trickle them, and
counts no connections: 300 trickling connections once made /health fail (EMFILE). This
HTTP/1.1 protocol (uvicorn's h11 one, extended) adds

- a header deadline: a connection that has not sent a complete request head within
  `header_timeout` seconds of opening, or of its previous response, is closed;
- a connection cap: above `max_connections` open connections, the oldest ones that are
  not in the middle of a request are closed to make room, so a new client (a health
  check, a researcher) still gets in; only when every connection is busy with a request
  is the new one refused.
"""
from __future__ import annotations

import resource

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def raise_open_file_limit() -> int:
    """Lift the soft limit on open files to the hard one (the cap, not the OS, should decide)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    return soft


def guarded_protocol(header_timeout: float, max_connections: int) -> type:
    """An H11Protocol class with the header deadline and the connection cap."""

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._opened = self.loop.time()
            self._head_timer = None
            self._arm_head_timer()
            if len(self.connections) > max_connections:
                self._make_room()

        def _waiting_for_head(self) -> bool:
            in_request = self.cycle is not None and not self.cycle.response_complete
            return not in_request and self.conn.their_state is h11.IDLE

        def _make_room(self) -> None:
            idle = sorted((c for c in self.connections if c is not self and c._waiting_for_head()),
                          key=lambda c: c._opened)
            for conn in idle[:len(self.connections) - max_connections]:
                conn._close()
            if len(self.connections) > max_connections and not self.transport.is_closing():
                self._close()  # every other connection is busy answering: refuse this one

        def _arm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            self._head_timer = self.loop.call_later(header_timeout, self._head_deadline)

        def _head_deadline(self) -> None:
            self._head_timer = None
            if self._waiting_for_head() and not self.transport.is_closing():
                self._close()

        def _close(self) -> None:
            self.connections.discard(self)
            if not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_head_timer()  # the next request's head has the same deadline

        def connection_lost(self, exc) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            super().connection_lost(exc)

    return GuardedH11Protocol
