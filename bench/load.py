"""Load test of `gazettekg serve` on the bundled sample.

    .venv/bin/python bench/load.py [--clients 50] [--duration 30] [--store DIR] [--compare]

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
"""
from __future__ import annotations

import argparse
import asyncio
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

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def library_urls(skip: list[str]) -> list[str]:
    from queries.library import load_library
    return [f"/api/queries/{name}" + (f"?{urlencode(q.example_params())}" if q.params else "")
            for name, q in load_library().items() if name not in skip]


def start_server(store: Path, time_limit: float) -> tuple[subprocess.Popen, str]:
    exe = Path(sys.executable).with_name("gazettekg")
    proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--port", "0",
                             "--time-limit", str(time_limit)], stdout=subprocess.PIPE, text=True)
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


async def run_plain(base: str, path: str, texts: list[str], clients: int, duration: float) -> dict:
    """CLIENTS clients looping GET base+path?query=TEXT over `texts` for DURATION seconds."""
    urls = [f"{path}?{urlencode({'query': t})}" for t in texts]
    latencies: list[float] = []
    statuses: Counter = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Accept": "application/sparql-results+json"}
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits, headers=headers) as http:
        start = time.monotonic()
        stop = start + duration
        await asyncio.gather(*(client_loop(http, urls, k, stop, latencies, statuses) for k in range(clients)))
        elapsed = time.monotonic() - start
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed}


def summary(name: str, r: dict) -> str:
    lat, st = r["latencies"], r["statuses"]
    errors = sum(n for s, n in st.items() if s != 200)
    return (f"{name:<34} requests {len(lat):>6}  errors {errors:>4}  {len(lat) / r['elapsed']:7.1f} req/s  "
            f"p50 {percentile(lat, 50) * 1000:7.1f} ms  p95 {percentile(lat, 95) * 1000:7.1f} ms  "
            f"p99 {percentile(lat, 99) * 1000:7.1f} ms")


async def client_loop(http: httpx.AsyncClient, urls: list[str], offset: int, stop: float,
                      latencies: list[float], statuses: Counter) -> None:
    i = offset
    while time.monotonic() < stop:
        url = urls[i % len(urls)]
        i += 1
        t0 = time.perf_counter()
        try:
            r = await http.get(url)
            statuses[r.status_code] += 1
        except httpx.HTTPError as err:
            statuses[type(err).__name__] += 1
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


async def run_load(base: str, clients: int, duration: float, skip: list[str]) -> dict:
    urls = library_urls(skip)
    latencies: list[float] = []
    statuses: Counter = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        start = time.monotonic()
        stop = start + duration
        probe = asyncio.create_task(slow_with_health(base, duration / 3))
        await asyncio.gather(*(client_loop(http, urls, k, stop, latencies, statuses) for k in range(clients)))
        elapsed = time.monotonic() - start
        slow = await probe
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed, "slow": slow, "queries": len(urls)}


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
        proc, base = start_server(store, args.time_limit)
        try:
            result = asyncio.run(run_load(base, args.clients, args.duration, args.skip))
            idle = asyncio.run(slow_with_health(base, 0))
            if args.compare:
                texts = raw_queries(args.skip)
                compared["ours /sparql"] = asyncio.run(run_plain(base, "/sparql", texts, args.clients, args.duration))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        if args.compare:
            raw, raw_base = start_raw_oxigraph(store)
            try:
                compared["raw oxigraph /query"] = asyncio.run(run_plain(raw_base, "/query", texts, args.clients,
                                                                        args.duration))
            finally:
                raw.terminate()
                raw.wait(timeout=20)
    lat, st = result["latencies"], result["statuses"]
    errors = sum(n for s, n in st.items() if s != 200)
    print(f"{args.clients} clients x {result['elapsed']:.1f} s over {result['queries']} library queries"
          f"{' (skipped: ' + ', '.join(args.skip) + ')' if args.skip else ''} "
          f"(server: 2 query workers, time limit {args.time_limit:g} s)")
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
