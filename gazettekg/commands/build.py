"""`gazettekg build` — extract, validate and publish gazettes into the store.

A build takes files and folders (every *.txt below a folder) and writes one named graph per
issue, plus the collection's entities and links graphs. Issues are built in `--jobs` worker
processes; a rebuild skips files whose content the store already holds (by sha256) and
replaces only the graphs of changed files. Everything happens in a staged copy of the store,
swapped in at the end, so a failed build publishes nothing.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import nullcontext
from pathlib import Path

from gazettekg.common import ERROR, INVALID, OK, err, sample_path, store_arg


def cmd_build(args) -> int:
    from queries.engines import StoreError
    if args.jobs < 1:
        return err(f"--jobs {args.jobs}: expected 1 or more worker processes")
    # SIGTERM unwinds the build (staging deleted, workers stopped); only the main thread may set it
    main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        return _build(args)
    except StoreError as error:
        return err(str(error))
    except Terminated:
        return err("terminated by SIGTERM; the build was stopped and the store left as it was")
    except OSError as error:        # a full disk, a read-only directory: say what and where
        where = f"{error.filename}: " if error.filename else f"{args.store or 'the store'}: "
        return err(f"{where}{error.strerror or error}; the build was stopped and the store left as it was")
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous_handler)


class Terminated(BaseException):
    """SIGTERM: unwinds the build like Ctrl-C, so staging is deleted and the workers stopped."""


def _terminated(signum, frame):
    raise Terminated()


def _build(args) -> int:
    from gazettekg.progress import ProgressBar
    from kg_build import iris
    from kg_build.pipeline import ISSUE_GRAPH_PREFIX, build_collection, export_collection, export_format, \
        gazette_files, reusable
    from queries.engines import DEFAULT_STORE, StagedStore, is_remote, read_manifest, store_lock
    from queries.remote import publish_remote_graphs
    if args.export:
        export_format(args.export)          # an unknown format fails before any work
    files = gazette_files(args.inputs or [sample_path()])
    store = args.store or DEFAULT_STORE
    remote = is_remote(store)
    bar = ProgressBar(sys.stderr)
    export = None           # the export, written beside its target until the store is published
    # the lock first: the manifest a build starts from must be the one it replaces
    with nullcontext() if remote else store_lock(Path(store)):
        previous = None if remote else read_manifest(Path(store))
        try:
            with StagedStore(None if remote else Path(store), fresh=not reusable(previous)) as staged:
                try:
                    result = build_collection(files, staged, previous=previous, jobs=args.jobs,
                                              keep_going=args.keep_going, progress=bar)
                finally:
                    bar.close()
                counts = result.counts
                if not result.issues:
                    _list_failures(result.failures)
                    return err("no gazette could be built; nothing was published")
                if not result.report.conforms and not args.force:
                    print(result.report.format_table(), file=sys.stderr)
                    print(f"gazettekg: {counts['violations']} SHACL violation(s); nothing was published "
                          f"(use --force to publish anyway)", file=sys.stderr)
                    return INVALID
                export = export_collection(staged, args.export) if args.export else None
                if remote:
                    publish_remote_graphs(staged, store, prefix=ISSUE_GRAPH_PREFIX.rsplit("gazette/", 1)[0],
                                          last=(str(iris.ENTITIES_GRAPH), str(iris.LINKS_GRAPH)))
                elif result.changed:
                    staged.commit(result.manifest())
        except BaseException:
            if export is not None:
                export.unlink(missing_ok=True)
            raise
    if export is not None:
        os.replace(export, args.export)
    print(f"built {counts['plans']} plans, {counts['tasks']} tasks, {counts['units']} units, "
          f"{counts['regions']} regions, {counts['targets']} targets, {counts['deadlines']} deadlines, "
          f"{counts['projects']} projects ({counts['triples']} triples) from {len(result.issues)} file(s)"
          + (f": {len(result.built)} extracted, {len(result.unchanged)} unchanged" if result.unchanged else "")
          + ("" if result.changed else " (nothing changed; the store was left as it was)"))
    print(f"validation: {counts['violations']} violations, {counts['warnings']} warnings "
          f"(see `gazettekg validate --store {store}`)")
    print(f"store: {store}" + (f"  export: {args.export}" if args.export else ""))
    if result.failures:
        _list_failures(result.failures)
        print(f"gazettekg: {len(result.failures)} file(s) failed and were left out", file=sys.stderr)
        return ERROR
    return OK


def _list_failures(failures) -> None:
    for failure in failures:
        print(str(failure), file=sys.stderr)


def register(sub) -> None:
    b = sub.add_parser("build", help="extract gazette text files, validate and load them into the store",
                       description=__doc__.split("\n\n", 1)[1])
    b.add_argument("inputs", nargs="*", type=Path, metavar="FILE_OR_DIR",
                   help="gazette text files, or folders holding them (*.txt, searched recursively); "
                        "default: the bundled sample")
    store_arg(b)
    b.add_argument("--export", type=Path,
                   help="also write the graph to PATH: .nt (sorted), .nq (sorted N-Quads, one named graph per "
                        "issue, for other engines' bulk loaders), .ttl or .jsonld")
    b.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                   help="worker processes that extract and validate issues in parallel (default: the CPU count)")
    b.add_argument("--keep-going", action="store_true",
                   help="build the files that can be built, list the ones that cannot, and exit 2")
    b.add_argument("--force", action="store_true", help="publish even when SHACL finds violations")
    b.set_defaults(func=cmd_build)
