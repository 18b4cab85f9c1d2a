"""One error shape for every non-2xx response, and the one place exceptions become responses.

    {"error": {"status": 400, "title": "...", "detail": "...", "hint": "..."}}

No traceback ever reaches a client: an unexpected exception is logged here and answered
with a generic 500 in the same shape.
"""
from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import cancel

log = logging.getLogger("gazettekg.api")


class ApiError(Exception):
    """An error meant for the client: status, short title, what happened, what to do."""

    def __init__(self, status: int, title: str, detail: str = "", hint: str = "",
                 headers: dict[str, str] | None = None):
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.hint = status, title, detail, hint
        self.headers = headers or {}


def error_body(status: int, title: str, detail: str = "", hint: str = "") -> dict:
    return {"error": {"status": status, "title": title, "detail": detail, "hint": hint}}


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(error_body(err.status, err.title, err.detail, err.hint), status_code=err.status,
                        headers={"Cache-Control": "no-store", **err.headers})


# Hints for the statuses the framework raises by itself (routing, methods).
_HINTS = {
    404: "see /docs for the routes of this service",
    405: "the SPARQL endpoint takes GET or POST; see /docs",
}


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else ""
    return error_response(ApiError(exc.status_code, phrase, detail or f"{request.method} {request.url.path}",
                                   _HINTS.get(exc.status_code, ""), dict(exc.headers or {})))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
    return error_response(ApiError(400, "Bad request parameters", problems, "see /docs for the parameters"))


async def _client_gone(request: Request, exc: Exception) -> JSONResponse:
    # nobody reads this; 499 (nginx's "client closed request") marks it in the access log
    return error_response(ApiError(499, "Client closed request", "the client went away; its query was stopped"))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(ApiError(500, "Internal error", "the server failed to answer this request",
                                   "try again; if it persists, report the URL to the maintainers"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(cancel.Cancelled, _client_gone)  # a job stopped on disconnect (api.cancel)
    app.add_exception_handler(Exception, _unexpected)
