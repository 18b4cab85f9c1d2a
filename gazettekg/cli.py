"""`gazettekg` — the one front door.

Exit codes: 0 ok · 1 the data is invalid (SHACL violations) · 2 usage, input or runtime error.
Errors name the file and line: `file:line: what was expected`.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from gazettekg.common import ERROR, PIPE_CLOSED, err
from kg_build.reading import InputError

# Each name is a module in gazettekg/commands with a `register(subparsers)` function.
COMMANDS = ["build", "inspect", "load", "validate", "query", "queries", "find", "serve", "report", "viz"]


def make_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="gazettekg", description="Chinese government gazettes as a knowledge graph "
                                 "of commitments (政府公报知识图谱).")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"gazettekg.commands.{name}").register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except BrokenPipeError:
        return _pipe_closed()
    except InputError as error:
        print(str(error), file=sys.stderr)
        return ERROR
    except KeyboardInterrupt:
        return ERROR
    except Exception as error:  # the CLI never shows a traceback for a runtime failure
        if os.environ.get("GAZETTEKG_DEBUG"):
            raise
        return err(f"{type(error).__name__}: {error}")


def _pipe_closed() -> int:
    """The reader went away (`gazettekg query … | head -n 1`): stop quietly, as a Unix tool
    killed by SIGPIPE would. Python would try to flush stdout again at exit and print
    "Exception ignored … BrokenPipeError", so stdout is pointed at /dev/null first."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(main())
