"""Load test of `gazettekg serve` on the bundled sample.

    .venv/bin/python bench/load.py [--clients 50] [--duration 30] [--store DIR] [--compare] [--cache-mb MB]

Builds the sample into a temporary store (unless --store is given), starts
`gazettekg serve` on a free loopback port, and drives CLIENTS concurrent clients for
DURATION seconds, each looping over the query library (every query with its example
parameters, through /api/queries/NAME). A third of the way in, one deliberately slow
query (a cross join over all triples) is sent; while it runs, /health is polled every
50 ms. After the load, the same slow query runs once more on an idle server, with the
same polling. Prints latency percentiles, throughput, errors and the /health figures,
then stops the server. Traffic goes to 127.0.0.1 only; every loop is bounded in time.

With --compare, the same run then measures, on the same store and with the same clients:
our /sparql with the library's queries written out (prefixes declared, example values
bound in the text) and a raw Oxigraph server (`oxigraph serve-read-only`, from the
`oxigraph` package of the test extras) answering exactly those texts at /query; it prints
the p95 of each side by side, with our ratio to the raw server.

Every simulated client is one keep-alive connection from its own loopback address (see
`Client`); both servers are driven by the same clients, one after the other. Each line
also gives the load average before and after, and the CPU per request of the server
(process tree) and of the load generator itself: the machine may be shared.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# SELECT answers as SPARQL JSON, CONSTRUCT ones (task_graph) as Turtle, from either server
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def library_urls(skip: list[str]) -> list[str]:
    from queries.library import load_library
    return [f"/api/queries/{name}" + (f"?{urlencode(q.example_params())}" if q.params else "")
            for name, q in load_library().items() if name not in skip]


def start_server(store: Path, time_limit: float, cache_mb: int | None = None) -> tuple[subprocess.Popen, str]:
    exe = Path(sys.executable).with_name("gazettekg")
    env = dict(os.environ, **({"GAZETTEKG_CACHE_MB": str(cache_mb)} if cache_mb is not None else {}))
    proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--port", "0",
                             "--time-limit", str(time_limit)], stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if " at http://" not in line:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    base = line.split(" at ", 1)[1].split()[0].rstrip("/")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            w = httpx.get(base + "/health", timeout=1).json()["workers"]
            if w["idle"] == w["size"]:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not become healthy within 30 s")


def raw_queries(skip: list[str]) -> list[str]:
    """The library's queries as standalone SPARQL: prefixes declared, example values bound in
    the text (a query whose parameters cannot be written into its text is left out)."""
    from queries.engines import PREFIX_MAP
    from queries.library import load_library
    from queries.sparql_text import bind_in_text, outer_group
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIX_MAP.items())
    out = []
    for name, q in load_library().items():
        if name in skip:
            continue
        bindings = q.bindings(q.example_params()) if q.params else {}
        if bindings and outer_group(q.text) is None:
            continue
        out.append(head + (bind_in_text(q.text, bindings) if bindings else q.text))
    return out


def start_raw_oxigraph(store: Path) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve-read-only` over the store's published data, on a free loopback port."""
    import socket
    from queries.engines import data_dir
    exe = Path(sys.executable).with_name("oxigraph")
    if not exe.exists():
        raise SystemExit(f"--compare needs the oxigraph server ({exe}); install the test extras")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(exe), "serve-read-only", "--location", str(data_dir(store)),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the raw oxigraph server did not come up within 30 s")


class Client:
    """One simulated client: a keep-alive HTTP/1.1 connection from its own loopback address.

    A minimal client on asyncio streams, so the load generator spends far less CPU per
    request than httpx (on a 2-core machine it shares the cores with the servers it
    measures; ours and the raw server are driven the same way). Each client connects from
    its own address (127.0.0.2, 127.0.0.3, ...; Linux routes all of 127/8 to loopback), as
    distinct researchers would: the server's fair-use rule counts slow queries per client
    address, and fifty clients behind one address would be throttled as one."""

    def __init__(self, host: str, port: int, source: str, headers: dict[str, str] | None = None):
        self.host, self.port, self.source = host, port, source
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **(headers or {})}.items())
        self.reader = self.writer = None

    async def get(self, target: str, timeout: float = 30.0) -> int:
        """GET `target`; the status code once the whole body is read."""
        return await asyncio.wait_for(self._get(target), timeout)

    async def _get(self, target: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port,
                                                                     local_addr=(self.source, 0))
        self.writer.write(f"GET {target} HTTP/1.1\r\n{self.head}\r\n".encode("latin-1"))
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


