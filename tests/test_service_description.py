"""GET /sparql without a query: the SPARQL 1.1 Service Description.

The three checks are those of the W3C SPARQL 1.1 test suite's service-description
manifest (sparql11/service-description: "GET on endpoint returns RDF", "Service description
contains a matching sd:endpoint triple", "Service description conforms to SPARQL 1.1
Service Description vocabulary"); ../shared/conformance holds only the protocol suite, so
they are written out here from the manifest's descriptions and the vocabulary's
recommendation (https://www.w3.org/TR/sparql11-service-description/).
"""
from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from tests.test_api_sparql import make_client

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# Every term the Service Description vocabulary defines (Recommendation, §3)
SD_CLASSES = {"Service", "Language", "Function", "Aggregate", "EntailmentRegime", "EntailmentProfile",
              "GraphCollection", "Dataset", "Graph", "NamedGraph", "Feature"}
SD_PROPERTIES = {"endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime", "supportedEntailmentProfile",
                 "defaultSupportedEntailmentProfile", "extensionFunction", "extensionAggregate", "languageExtension",
                 "supportedLanguage", "propertyFeature", "defaultDataset", "availableGraphs", "resultFormat",
                 "inputFormat", "defaultGraph", "namedGraph", "name", "graph"}
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
SD_FEATURES = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs,
               SD.BasicFederatedQuery}


@pytest.fixture(scope="module")
def client(sample_store):
    with make_client(sample_store) as c:
        yield c


def _description(client, accept="text/turtle", parse_as="turtle") -> Graph:
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    return Graph().parse(data=r.content, format=parse_as)


@pytest.mark.parametrize("accept,parse_as", [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                             ("application/n-triples", "nt"), ("application/ld+json", "json-ld")])
def test_get_on_endpoint_returns_rdf(client, accept, parse_as):
    assert len(_description(client, accept, parse_as)) > 0


def test_a_client_without_accept_gets_turtle_and_a_browser_the_query_page(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/"


def test_service_description_has_a_matching_sd_endpoint(client):
    g = _description(client)
    endpoint = URIRef(str(client.base_url) + "/sparql")
    services = set(g.subjects(RDF.type, SD.Service))
    assert services and all((s, SD.endpoint, endpoint) in g for s in services)


def test_service_description_conforms_to_the_vocabulary(client):
    g = _description(client)
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(SD))}
    for term in used:
        local = str(term)[len(str(SD)):]
        assert local in SD_CLASSES | SD_PROPERTIES or term in SD_LANGUAGES | SD_FEATURES, term
    for s, _, lang in g.triples((None, SD.supportedLanguage, None)):
        assert (s, RDF.type, SD.Service) in g and lang in SD_LANGUAGES
    assert set(g.objects(None, SD.feature)) <= SD_FEATURES
    for ds in g.objects(None, SD.defaultDataset):
        assert (ds, RDF.type, SD.Dataset) in g
        assert all((dg, RDF.type, SD.Graph) in g for dg in g.objects(ds, SD.defaultGraph))


def test_service_description_states_union_default_graph_and_every_result_format(client):
    g = _description(client)
    assert (None, SD.feature, SD.UnionDefaultGraph) in g
    formats = {str(o).rsplit("/", 1)[1] for o in g.objects(None, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "JSON-LD", "RDF_XML"}


def test_post_without_query_is_still_an_error(client):
    r = client.post("/sparql", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and r.json()["error"]["title"] == "Missing query"


@pytest.mark.parametrize("values,media", [(["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
                                          (["n3", "csv"], "text/csv"), (["bogus"], "application/sparql-results+json")])
def test_repeated_and_unknown_format_values_are_lenient(client, values, media):
    r = client.get("/sparql", params=[("query", "SELECT ?p WHERE { ?p a gk:Plan }")] + [("format", v) for v in values])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
