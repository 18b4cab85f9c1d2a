"""The web service: `create_app(settings)` wires the routers, the error shape, the limits
and the worker pool. Run it with `gazettekg serve`.

Routes: / (query page) · /sparql (SPARQL 1.1 Protocol) · /api/… (REST, the query
library, /api/related/…, /api/conflicts) · /graph/… (interactive graphs) · /id/…
(entities) · /health · /docs (OpenAPI, served offline).
"""
from __future__ import annotations

import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from api import (cancel, charts, errors, facets, findings, graph_files, graphs, headers, links, pages, rest, search, source,
                 sparql, vocabulary)
from api.errors import ApiError, error_response
from api.settings import Settings
from api.worker import WorkerPool
from queries.engines import open_store

STATIC = Path(__file__).parent / "static"


class RequestSizeLimit:
    """413 for a body larger than `limit` bytes (by Content-Length or as it streams),
    414 for a longer query string."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = ApiError(413, "Request too large", f"the request body is larger than {self.limit} bytes",
                             "shorten the query or raise max_request_bytes")
        if len(scope.get("query_string", b"")) > self.limit:
            err = ApiError(414, "URI too long", f"the query string is longer than {self.limit} bytes",
                           "send long queries with POST")
            return await error_response(err)(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await error_response(too_large)(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise too_large
            return message

        await self.app(scope, limited, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    open_store(settings.store)  # fails early, naming the store, if it is missing
    # the pool opens the store's current version in every worker and follows each publish
    # (one version at a time, for every route); the server process itself never reads the data
    pool = WorkerPool(settings.store, size=settings.workers, queue_wait=settings.queue_wait,
                      isolate_network=settings.isolate_network, memory_mb=settings.worker_memory_mb)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from starlette.concurrency import run_in_threadpool
        await run_in_threadpool(pool.start)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="GazetteKG 政府公报知识图谱", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="A read-only SPARQL endpoint, REST API and query page over Chinese government "
                              "gazettes as a knowledge graph of plans, tasks, units, regions, targets and "
                              "deadlines. Every error answers as {\"error\": {status, title, detail, hint}}.")
    app.state.settings, app.state.pool = settings, pool
    app.state.started = time.time()
    errors.install(app)
    app.add_middleware(cancel.DisconnectWatch)  # a client that goes away stops its query (api.cancel)
    app.add_middleware(RequestSizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(headers.SecurityHeaders, csp=headers.policy(headers.script_hashes(_docs_html(app).decode())))
    app.include_router(sparql.router)
    app.include_router(rest.router)
    app.include_router(pages.router)
    app.include_router(links.router)
    app.include_router(graphs.router)
    app.include_router(graph_files.router)
    app.include_router(source.router)
    app.include_router(findings.router)
    app.include_router(facets.router)
    app.include_router(charts.router)
    app.include_router(vocabulary.router)
    app.include_router(search.router)
    _offline_docs(app)  # mounts /static/swagger, which must come before /static
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", tags=["Service"], summary="Liveness: answers at once, even while queries run")
    async def health():
        s = pool.stats
        pool.check_version()
        # no file-system paths here: /health is public
        return {"status": "ok", "version": pool.version, "triples": pool.triples, "inputs": pool.inputs,
                "workers": {"size": s.size, "idle": pool.idle_count(), "started": s.started,
                            "timeouts": s.timeouts, "lost": s.lost, "cancelled": s.cancelled,
                            "networkIsolated": s.isolated,
                            "versionSwitches": s.switches},
                "cache": {"hits": getattr(app.state, "result_cache", None) and app.state.result_cache.hits or 0},
                "uptime": round(time.time() - app.state.started, 1)}

    @app.get("/api/settings", tags=["Service"], summary="The service's settings, their values and help")
    def settings_page():
        return {"items": [{**d, "value": _public(d["name"], getattr(settings, d["name"]))}
                          for d in Settings.describe()]}

    return app


def _public(name: str, value) -> str:
    """A setting's value as shown to anyone: the store by its folder name, not its path."""
    return Path(value).name if name == "store" else str(value)


def _docs_html(app: FastAPI) -> bytes:
    return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} · API",
                               swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                               swagger_css_url="/static/swagger/swagger-ui.css",
                               swagger_favicon_url="/static/swagger/favicon-32x32.png").body


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI from the swagger-ui-bundle-v2 package's files: /docs needs no network."""
    from swagger_ui_bundle import swagger_ui_path
    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} · API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
