"""How gazettekg scales with the size of a collection, measured end to end.

    python bench/scale.py [--quick] [--sizes 1,10,100,1000] [--jobs 2] [--markdown FILE]

For each size N, a synthetic collection of N distinct issues (bench/synth.py, seed 1) is
built with `gazettekg build DIR --store … --export ….nq` as a separate process, and:
- end to end: wall time and peak memory (resident memory of the build's whole process
  tree, sampled every 250 ms);
- per stage, in this process over the same files: extraction MB/s (with one plain regex
  pass over the same text beside it), to-RDF triples/s, SHACL time, linking time, and
  loading the store's N-Quads into a fresh on-disk store as `gazettekg load` does;
- queries: the median latency of every library query on the embedded store, on an
  Oxigraph server (PyPI `oxigraph`, started here on 127.0.0.1 with the same N-Quads) and,
  up to --rdflib-max triples, the load time and the conflict query on rdflib's in-memory
  Dataset — each as a ratio to the embedded store, measured in the same run.
--quick runs sizes 1 and 10 and finishes in a few minutes.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

import synth  # noqa: E402
from kg_build.extract import extract_gazette  # noqa: E402
from kg_build.linking import link  # noqa: E402
from kg_build.links_stream import links_rows  # noqa: E402
from kg_build.to_rdf import gazette_graph  # noqa: E402
from kg_build.validation import validate  # noqa: E402
from ontology.namespaces import NAMESPACES, PREFIXES  # noqa: E402
from queries.library import load_library  # noqa: E402

GAZETTEKG = [sys.executable, "-m", "gazettekg"]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree memory in bytes, and stderr+stdout of a command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(0.25)     # a scan of /proc costs CPU the build would use; peaks last seconds
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-2000:]}")
    return time.perf_counter() - t, peak, out


def median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def stage_times(files: list[Path]) -> dict:
    """Per-stage times over the collection's files in this process (one core)."""
    texts = [f.read_text(encoding="utf-8") for f in files]
    size = sum(len(f.read_bytes()) for f in files)
    t = time.perf_counter()
    records = [extract_gazette(x, file_name=f.name) for x, f in zip(texts, files)]
    t_extract = time.perf_counter() - t
    t = time.perf_counter()
    for x in texts:
        sum(1 for _ in re.finditer(r"\d+(?:\.\d+)?[%个家万]", x))
    t_regex = time.perf_counter() - t
    t = time.perf_counter()
    graphs = [gazette_graph(r) for r in records]
    t_rdf = time.perf_counter() - t
    triples = sum(len(g) for g in graphs)
    t = time.perf_counter()
    for g in graphs:
        validate(g)
    t_shacl = time.perf_counter() - t
    return {"mb": size / 1e6, "extract_s": t_extract, "regex_s": t_regex, "rdf_s": t_rdf, "triples": triples,
            "shacl_s": t_shacl, "stage_files": len(files)}


