"""`gazettekg load` — put RDF files into a new store, without extracting anything.

For a collection built elsewhere: `gazettekg build DIR --export collection.nq` on one machine,
`gazettekg load collection.nq --store DIR` on another, then `serve`, `query` or `viz` as usual.
A dump from another SPARQL engine loads the same way. N-Quads keep their named graphs (one per
issue in an export); N-Triples and Turtle go to the default graph. Large N-Quads and N-Triples
files are cut at line boundaries and loaded in parallel, one thread per core.

The data goes into a staged store that is swapped in only once every file has loaded, so a
bad line leaves the old store as it was. A later `gazettekg build` into a loaded store starts
from scratch: a loaded store has no per-issue build cache to reuse.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from gazettekg.common import OK, err, store_arg


def cmd_load(args) -> int:
    from queries.bulk_load import check_files, load_files
    from queries.engines import DEFAULT_STORE, StagedStore, StoreError, is_remote, read_manifest
    store = args.store or DEFAULT_STORE
    if is_remote(store):
        return err(f"--store {store}: load writes a local store; for a remote engine use its own "
                   "bulk loader (see README, 'Beyond one machine')")
    target = Path(store)
    if read_manifest(target) is not None and not args.replace:
        return err(f"{target}: already holds a gazettekg store; add --replace to replace it with "
                   f"the loaded files")
    if args.threads < 1:
        return err(f"--threads {args.threads}: expected 1 or more")
    check_files(args.files)             # before anything is staged; the CLI prints file:line
    size = sum(f.stat().st_size for f in args.files)
    print(f"loading {len(args.files)} file(s), {size / 2**20:.0f} MB, with up to {args.threads} thread(s)…",
          file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        with StagedStore(target, fresh=True) as staged:
            load_files(staged.store, args.files, threads=args.threads)
            quads = len(staged.store)
            graphs = sum(1 for _ in staged.store.named_graphs())
            staged.commit({"version": "load", "inputs": [],
                           "loaded": [{"file": f.name, "path": str(f), "bytes": f.stat().st_size}
                                      for f in args.files],
                           "counts": {"triples": quads, "graphs": graphs}})
    except StoreError as error:
        return err(str(error))
    print(f"loaded {quads} quads in {graphs} named graph(s) from {len(args.files)} file(s) "
          f"in {time.perf_counter() - started:.1f} s")
    print(f"store: {target}")
    return OK


def register(sub) -> None:
    p = sub.add_parser("load", help="load RDF files (.nq, .nt, .trig, .ttl), e.g. an export, into a new store",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="RDF files: .nq (N-Quads), .nt (N-Triples), .trig (TriG) or .ttl (Turtle)")
    store_arg(p)
    p.add_argument("--replace", action="store_true", help="replace the store if it already holds one")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="parallel loaders for large N-Quads/N-Triples files (default: the CPU count)")
    p.set_defaults(func=cmd_load)
