"""The SPARQL 1.1 Service Description answered by GET /sparql without a query.

It states what a client needs before it sends a query: the endpoint's own URL
(sd:endpoint), the language (SPARQL 1.1 Query; no update), the features (every query's
default graph is the union of all graphs: sd:UnionDefaultGraph) and the result formats
this endpoint can give, named by their W3C format IRIs. Pure: the triples are built from
the URL and the store's size; api.sparql negotiates and serializes them.
"""
from __future__ import annotations

import pyoxigraph as ox

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

# api.formats names → https://www.w3.org/ns/formats/ (every format /sparql can answer in)
RESULT_FORMATS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                  "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples",
                  "jsonld": "JSON-LD", "rdfxml": "RDF_XML"}


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def describe(endpoint: str, *, triples: int, title: str = "GazetteKG 政府公报知识图谱") -> list[ox.Triple]:
    """The service description of the endpoint at `endpoint` holding `triples` triples.

    >>> sd = describe("http://127.0.0.1:8000/sparql", triples=10)
    >>> any(t.predicate.value.endswith("#endpoint") and t.object.value == "http://127.0.0.1:8000/sparql" for t in sd)
    True
    """
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    out = [ox.Triple(service, RDF_TYPE, _sd("Service")),
           ox.Triple(service, _sd("endpoint"), service),
           ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
           ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
           ox.Triple(service, DCTERMS_TITLE, ox.Literal(title)),
           ox.Triple(service, _sd("defaultDataset"), dataset),
           ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
           ox.Triple(dataset, _sd("defaultGraph"), default_graph),
           ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
           ox.Triple(default_graph, VOID_TRIPLES, ox.Literal(str(triples), datatype=XSD_INTEGER))]
    out += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS_NS + local))
            for local in RESULT_FORMATS.values()]
    return out