def link_time(files: list[Path]) -> tuple[float, int]:
    """Linking the whole collection in this process: (seconds, rows of the links graph)."""
    records = [extract_gazette(f.read_text(encoding="utf-8"), file_name=f.name) for f in files]
    t = time.perf_counter()
    rows = sum(1 for _ in links_rows(link(records)))
    return time.perf_counter() - t, rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """A real Oxigraph server on 127.0.0.1, loaded with N-Quads by its own loader."""

    def __init__(self, nquads: Path, workdir: Path):
        binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        workdir.mkdir(parents=True, exist_ok=True)
        self.location = workdir / "oxigraph-server"
        t = time.perf_counter()
        subprocess.run([binary, "load", "--location", str(self.location), "--file", str(nquads)],
                       check=True, capture_output=True)
        self.load_s = time.perf_counter() - t
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "serve-read-only", "--location", str(self.location), "--bind",
                                      f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}/query"
        for _ in range(100):
            try:
                self.query("ASK {}")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph server did not start")

    def query(self, sparql: str) -> bytes:
        req = urllib.request.Request(self.url, data=sparql.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def query_latencies(store_path: Path, server: OxigraphServer | None) -> dict[str, tuple[float, float | None]]:
    from queries.engines import open_store
    from queries.sparql_text import bind_in_text
    store = open_store(store_path)
    out = {}
    for name, q in load_library().items():
        bindings = q.bindings(q.example_params())
        t_embedded = median_time(lambda: store.query(q.text, bindings=bindings))
        t_server = None
        if server is not None:
            text = bind_in_text(PREFIXES + q.text if "PREFIX gk:" not in q.text else q.text, bindings)
            try:
                t_server = median_time(lambda: server.query(text))
            except TimeoutError:        # reported as such, not a crash an hour into the run
                t_server = float("inf")
        out[name] = (t_embedded, t_server)
        print(f"  {name}: embedded {t_embedded:.3f} s, server {t_server:.3f} s", file=sys.stderr, flush=True)
    return out


def disk_load_time(nquads: Path, threads: int | None = None) -> float:
    """Seconds to load `nquads` into a fresh on-disk store the way `gazettekg load` does."""
    from queries.bulk_load import load_files
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        s = ox.Store(d)
        load_files(s, [nquads], threads=threads)
        s.flush()
        del s
        return time.perf_counter() - t


def load_comparison(nquads: Path) -> tuple[dict[str, float], "Dataset"]:
    """Seconds to load `nquads` into rdflib's in-memory Dataset and into the embedded store: on
    disk as `gazettekg load` does (one loader per core), on disk with one loader, in memory."""
    from rdflib import Dataset
    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(nquads, format="nquads")
    out = {"rdflib_load": time.perf_counter() - t}
    out["disk_load"] = disk_load_time(nquads)
    out["disk_load_1"] = disk_load_time(nquads, threads=1)
    t = time.perf_counter()
    ox.Store().bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    out["memory_load"] = time.perf_counter() - t
    return out, ds


def rdflib_baseline(nquads: Path, store_path: Path) -> dict[str, float]:
    """load_comparison, and the conflict query on rdflib and on the embedded store."""
    from queries.engines import open_store
    conflict = load_library()["conflicts"]
    out, ds = load_comparison(nquads)
    init_ns = {p: str(ns) for p, ns in NAMESPACES.items()}
    out["rdflib_query"] = median_time(lambda: list(ds.query(conflict.text, initNs=init_ns)), repeat=1)
    store = open_store(store_path)
    out["query"] = median_time(lambda: store.query(conflict.text))
    return out


ONE_MILLION = 1_000_000


def first_lines(source: Path, n: int, target: Path) -> Path:
    with source.open("rb") as f, target.open("wb") as out:
        for _, line in zip(range(n), f):
            out.write(line)
    return target


STAGE_FILES = 100   # per-stage rates are measured on at most this many of the files


def measure(n: int, work: Path, jobs: int, rdflib_max: int, build_only: bool = False) -> dict:
    src = work / f"issues-{n}"
    files = synth.generate(src, n, 1)
    store, nq = work / f"store-{n}", work / f"collection-{n}.nq"
    wall, peak, out = run_measured(GAZETTEKG + ["build", str(src), "--store", str(store), "--jobs", str(jobs)])
    plans = int(re.search(r"built (\d+) plans", out).group(1))
    triples = int(re.search(r"\((\d+) triples\)", out).group(1))
    if build_only:
        return {"n": n, "plans": plans, "quads": triples, "wall_s": wall, "peak_mb": peak / 2**20}
    # the store's own dump (not `--export`, which sorts every line in memory) for the server
    # and the baseline; the build above is measured without it
    ox.Store.read_only(str(store)).dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    stages = stage_times(files[:STAGE_FILES])
    stages["link_s"], stages["link_triples"] = link_time(files)
    quads = sum(1 for _ in nq.open("rb"))
    t_load = disk_load_time(nq)
    server = OxigraphServer(nq, work / f"server-{n}")
    try:
        latencies = query_latencies(store, server)
    finally:
        server.close()
    row = {"n": n, "plans": plans, "quads": quads, "wall_s": wall, "peak_mb": peak / 2**20,
           "load_s": t_load, "server_load_s": server.load_s, "latencies": latencies, **stages}
    if quads <= rdflib_max:
        row["rdflib"] = rdflib_baseline(nq, store)
    if quads > ONE_MILLION:     # the yardstick is 10⁶: the first 10⁶ lines of this collection
        row["load_1m"], _ = load_comparison(first_lines(nq, ONE_MILLION, work / "first-1m.nq"))
    return row


def report(rows: list[dict], sample_extract: tuple[float, float]) -> str:
    lines = ["| issues | plans | quads | build (wall) | peak memory | extraction MB/s | to-RDF triples/s "
             "| SHACL s/issue | linking s | store load s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "latencies" not in r:    # --build-only
            lines.append(f"| {r['n']} | {r['plans']} | {r['quads']:,} | {r['wall_s']:.1f} s | {r['peak_mb']:.0f} MB "
                         "| – | – | – | – | – |")
            continue
        lines.append(f"| {r['n']} | {r['plans']} | {r['quads']:,} | {r['wall_s']:.1f} s | {r['peak_mb']:.0f} MB "
                     f"| {r['mb'] / r['extract_s']:.2f} | {r['triples'] / r['rdf_s']:,.0f} | {r['shacl_s'] / r['stage_files']:.3f} "
                     f"| {r['link_s']:.1f} | {r['load_s']:.2f} |")
    lines += ["", f"Sample issue (313 KB): extraction {sample_extract[0]:.3f} s; one plain regex pass over the "
                  f"same text {sample_extract[1]:.4f} s.", "",
              "| issues | query (median of 3) | embedded s | Oxigraph server s | server / embedded |",
              "|---:|---|---:|---:|---:|"]
    for r in rows:
        for name, (emb, srv) in sorted(r.get("latencies", {}).items()):
            lines.append(f"| {r['n']} | {name} | {emb:.4f} | {srv:.4f} | {srv / emb:.1f}× |")
    lines += ["", "Load: the same N-Quads into rdflib's in-memory Dataset and into the embedded store — on disk "
                  "as `gazettekg load` does it (one loader thread per core), on disk with one loader, and in memory. "
                  "Query: the library's conflict query on each.", "",
              "| issues | quads | rdflib load s | on disk s | rdflib / on disk | one loader s | rdflib / one loader "
              "| in memory s | rdflib / in memory | conflicts rdflib s | embedded s | rdflib / embedded |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    def load_cells(b: dict) -> str:
        rl = b["rdflib_load"]
        return (f"{rl:.2f} | {b['disk_load']:.2f} | {rl / b['disk_load']:.1f}× | {b['disk_load_1']:.2f} "
                f"| {rl / b['disk_load_1']:.1f}× | {b['memory_load']:.2f} | {rl / b['memory_load']:.1f}×")
    for r in rows:
        if "rdflib" in r:
            b = r["rdflib"]
            lines.append(f"| {r['n']} | {r['quads']:,} | {load_cells(b)} | {b['rdflib_query']:.4f} "
                         f"| {b['query']:.4f} | {b['rdflib_query'] / b['query']:.0f}× |")
        if "load_1m" in r:
            lines.append(f"| first 10⁶ lines of {r['n']} | {ONE_MILLION:,} | {load_cells(r['load_1m'])} | – | – | – |")
    linked = [r for r in rows if "link_s" in r]
    for i in range(1, len(linked)):
        a, b = linked[i - 1], linked[i]
        lines.append(f"\nlinking {a['plans']}→{b['plans']} plans ({b['plans'] / a['plans']:.0f}× plans): "
                     f"{b['link_s'] / a['link_s']:.1f}× time")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--quick", action="store_true", help="sizes 1 and 10 only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rdflib-max", type=int, default=1_200_000, help="largest N-Quads count rdflib is loaded with")
    ap.add_argument("--build-only", default="", help="sizes measured end to end only (build wall time, peak "
                    "memory), e.g. 1000: the per-stage runs and query latencies would add an hour there")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this file")
    a = ap.parse_args()
    sizes = [1, 10] if a.quick else [int(s) for s in a.sizes.split(",")]
    from gazettekg.common import sample_path
    text = sample_path().read_text(encoding="utf-8")
    t_extract = median_time(lambda: extract_gazette(text, file_name="sample.txt"), repeat=5)
    t_regex = median_time(lambda: sum(1 for _ in re.finditer(r"\d+(?:\.\d+)?[%个家万]", text)), repeat=5)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gazettekg-scale-") as d:
        for n in sizes:
            row = measure(n, Path(d), a.jobs, a.rdflib_max, str(n) in a.build_only.split(","))
            rows.append(row)
            print(f"{n} issues: {row['plans']} plans, {row['quads']:,} quads, build {row['wall_s']:.1f} s, "
                  f"peak {row['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
    text = report(rows, (t_extract, t_regex))
    print(text)
    if a.markdown:
        a.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
