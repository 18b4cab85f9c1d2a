"""`gazettekg serve` against slow clients (issue 15.6): 300 connections trickling their
headers a byte at a time must not make /health fail, and are closed at the header deadline."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

GAZETTEKG = Path(sys.executable).with_name("gazettekg")


@pytest.fixture()
def server(sample_store):
    env = {**os.environ, "GAZETTEKG_HEADER_TIMEOUT": "3", "GAZETTEKG_MAX_CONNECTIONS": "100",
           "GAZETTEKG_WORKERS": "1"}
    proc = subprocess.Popen([str(GAZETTEKG), "serve", "--store", str(sample_store.path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = proc.stdout.readline()
        base = line.split(" at ", 1)[1].split()[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def test_trickling_connections_do_not_starve_health(server):
    base, _ = server
    host, port = base.split("//")[1].rstrip("/").split(":")
    slow = []
    for _ in range(300):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        s.setblocking(False)
        slow.append([s, time.monotonic(), None])
    health_times = []
    t_end = time.monotonic() + 6
    with httpx.Client(base_url=base, timeout=2) as http:
        while time.monotonic() < t_end:
            for item in slow:  # one more header byte now and then: never a complete head
                s, opened, closed = item
                if closed is None:
                    try:
                        s.sendall(b"X")
                        if s.recv(1) == b"":
                            item[2] = time.monotonic()
                    except BlockingIOError:
                        pass
                    except OSError:
                        item[2] = time.monotonic()
            t0 = time.monotonic()
            r = http.get("/health", headers={"Connection": "close"})
            health_times.append(time.monotonic() - t0)
            assert r.status_code == 200
            time.sleep(0.2)
    lifetimes = [closed - opened for _, opened, closed in slow if closed is not None]
    for s, _, _ in slow:
        s.close()
    print(f"slow clients: 300 trickling connections; /health {len(health_times)}x, max "
          f"{max(health_times) * 1000:.0f} ms; closed {len(lifetimes)}/300, longest lived {max(lifetimes):.1f} s")
    assert len(health_times) >= 10 and max(health_times) < 1.0, health_times
    # 200 were shed at once for the cap of 100; the rest at the 3 s header deadline
    assert len(lifetimes) == 300, len(lifetimes)
    assert max(lifetimes) < 3 + 1.5, max(lifetimes)


def test_sigterm_is_not_delayed_by_a_running_query(server):
    base, proc = server
    import threading
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    threading.Thread(target=lambda: httpx.get(base + "sparql", params={"query": slow}, timeout=30),
                     daemon=True).start()
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert time.monotonic() - t0 < 7  # shutdown_wait (5 s) at most, not the query's time
