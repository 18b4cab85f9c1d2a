"""A remote SPARQL endpoint behind the same small interface as the embedded store.

Store spec: `sparql+http://HOST:PORT/PATH` (or `sparql+https://…`). The URL without the
`sparql+` is the SPARQL 1.1 Query endpoint. Loading uses the SPARQL 1.1 Graph Store
protocol (one HTTP PUT of N-Triples per named graph: each gazette issue, the entities and
the links; docs/ENGINES.md says how to make the engine query their union) at a second URL,
derived from the
query URL by replacing its last path segment by the one in GSP_SEGMENT — the layout of
Oxigraph server (`/query` → `/store`). Another server layout (Fuseki: `/ds/query` and
`/ds/data`) names its store endpoint in the spec's fragment, which is never sent to the
server: `sparql+http://host:3030/ds/query#gsp=http://host:3030/ds/data`.

Parameter values never become query text as written: each is an RDF term that pyoxigraph
serialises with N-Triples escaping, written into the query text as queries.sparql_text
binds them for the embedded store too: a VALUES block opening the outermost group, and the
term itself in FILTER expressions.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from queries.engines import PREFIX_MAP, AskResult, GraphResult, QueryResult, SelectResult, StoreError, is_remote
from queries.sparql_text import DECLARED_PREFIX, bind_in_text, blank_out, query_form

GSP_SEGMENT = {"query": "store", "sparql": "store"}
READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
TIMEOUT = 60  # seconds; a query or load that takes longer is reported, not waited for

@dataclass(frozen=True)
class Endpoints:
    """The two URLs of a remote store: SPARQL query and Graph Store protocol."""
    query_url: str
    store_url: str

    @classmethod
    def from_spec(cls, spec: str) -> "Endpoints":
        """
        >>> Endpoints.from_spec("sparql+http://127.0.0.1:7878/query")
        Endpoints(query_url='http://127.0.0.1:7878/query', store_url='http://127.0.0.1:7878/store')
        >>> Endpoints.from_spec("sparql+http://h:3030/ds/query#gsp=http://h:3030/ds/data").store_url
        'http://h:3030/ds/data'
        """
        if not is_remote(spec):
            raise StoreError(f"{spec!r}: a remote store is written sparql+http://HOST:PORT/PATH")
        url, _, fragment = spec[len("sparql+"):].partition("#")
        parts = urlsplit(url)
        if not parts.hostname:
            raise StoreError(f"{spec!r}: no host in the store URL")
        if fragment:
            key, _, store_url = fragment.partition("=")
            if key != "gsp" or not store_url.startswith(("http://", "https://")):
                raise StoreError(f"{spec!r}: the fragment must be #gsp=http://… (the Graph Store endpoint)")
            return cls(url, store_url)
        head, _, last = parts.path.rpartition("/")
        if last not in GSP_SEGMENT:
            raise StoreError(f"{spec!r}: cannot derive the Graph Store endpoint from path {parts.path!r}; "
                             f"name it: {spec}#gsp=http://…")
        return cls(url, urlunsplit(parts._replace(path=f"{head}/{GSP_SEGMENT[last]}")))


def with_prefixes(sparql: str) -> str:
    """Declare every project prefix the query does not declare itself (the embedded store
    knows them all; a remote endpoint does not)."""
    declared = set(DECLARED_PREFIX.findall(blank_out(sparql)))
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIX_MAP.items() if p not in declared)
    return head + sparql


def _term(d: dict):
    """A SPARQL 1.1 JSON results term → the pyoxigraph term the embedded store returns."""
    kind, value = d["type"], d["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in d:
            return ox.Literal(value, language=d["xml:lang"])
        if "datatype" in d:
            return ox.Literal(value, datatype=ox.NamedNode(d["datatype"]))
        return ox.Literal(value)
    if kind == "triple":
        return ox.Triple(_term(value["subject"]), _term(value["predicate"]), _term(value["object"]))
    raise StoreError(f"unknown term type {kind!r} in the endpoint's results")


def parse_results(body: bytes, content_type: str, form: str) -> QueryResult:
    if form in ("CONSTRUCT", "DESCRIBE"):
        fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0].strip()) or ox.RdfFormat.TURTLE
        return GraphResult([quad.triple for quad in ox.parse(body, format=fmt)])
    data = json.loads(body)
    if "boolean" in data:
        return AskResult(bool(data["boolean"]))
    names = data["head"]["vars"]
    rows = [[_term(b[v]) if v in b else None for v in names] for b in data["results"]["bindings"]]
    return SelectResult(names, rows)


class RemoteStore:
    """A SPARQL 1.1 endpoint, queried like the embedded store (read-only)."""

    def __init__(self, endpoints: Endpoints, *, timeout: float = TIMEOUT):
        self.endpoints = endpoints
        self.timeout = timeout

    @classmethod
    def from_spec(cls, spec: str, **options) -> "RemoteStore":
        return cls(Endpoints.from_spec(spec), **options)

    def query(self, sparql: str, *, bindings: dict | None = None) -> QueryResult:
        """Run a read query; `bindings` (variable name → value) are written into it as RDF terms."""
        text = with_prefixes(bind_in_text(sparql, bindings) if bindings else sparql)
        form = query_form(text)
        if form not in READ_FORMS:
            raise StoreError(f"{form or 'this'} is not a read query; the store answers SELECT, ASK, CONSTRUCT, DESCRIBE")
        client = SPARQLWrapper(self.endpoints.query_url)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setOnlyConneg(True)  # the format travels in the Accept header only
        client.setTimeout(int(self.timeout))
        client.setQuery(text)
        client.queryType = form  # SPARQLWrapper's own guess reads keywords inside comments (unit_workLOAD)
        client.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        try:
            response = client.query().response
            body, content_type = response.read(), response.headers.get("Content-Type", "")
        except QueryBadFormed as error:
            raise SyntaxError(_server_message(error)) from None
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as error:
            raise StoreError(f"{self.endpoints.query_url}: {_server_message(error)}") from None
        return parse_results(body, content_type, form)

    def dump_ntriples(self) -> bytes:
        """Every triple the endpoint's queries see, as N-Triples: a CONSTRUCT over the default
        graph, which is the union of the collection's graphs when the engine is set up as
        docs/ENGINES.md says (a Graph Store GET of ?default would miss the named graphs)."""
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES)

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows[0][0].value)


def publish_remote_graphs(staged, spec: str, *, prefix: str, last: tuple[str, ...] = (),
                          timeout: float = TIMEOUT) -> list[str]:
    """Send every named graph of `staged` (a queries.engines.StagedStore) by Graph Store PUT,
    the graphs in `last` after the others, then DELETE the endpoint's graphs under `prefix`
    that the collection no longer has. Returns the graph IRIs sent.

    Each PUT replaces one graph as a whole; the load as a whole is not atomic. A failed load
    is reported (StoreError) and running the build again converges: every PUT replaces."""
    store_url = Endpoints.from_spec(spec).store_url
    graphs = sorted(staged.graphs(), key=lambda g: (g in last, last.index(g) if g in last else 0, g))
    for graph in graphs:
        request = urllib.request.Request(f"{store_url}?{urlencode({'graph': graph})}", data=staged.dump_graph(graph),
                                         method="PUT", headers={"Content-Type": "application/n-triples"})
        _send(request, timeout)
    listed = RemoteStore.from_spec(spec, timeout=timeout).query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
        bindings={"prefix": ox.Literal(prefix)})
    for (stale,) in listed.rows:
        if stale.value not in graphs:
            _send(urllib.request.Request(f"{store_url}?{urlencode({'graph': stale.value})}", method="DELETE"),
                  timeout)
    return graphs


def _send(request: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace").strip()[:300]
        raise StoreError(f"{request.get_method()} {request.full_url}: HTTP {error.code} {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise StoreError(f"{request.get_method()} {request.full_url}: {getattr(error, 'reason', error)}") from None


def _server_message(error: Exception) -> str:
    """SPARQLWrapper prefixes the server's answer with its own boilerplate; keep the answer."""
    text = str(getattr(error, "reason", None) or error)
    return text.split("Response:", 1)[-1].strip().removeprefix("b'").removesuffix("'") or text
