"""The one settings object of the web service: every field has a default and help text.

Each field can be overridden from the environment as GAZETTEKG_<NAME> (upper case),
e.g. GAZETTEKG_TIME_LIMIT=3. `gazettekg serve --help` and the /api/settings page list
them; a test fails if a field has no help text.
"""
from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "GAZETTEKG_"


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


def _default_store() -> Path:
    from queries.engines import DEFAULT_STORE  # imported late: the CLI builds its parser without pyoxigraph
    return DEFAULT_STORE


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=_default_store, metadata={
        "help": "directory of the published store the service reads (`gazettekg build --store`)"})
    time_limit: float = _help("seconds a query may run before its worker is killed and the client gets 503", 10.0)
    row_limit: int = _help("most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; the response says "
                           "when it was cut", 10_000)
    max_request_bytes: int = _help("largest request body or query string accepted (bytes); larger gets 413",
                                   256 * 1024)
    max_nesting: int = _help("deepest nesting of { ( [ accepted in a query; deeper gets 400 before any parser "
                             "runs (deep recursion would crash a worker)", 40)
    workers: int = _help("query worker processes, each with its own read-only view of the store", 2)
    slow_after: float = _help("seconds after which a running query a user wrote counts as slow: a client "
                              "(IP) with a slow query running gets 429 for its next one", 2.0)
    worker_memory_mb: int = _help("address-space limit of each query worker in MB (RLIMIT_AS; 0: none); a query "
                                  "that needs more fails with 503 and its worker is replaced", 2048)
    cache_mb: int = _help("memory for answers kept per store version (the store is read-only, so an answer "
                          "holds until the next build publishes); 0 turns the cache off", 64)
    queue_wait: float = _help("seconds a request waits for a free worker before it gets 503", 10.0)
    retry_after: int = _help("seconds sent in Retry-After with a 503", 5)
    header_timeout: float = _help("seconds a connection may take to send a request's headers (after opening "
                                  "or after its previous response) before it is closed", 10.0)
    keep_alive: float = _help("seconds an idle keep-alive connection stays open", 5.0)
    max_connections: int = _help("open connections at most; above it the oldest idle ones are closed, so a "
                                 "new client still gets in", 256)
    shutdown_wait: float = _help("seconds SIGTERM waits for running requests before it closes them", 5.0)
    isolate_network: bool = _help("move query workers into an empty network namespace where the OS allows "
                                  "(defence in depth: the endpoint never connects out)", True)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Settings":
        """Defaults, then GAZETTEKG_<NAME> from the environment, then explicit overrides.

        >>> Settings.from_env({"GAZETTEKG_TIME_LIMIT": "2.5"}).time_limit
        2.5
        >>> Settings.from_env({}, row_limit=5).row_limit
        5
        """
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "store" in values:
            values["store"] = Path(values["store"])
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.time_limit <= 0 or self.queue_wait < 0:
            raise ValueError("time_limit must be positive and queue_wait not negative")
        if self.row_limit < 1 or self.workers < 1 or self.max_request_bytes < 1024:
            raise ValueError("row_limit and workers must be at least 1, max_request_bytes at least 1024")

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def describe(cls) -> list[dict]:
        """Name, environment variable, default and help of every setting."""
        return [{"name": f.name, "env": ENV_PREFIX + f.name.upper(),
                 "default": str(f.default_factory() if f.default is MISSING else f.default),
                 "help": f.metadata.get("help", "")} for f in fields(cls)]


def _bool(raw: str) -> bool:
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _convert(f, raw: str):
    kind = {"float": float, "int": int, "bool": _bool, "Path": Path}.get(
        f.type if isinstance(f.type, str) else f.type.__name__)
    try:
        return kind(raw) if kind else raw
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r}: expected a {f.type}") from None
