"""Embedded store choice, measured: pyoxigraph against rdflib's in-memory graph.

    python bench/store.py [--sizes 10000,100000]

For each size, the sample graph is replicated (fresh IRIs per copy) and both
stores load the same N-Triples and answer the same target self-join (pairs of
targets with the same unit of measure and value in different plans). Times are
measured in one process; ratios are rdflib / oxigraph.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox  # noqa: E402
from rdflib import Graph  # noqa: E402

from gazettekg.common import sample_path  # noqa: E402
from kg_build.pipeline import read_gazette, sorted_ntriples  # noqa: E402
from kg_build.to_rdf import gazette_graph  # noqa: E402
from ontology.namespaces import PREFIXES  # noqa: E402

SELF_JOIN = PREFIXES + """
SELECT (COUNT(*) AS ?n) WHERE {
  ?t1 gk:value ?v ; gk:unitOfMeasure ?u . ?x1 gk:hasTarget ?t1 .
  ?t2 gk:value ?v ; gk:unitOfMeasure ?u . ?x2 gk:hasTarget ?t2 .
  FILTER (?t1 != ?t2)
}"""


def replicated(nt: bytes, triples: int) -> bytes:
    lines = nt.splitlines()
    out: list[bytes] = []
    copy = 0
    while len(out) < triples:
        tag = f"/c{copy}/".encode()
        out.extend(l.replace(b"/id/", b"/id" + tag, 2) for l in lines)
        copy += 1
    return b"\n".join(out[:triples]) + b"\n"


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return time.perf_counter() - t, r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--rdflib-join-limit", type=int, default=20000,
                    help="skip rdflib's self-join above this many triples (it takes minutes)")
    a = ap.parse_args()
    nt = sorted_ntriples(gazette_graph(read_gazette(sample_path())))
    print(f"{'triples':>9} {'ox load s':>10} {'rdflib load s':>14} {'load ×':>7} "
          f"{'ox join s':>10} {'rdflib join s':>14} {'join ×':>8}")
    for size in (int(s) for s in a.sizes.split(",")):
        data = replicated(nt, size)
        t_ox, store = timed(lambda: (s := ox.Store(), s.bulk_load(data, ox.RdfFormat.N_TRIPLES), s)[2])
        t_rl, graph = timed(lambda: Graph().parse(data=data, format="nt"))
        tj_ox, n_ox = timed(lambda: next(iter(store.query(SELF_JOIN)))["n"].value)
        if size <= a.rdflib_join_limit:
            tj_rl, res = timed(lambda: list(graph.query(SELF_JOIN)))
            assert str(res[0][0]) == n_ox, (res, n_ox)
            join = f"{tj_rl:>14.3f} {tj_rl / tj_ox:>8.0f}"
        else:
            join = f"{'skipped':>14} {'':>8}"
        print(f"{size:>9} {t_ox:>10.3f} {t_rl:>14.3f} {t_rl / t_ox:>7.1f} {tj_ox:>10.3f} {join}")


if __name__ == "__main__":
    main()