def client_address(k: int) -> str:
    """The loopback source address of simulated client k (0-based): 127.0.0.2 onwards."""
    n = k + 2
    return f"127.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process `pid` and its live descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / tick
        todo += [int(c) for c in children]
    return total


async def drive(base: str, urls: list[str], clients: int, duration: float,
                headers: dict[str, str] | None = None, server_pid: int | None = None) -> dict:
    """CLIENTS clients, each from its own address, looping GET over `urls` for DURATION seconds."""
    host, port = base.split("://", 1)[1].rsplit(":", 1)
    latencies: list[float] = []
    statuses: Counter = Counter()
    pool = [Client(host, int(port), client_address(k), headers) for k in range(clients)]
    cpu0, load0 = time.process_time(), os.getloadavg()[0]
    server0 = tree_cpu(server_pid) if server_pid else 0.0
    start = time.monotonic()
    stop = start + duration
    try:
        await asyncio.gather(*(client_loop(c, urls, k, stop, latencies, statuses) for k, c in enumerate(pool)))
    finally:
        for c in pool:
            await c.close()
    elapsed = time.monotonic() - start
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed,
            "generator_cpu": time.process_time() - cpu0, "load": (load0, os.getloadavg()[0]),
            "server_cpu": tree_cpu(server_pid) - server0 if server_pid else None}


async def run_plain(base: str, path: str, texts: list[str], clients: int, duration: float,
                    server_pid: int | None = None) -> dict:
    """CLIENTS clients looping GET base+path?query=TEXT over `texts` for DURATION seconds."""
    urls = [f"{path}?{urlencode({'query': t})}" for t in texts]
    return await drive(base, urls, clients, duration, {"Accept": ACCEPT}, server_pid)


def summary(name: str, r: dict) -> str:
    lat, st = r["latencies"], r["statuses"]
    errors = sum(n for s, n in st.items() if s != 200)
    kinds = ", ".join(f"{n} x {s}" for s, n in sorted(st.items(), key=str) if s != 200)
    return (f"{name:<24} requests {len(lat):>6}  errors {errors:>4}{f' ({kinds})' if kinds else ''}  "
            f"{len(lat) / r['elapsed']:7.1f} req/s  "
            f"p50 {percentile(lat, 50) * 1000:7.1f} ms  p95 {percentile(lat, 95) * 1000:7.1f} ms  "
            f"p99 {percentile(lat, 99) * 1000:7.1f} ms  load {r['load'][0]:.1f}-{r['load'][1]:.1f}  "
            f"CPU: server {r['server_cpu'] / max(1, len(lat)) * 1000:.2f} ms/request, "
            f"generator {r['generator_cpu'] / max(1, len(lat)) * 1000:.2f} ms/request")


async def client_loop(client: Client, urls: list[str], offset: int, stop: float,
                      latencies: list[float], statuses: Counter) -> None:
    i = offset
    while time.monotonic() < stop:
        url = urls[i % len(urls)]
        i += 1
        t0 = time.perf_counter()
        try:
            status = await client.get(url)
            statuses[status] += 1
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, asyncio.TimeoutError) as err:
            statuses[type(err).__name__] += 1
            await client.close()
            continue
        latencies.append(time.perf_counter() - t0)


async def slow_with_health(base: str, delay: float) -> dict:
    """Send the slow query after `delay` s and poll /health every 50 ms until it returns."""
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(base_url=base, timeout=60) as slow_http, \
            httpx.AsyncClient(base_url=base, timeout=5) as health_http:
        t0 = time.perf_counter()
        slow = asyncio.create_task(slow_http.get("/sparql", params={"query": SLOW}))
        health: list[float] = []
        await asyncio.sleep(0.2)
        while not slow.done():
            h0 = time.perf_counter()
            r = await health_http.get("/health")
            if r.status_code == 200:
                health.append(time.perf_counter() - h0)
            await asyncio.sleep(0.05)
        response = await slow
        return {"status": response.status_code, "seconds": time.perf_counter() - t0, "health": health}


