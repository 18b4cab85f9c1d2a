"""`gazettekg build` — extract, validate and publish gazettes into the store."""
from __future__ import annotations

import sys
from pathlib import Path

from gazettekg.common import ERROR, INVALID, OK, err, sample_path, store_arg
from kg_build.reading import InputError


def cmd_build(args) -> int:
    from kg_build.pipeline import build_graph, export_bytes, sorted_ntriples, write_atomic
    from queries.engines import DEFAULT_STORE, StoreError, is_remote, publish
    from queries.remote import publish_remote
    paths = args.files or [sample_path()]
    result = build_graph(paths)
    counts = result.counts()
    store = args.store or DEFAULT_STORE
    if not result.report.conforms and not args.force:
        print(result.report.format_table(), file=sys.stderr)
        print(f"gazettekg: {counts['violations']} SHACL violation(s); nothing was published "
              f"(use --force to publish anyway)", file=sys.stderr)
        return INVALID
    export = export_bytes(result.graph, args.export) if args.export else None
    manifest = {"inputs": [{"file": r.file_name, "sha256": r.sha256} for r in result.records], "counts": counts}
    try:
        if is_remote(store):
            publish_remote(sorted_ntriples(result.graph), store)
        else:
            publish(sorted_ntriples(result.graph), store, manifest)
    except StoreError as error:
        return err(str(error))
    if export is not None:
        write_atomic(args.export, export)
    print(f"built {counts['plans']} plans, {counts['tasks']} tasks, {counts['units']} units, "
          f"{counts['regions']} regions, {counts['targets']} targets, {counts['deadlines']} deadlines, "
          f"{counts['projects']} projects ({counts['triples']} triples) from {len(paths)} file(s)")
    print(f"validation: {counts['violations']} violations, {counts['warnings']} warnings "
          f"(see `gazettekg validate --store {store}`)")
    print(f"store: {store}" + (f"  export: {args.export}" if args.export else ""))
    return OK



def register(sub) -> None:
    b = sub.add_parser("build", help="extract gazette text files, validate and load them into the store")
    b.add_argument("files", nargs="*", type=Path, help="gazette text files (default: the bundled sample)")
    store_arg(b)
    b.add_argument("--export", type=Path, help="also write the graph to PATH (.ttl, .nt or .jsonld)")
    b.add_argument("--force", action="store_true", help="publish even when SHACL finds violations")
    b.set_defaults(func=cmd_build)
