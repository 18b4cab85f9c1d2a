"""SPARQLWrapper in its default mode (not setOnlyConneg) against a served app: it sends
`format`/`output`/`results` parameters, sometimes twice (`format=tsv&format=text/tab-separated-values`)
or with values the endpoint does not know (`format=n3`), as well as Accept. Every one of the
eight result formats must come back, in the media type asked for (issue 13)."""
from __future__ import annotations

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.test_api_serve import server  # noqa: F401  (the served app, a real process)

GK = "https://w3id.org/gazettekg/ontology#"
SELECT = f"SELECT ?p ?doc WHERE {{ ?p a <{GK}Plan> ; <{GK}docNumber> ?doc }} ORDER BY ?doc"
CONSTRUCT = f"CONSTRUCT {{ ?p <{GK}docNumber> ?doc }} WHERE {{ ?p a <{GK}Plan> ; <{GK}docNumber> ?doc }}"


def _ask(base: str, query: str, fmt: str, accept: str | None = None):
    s = SPARQLWrapper(base + "sparql")
    s.setQuery(query)
    s.setReturnFormat(fmt)
    if accept:
        s.addCustomHttpHeader("Accept", accept)
    result = s.query()
    return result.response.headers["content-type"].split(";")[0], result.convert()


def _graph(converted, parse_as: str) -> Graph:
    return converted if isinstance(converted, Graph) else Graph().parse(data=converted, format=parse_as)


@pytest.mark.parametrize("fmt,media", [(JSON, "application/sparql-results+json"),
                                       (XML, "application/sparql-results+xml"),
                                       (CSV, "text/csv"), (TSV, "text/tab-separated-values")])
def test_select_in_every_results_format(server, fmt, media):  # noqa: F811
    got_media, converted = _ask(server[0], SELECT, fmt)
    assert got_media == media
    if fmt == JSON:
        assert len(converted["results"]["bindings"]) == 12
    elif fmt == XML:
        assert len(converted.getElementsByTagName("result")) == 12
    else:
        assert len(converted.decode().strip().splitlines()) == 13  # header + 12 plans


@pytest.mark.parametrize("fmt,accept,media,parse_as", [
    (TURTLE, None, "text/turtle", "turtle"),
    (N3, "application/n-triples", "application/n-triples", "nt"),  # N-Triples: SPARQLWrapper's N3 + Accept
    (N3, None, "text/turtle", "turtle"),
    (RDFXML, None, "application/rdf+xml", "xml"),
    (JSONLD, None, "application/ld+json", "json-ld"),
    (JSON, None, "application/ld+json", "json-ld"),  # format=json of a graph query: JSON-LD
])
def test_construct_in_every_rdf_format(server, fmt, accept, media, parse_as):  # noqa: F811
    got_media, converted = _ask(server[0], CONSTRUCT, fmt, accept)
    assert got_media == media
    assert len(_graph(converted, parse_as)) == 12
