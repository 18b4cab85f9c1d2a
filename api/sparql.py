"""The SPARQL 1.1 Protocol endpoint at /sparql (query operation only; read-only).

GET ?query=, POST application/x-www-form-urlencoded and POST application/sparql-query.
default-graph-uri / named-graph-uri set the dataset as the protocol says: when either is
given it replaces the query's FROM / FROM NAMED, and a part not given is empty.
Documented deviations: the update operation is refused with 403 (read-only endpoint),
and so are SERVICE clauses (closed endpoint).
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api import formats, service_description
from api.errors import ApiError
from api.runner import check_query, result_headers, run_query

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_PARAMS = ("query", "update", "default-graph-uri", "named-graph-uri", "format")


def _media_type(request: Request) -> tuple[str, str | None]:
    """Content type and charset of the request body."""
    raw = request.headers.get("content-type")
    if raw is None:
        return "", None
    parts = [p.strip() for p in raw.split(";")]
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in parts[1:]
                    if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset


def _utf8(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8", "us-ascii"):
        raise ApiError(415, "Unsupported charset", f"the body is declared as {charset}",
                       "send the query as UTF-8 (charset=utf-8)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ApiError(400, "Body is not UTF-8", f"byte {err.start} is not valid UTF-8",
                       "send the query as UTF-8") from None


def _collect(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for k, v in pairs:
        params.setdefault(k, []).append(v)
    return params


async def _protocol_params(request: Request) -> tuple[dict[str, list[str]], str | None]:
    """All protocol parameters from URL and body, and the query text of a direct POST."""
    params = _collect(list(request.query_params.multi_items()))
    if request.method == "GET":
        return params, None
    media, charset = _media_type(request)
    body = await request.body()
    if media == FORM:
        text = _utf8(body, charset)
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), encoding="utf-8",
                              errors="strict")
        except (ValueError, UnicodeDecodeError) as err:
            raise ApiError(400, "Malformed form body", str(err), "URL-encode the parameters") from None
        for k, values in _collect(pairs).items():
            params.setdefault(k, []).extend(values)
        return params, None
    if media == DIRECT:
        if "query" in params:
            raise ApiError(400, "Query given twice", "a direct POST carries the query in its body; "
                           "the URL must not have a `query` parameter")
        return params, _utf8(body, charset)
    if media == UPDATE:
        raise ApiError(403, "Read-only endpoint", "SPARQL Update is not accepted: this endpoint only answers "
                       "queries", "rebuild the store with `gazettekg build` to change the data")
    raise ApiError(415, "Unsupported media type",
                   f"a POST body must be {FORM} or {DIRECT}, not {media or 'untyped'}",
                   "set the Content-Type header")


def _service_description(request: Request, fmt_param: list[str] | None) -> Response:
    """GET /sparql without a query: a browser goes to the query page, any other client gets
    the SPARQL 1.1 Service Description in the RDF format it accepts (Turtle by default)."""
    accept = request.headers.get("accept", "")
    if not fmt_param and "text/html" in accept:
        return RedirectResponse("/", status_code=303)
    try:
        chosen = formats.choose(formats.GRAPH, accept or None, fmt_param, what="the service description")
    except formats.NotAcceptable as err:
        raise ApiError(406, "Not acceptable", str(err), "ask for text/turtle or another RDF format") from None
    endpoint = str(request.url.replace(query="", fragment=""))
    triples = service_description.describe(endpoint, triples=request.app.state.pool.triples)
    return Response(formats.serialize_graph(chosen.name, triples), media_type=chosen.media_type,
                    headers={"Vary": "Accept"})


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(400, f"More than one `{name}`", f"{len(values)} values given for `{name}`; the protocol "
                       "allows exactly one", "send one operation per request")
    return values[0] if values else None


_DOC = dict(response_class=Response, responses={
    200: {"description": "SELECT/ASK as SPARQL JSON, XML, CSV or TSV; "
                         "CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML"},
    400: {"description": "malformed request or query (with the parser's position)"},
    403: {"description": "update or SERVICE (read-only, closed endpoint)"},
    406: {"description": "no acceptable format"},
    413: {"description": "request too large"},
    415: {"description": "unsupported body type"},
    503: {"description": "time limit reached (Retry-After)"}})


@router.get("/sparql", summary="SPARQL 1.1 Protocol query (GET ?query=)", operation_id="sparql_get", **_DOC)
@router.post("/sparql", summary="SPARQL 1.1 Protocol query (POST form or application/sparql-query)",
             operation_id="sparql_post", **_DOC)
@router.api_route("/sparql/", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request) -> Response:
    """Run a read-only SPARQL query. Parameters: `query` (GET or form), `default-graph-uri`,
    `named-graph-uri` (repeatable), `format` (json, xml, csv, tsv, ttl, nt, jsonld, rdfxml) to
    override Accept from a browser. The project's prefixes (gk:, id:, skos: …) are predefined."""
    params, direct = await _protocol_params(request)
    if "update" in params:
        raise ApiError(403, "Read-only endpoint", "SPARQL Update is not accepted: this endpoint only answers "
                       "queries", "rebuild the store with `gazettekg build` to change the data")
    text = direct if direct is not None else _one(params, "query")
    if text is None:
        if request.method == "GET":
            return _service_description(request, params.get("format"))
        raise ApiError(400, "Missing query", "no `query` parameter was given",
                       "POST query=… (form) or an application/sparql-query body; GET /sparql alone "
                       "describes the service")
    seen = check_query(text, request.app.state.settings.max_nesting)
    fmt_param = params.get("format")  # repeatable: the first recognised value wins
    if seen.form:
        try:
            chosen = formats.negotiate(seen.form, request.headers.get("accept"), fmt_param).name
        except formats.NotAcceptable as err:
            raise ApiError(406, "Not acceptable", str(err), "use the `format` parameter or another Accept") from None
    else:  # let the engine report the syntax error, or answer in its default format
        chosen = None
    defaults, named = params.get("default-graph-uri"), params.get("named-graph-uri")
    dataset = defaults is not None or named is not None
    reply = await run_query(request.app.state, text, fmt=chosen,
                            default_graph=(defaults or []) if dataset else None,
                            named_graphs=(named or []) if dataset else None,
                            base_iri=str(request.url.replace(query="", fragment="")),
                            client=request.client.host if request.client else "?")
    media = next(f.media_type for group in (formats.TABULAR, formats.GRAPH) for f in group
                 if f.name == reply["format"])
    headers = result_headers(reply, request.app.state.settings.row_limit)
    headers["Vary"] = "Accept"
    return Response(reply["body"], media_type=media, headers=headers)
