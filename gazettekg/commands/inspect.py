"""`gazettekg inspect FILE` — how a document was read, on one screen (or as JSON)."""
from __future__ import annotations

import json
from pathlib import Path

from gazettekg.common import OK
from kg_build.reading import InputError, decode_gazette


def cmd_inspect(args) -> int:
    from kg_build.inspection import inspect_text, render_text
    path = Path(args.file)
    if not path.is_file():
        raise InputError(str(path), 0, "no such file; expected the path of a gazette or plan text file")
    text, _encoding = decode_gazette(path.read_bytes(), source=str(path))
    try:
        report = inspect_text(text, file_name=path.name)
    except InputError as error:      # name the path as given, not only the file name
        raise InputError(str(path), error.line, error.message) from None
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(render_text(report))
    return OK


def register(sub) -> None:
    p = sub.add_parser("inspect", help="show how a document is read: plans, outline, tasks, skipped lines",
                       description="Show how gazettekg reads a document: each plan with its title, 文号, issuer "
                                   "and date and where each came from; the outline tree with line numbers and "
                                   "why each item is or is not a task; each task with its units, deadlines and "
                                   "targets; and the lines no task holds, with the reason. Nothing is built.")
    p.add_argument("file", help="a gazette or plan text file (UTF-8 or GB18030)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    p.set_defaults(func=cmd_inspect)
