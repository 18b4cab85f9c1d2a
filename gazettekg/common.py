"""What every subcommand shares: exit codes, the --store option, error printing."""
from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

OK, INVALID, ERROR = 0, 1, 2
PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def sample_path() -> Path:
    """The bundled sample gazette (许昌市人民政府公报 2020年第2期)."""
    return Path(str(resources.files("gazettekg") / "sample" / "xuchang-gazette-2020-02.txt"))


def store_arg(p: argparse.ArgumentParser) -> None:
    from queries.engines import DEFAULT_STORE
    # a string, not a Path: Path() would fold the // of a sparql+http:// spec
    p.add_argument("--store", default=None, type=_store_spec,
                   help=f"store directory, or a SPARQL endpoint as sparql+http://HOST:PORT/PATH "
                        f"(default: $GAZETTEKG_STORE or {DEFAULT_STORE})")


def _store_spec(value: str) -> str:
    if not value.strip():
        # an empty $VAR would otherwise fall back to the default store without a word
        raise argparse.ArgumentTypeError("expected a store directory or a sparql+http:// endpoint, not an empty "
                                         "string (leave --store out for the default)")
    return value


def err(msg: str) -> int:
    print(f"gazettekg: {msg}", file=sys.stderr)
    return ERROR