async def run_load(base: str, clients: int, duration: float, skip: list[str], server_pid: int) -> dict:
    urls = library_urls(skip)
    probe = asyncio.create_task(slow_with_health(base, duration / 3))
    result = await drive(base, urls, clients, duration, server_pid=server_pid)
    result.update(slow=await probe, queries=len(urls))
    return result


def report_health(title: str, slow: dict) -> None:
    h = slow["health"]
    under = sum(1 for x in h if x < 0.05)
    print(f"{title}: slow query -> {slow['status']} after {slow['seconds']:.1f} s; /health polled {len(h)}x, "
          f"p50 {percentile(h, 50) * 1000:.1f} ms, p99 {percentile(h, 99) * 1000:.1f} ms, "
          f"max {max(h) * 1000:.1f} ms, under 50 ms: {under}/{len(h)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--time-limit", type=float, default=10.0, help="the server's query time limit (s)")
    ap.add_argument("--store", type=Path, help="an existing store (default: build the sample)")
    ap.add_argument("--skip", action="append", default=[], metavar="NAME",
                    help="leave library query NAME out of the mix (repeatable)")
    ap.add_argument("--cache-mb", type=int, metavar="MB",
                    help="our server's answer cache (setting cache_mb; 0 turns it off, to measure every "
                         "request through a worker; default: the server's default)")
    ap.add_argument("--compare", action="store_true",
                    help="also measure our /sparql and a raw Oxigraph server on the same queries and store")
    args = ap.parse_args()
    compared = {}
    with tempfile.TemporaryDirectory(prefix="gazettekg-load-") as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            subprocess.run([str(Path(sys.executable).with_name("gazettekg")), "build", "--store", str(store)],
                           check=True, stdout=subprocess.DEVNULL)
        proc, base = start_server(store, args.time_limit, args.cache_mb)
        try:
            result = asyncio.run(run_load(base, args.clients, args.duration, args.skip, proc.pid))
            idle = asyncio.run(slow_with_health(base, 0))
            if args.compare:
                texts = raw_queries(args.skip)
                compared["ours /sparql"] = asyncio.run(run_plain(base, "/sparql", texts, args.clients, args.duration,
                                                                 proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        if args.compare:
            raw, raw_base = start_raw_oxigraph(store)
            try:
                compared["raw oxigraph /query"] = asyncio.run(run_plain(raw_base, "/query", texts, args.clients,
                                                                        args.duration, raw.pid))
            finally:
                raw.terminate()
                raw.wait(timeout=20)
    lat, st = result["latencies"], result["statuses"]
    errors = sum(n for s, n in st.items() if s != 200)
    print(f"{args.clients} clients x {result['elapsed']:.1f} s over {result['queries']} library queries"
          f"{' (skipped: ' + ', '.join(args.skip) + ')' if args.skip else ''} "
          f"(server: 2 query workers, time limit {args.time_limit:g} s"
          f"{'' if args.cache_mb is None else f', cache_mb {args.cache_mb}'})")
    print(f"requests {len(lat) + sum(n for s, n in st.items() if not isinstance(s, int))}, "
          f"throughput {len(lat) / result['elapsed']:.1f} req/s, errors {errors} {dict(st)}")
    print(f"latency p50 {percentile(lat, 50) * 1000:.1f} ms, p95 {percentile(lat, 95) * 1000:.1f} ms, "
          f"p99 {percentile(lat, 99) * 1000:.1f} ms, mean {statistics.mean(lat) * 1000:.1f} ms")
    report_health("under load", result["slow"])
    report_health("idle server", idle)
    if compared:
        compared = {"ours /api/queries/NAME": result, **compared}
        print(f"\ncompare: {args.clients} clients, {args.duration:g} s each, {len(texts)} library queries, same store")
        for name, r in compared.items():
            print(summary(name, r))
        raw_p95 = percentile(compared["raw oxigraph /query"]["latencies"], 95)
        for name in ("ours /api/queries/NAME", "ours /sparql"):
            ours = percentile(compared[name]["latencies"], 95)
            print(f"p95 {name}: {ours * 1000:.1f} ms = {ours / raw_p95:.2f}x raw oxigraph ({raw_p95 * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
