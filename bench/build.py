"""Time each build stage on the bundled sample, as ratios to one plain read of the file.

    python bench/build.py [FILE] [--repeat N]

Stages: read (bytes + decode), extract (text → records), to-RDF (records → rdflib
graph), SHACL (kg_build.validation's default engine, pyshacl-turbo, over the graph),
load (sorted N-Triples into a fresh embedded store). The baseline is one plain read of
the same file, measured in the same process, and a single regex pass over the text, for
scale. Each stage is the best of --repeat runs, so its one-time costs (compiled patterns,
memoised names) are left out; "extract, first call" shows them. --reference also times
pySHACL, the reference engine (seconds).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gazettekg.common import sample_path  # noqa: E402
from kg_build.extract import extract_gazette  # noqa: E402
from kg_build.pipeline import sorted_ntriples  # noqa: E402
from kg_build.reading import decode_gazette  # noqa: E402
from kg_build.to_rdf import gazette_graph  # noqa: E402
from kg_build.validation import validate  # noqa: E402
from queries.engines import publish  # noqa: E402


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=sample_path())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference", action="store_true", help="also time SHACL with pySHACL, the reference engine")
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus",
                    help="also report extraction s/MB for each .txt in this folder (default: ../shared/data/corpus)")
    a = ap.parse_args()
    path: Path = a.file
    t_plain, data = best_of(lambda: path.read_bytes(), a.repeat * 5)
    t_read, (text, _) = best_of(lambda: decode_gazette(path.read_bytes(), source=str(path)), a.repeat)
    t_regex, _ = best_of(lambda: sum(1 for _ in re.finditer(r"\d+(?:\.\d+)?[%个家万]", text)), a.repeat)
    t_first, _ = best_of(lambda: extract_gazette(text, file_name=path.name), 1)
    t_extract, record = best_of(lambda: extract_gazette(text, file_name=path.name), a.repeat)
    t_rdf, graph = best_of(lambda: gazette_graph(record), a.repeat)
    validate(graph)     # the shapes are parsed and compiled once per process
    t_shacl, report = best_of(lambda: validate(graph), a.repeat)
    t_reference = best_of(lambda: validate(graph, engine="pyshacl"), 1)[0] if a.reference else None
    nt = sorted_ntriples(graph)
    with tempfile.TemporaryDirectory() as d:
        t_load, _ = best_of(lambda: publish(nt, Path(d) / f"s{time.monotonic_ns()}", {}), a.repeat)
    size_kb = len(data) / 1024
    print(f"input: {path.name} ({size_kb:.0f} KB), {len(record.plans)} plans, "
          f"{sum(len(p.tasks) for p in record.plans)} tasks, {len(graph)} triples")
    print(f"{'stage':<26}{'seconds':>10}{'× plain read':>16}")
    rows = [("plain read (baseline)", t_plain), ("one regex pass", t_regex), ("read + decode", t_read),
            ("extract", t_extract), ("to-RDF", t_rdf), ("SHACL", t_shacl), ("load (embedded store)", t_load)]
    for name, t in rows:
        print(f"{name:<26}{t:>10.4f}{t / t_plain:>16.0f}")
    print(f"{'  extract, first call':<26}{t_first:>10.4f}   (not in the total)")
    if t_reference is not None:
        print(f"{'  SHACL, pySHACL':<26}{t_reference:>10.4f}   (the reference engine; not in the total)")
    total = t_read + t_extract + t_rdf + t_shacl + t_load
    print(f"{'total':<26}{total:>10.4f}{total / t_plain:>16.0f}")
    print(f"extraction throughput: {size_kb / 1024 / t_extract:.2f} MB/s; "
          f"SHACL: {len(graph) / t_shacl:,.0f} triples/s; {report.counts}")
    if a.corpus and a.corpus.is_dir():
        corpus_report(a.corpus, a.repeat, t_extract / (len(data) / 2**20))


def corpus_report(folder: Path, repeat: int, sample_s_per_mb: float) -> None:
    """Extraction time per MB of every document of another government, beside the sample's
    (both measured in this process): a layout the extractor reads slowly shows here."""
    print(f"\ncorpus: {folder}")
    print(f"{'file':<48}{'KB':>6}{'plans':>6}{'tasks':>6}{'s/MB':>8}{'× sample':>10}")
    total_t = total_mb = 0.0
    for path in sorted(folder.glob("*.txt")):
        text, _ = decode_gazette(path.read_bytes(), source=str(path))
        t, record = best_of(lambda: extract_gazette(text, file_name=path.name), repeat)
        mb = len(text.encode("utf-8")) / 2**20
        total_t, total_mb = total_t + t, total_mb + mb
        print(f"{path.name[:47]:<48}{mb * 1024:>6.0f}{len(record.plans):>6}"
              f"{sum(len(p.tasks) for p in record.plans):>6}{t / mb:>8.3f}{t / mb / sample_s_per_mb:>10.2f}")
    print(f"{'all':<48}{total_mb * 1024:>6.0f}{'':>12}{total_t / total_mb:>8.3f}"
          f"{total_t / total_mb / sample_s_per_mb:>10.2f}")


if __name__ == "__main__":
    main()
