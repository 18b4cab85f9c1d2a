"""The build cache's entry format: plain JSON, checked, decoded by type (no pickle).

A cache entry is what a worker built for one issue and linking needs again: the record, its
findings, counts and the N-Triples lines about its units, regions and projects. It lives in
the store, and a store may come from anyone (a colleague's copy, an archive, a server), so an
entry is data only: JSON decoded field by field against the dataclasses' own type hints
(kg_build.records, kg_build.validation) — nothing in it can name a class or a function to run.
The first line is the sha256 of the rest, so a truncated or altered entry is found out and
the issue extracted again (a check against accidents: whoever can write the store can write
its graphs too, so the digest is no signature).

Pure functions: bytes in, plain data out; kg_build.pipeline reads and writes the files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from typing import Any, Union

from kg_build.records import GazetteRecord
from kg_build.validation import Finding

FORMAT = 1
SUFFIX = ".json"


class CacheError(ValueError):
    """The entry is not one this code wrote for this file: ignore it and extract again."""


def encode_entry(*, file_name: str, sha256: str, graph: str, record: GazetteRecord, shared: list[bytes],
                 findings: list[Finding], counts: dict[str, int]) -> bytes:
    body = json.dumps({"format": FORMAT, "file_name": file_name, "sha256": sha256, "graph": graph,
                       "record": dataclasses.asdict(record),
                       "shared": [line.decode("utf-8") for line in shared],
                       "findings": [dataclasses.asdict(f) for f in findings], "counts": counts},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def decode_entry(data: bytes, *, file_name: str, sha256: str) -> dict:
    """The fields of an entry written by encode_entry for `file_name` with content `sha256`:
    record (GazetteRecord), findings (list[Finding]), shared (list[bytes]), counts, graph.
    CacheError says what is wrong with anything else."""
    digest, sep, body = data.partition(b"\n")
    if not sep or hashlib.sha256(body).hexdigest().encode() != digest:
        raise CacheError("its checksum does not match (truncated, altered, or not a gazettekg cache entry)")
    try:
        entry = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CacheError(f"not JSON: {error}") from None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        raise CacheError(f"not a format-{FORMAT} cache entry")
    if entry.get("file_name") != file_name or entry.get("sha256") != sha256:
        raise CacheError("written for another file or another content")
    return {"graph": decode(str, entry.get("graph")), "record": decode(GazetteRecord, entry.get("record")),
            "shared": [line.encode("utf-8") for line in decode(list[str], entry.get("shared"))],
            "findings": decode(list[Finding], entry.get("findings")),
            "counts": decode(dict[str, int], entry.get("counts"))}


_HINTS: dict[type, dict[str, Any]] = {}


def decode(tp: Any, value: Any) -> Any:
    """`value` (parsed JSON) as type `tp`: dataclasses, list, dict, X | None, str, int, float,
    bool. Exactly these: a value of another shape is a CacheError, never coerced or executed.

    >>> decode(list[int | None], [1, None])
    [1, None]
    """
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        others = [a for a in args if a is not type(None)]
        if len(others) == 1:
            return decode(others[0], value)
        raise CacheError(f"unsupported type {tp}")
    if origin is list:
        _expect(value, list, tp)
        return [decode(args[0], v) for v in value]
    if origin is dict:
        _expect(value, dict, tp)
        return {decode(args[0], k): decode(args[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        _expect(value, dict, tp)
        hints = _HINTS.get(tp) or _HINTS.setdefault(tp, typing.get_type_hints(tp))
        fields = {f.name: f for f in dataclasses.fields(tp)}
        if not value.keys() <= fields.keys():
            raise CacheError(f"unknown fields {sorted(value.keys() - fields.keys())} for {tp.__name__}")
        missing = [n for n, f in fields.items() if n not in value and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise CacheError(f"missing fields {missing} for {tp.__name__}")
        return tp(**{k: decode(hints[k], v) for k, v in value.items()})
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise CacheError(f"expected a number, found {type(value).__name__}")
    if tp in (str, int, bool):
        if type(value) is tp:
            return value
        raise CacheError(f"expected {tp.__name__}, found {type(value).__name__}")
    raise CacheError(f"unsupported type {tp}")


def _expect(value: Any, kind: type, tp: Any) -> None:
    if not isinstance(value, kind):
        raise CacheError(f"expected {tp}, found {type(value).__name__}")
