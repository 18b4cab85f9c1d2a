"""The ontology: it parses, HermiT finds it consistent, and it defines the public vocabulary.

tests/data/vocabulary.md is a copy of docs/vocabulary.md (the public contract, copied
from /work/shared/docs/vocabulary.md when this test was written). Its tables are parsed
here, so a term added to the contract without a definition in the ontology, or a
domain/range that drifts from the contract, fails a test.
"""
from __future__ import annotations

import doctest
import importlib.util
import re
import shutil
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

import kg_build.validation
import ontology.namespaces
from ontology import ONTOLOGY_PATH, SHAPES_PATH
from ontology.namespaces import (
    DCTERMS, ELI, GK, NAMESPACES, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, declared_terms,
    ontology_graph,
)

# Closed rdflib namespaces warn when pytest probes module globals, so reach them via ns.
ns = ontology.namespaces

VOCABULARY = Path(__file__).parent / "data" / "vocabulary.md"
TERM = re.compile(r"\b(gk|dcterms|skos|rdfs|prov|org|time|owl):([A-Za-z][A-Za-z0-9]*)")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")


def table_rows(section: str) -> list[list[str]]:
    """Body rows of the first Markdown table under '## <section>', as lists of cells."""
    text = VOCABULARY.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in body.splitlines() if line.startswith("|")]
    return [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]


def curie(prefix: str, name: str) -> URIRef:
    return URIRef(NAMESPACES[prefix] + name)


def terms_in(text: str) -> set[URIRef]:
    return {curie(p, n) for p, n in TERM.findall(text)}


def labels(g: Graph, term: URIRef) -> set[str]:
    return {lit.language for lit in g.objects(term, RDFS.label) if isinstance(lit, Literal)}


def members(g: Graph, node) -> set:
    """A named class as {itself}; an owl:unionOf class expression as its members."""
    if isinstance(node, BNode):
        return set(Collection(g, g.value(node, OWL.unionOf)))
    return {node}


CLASS_ROWS = table_rows("Classes")
PROPERTY_ROWS = table_rows("Properties")
VOCABULARY_TERMS = sorted(
    set().union(*(terms_in(" ".join(r)) for r in CLASS_ROWS + PROPERTY_ROWS)), key=str
)


def test_vocabulary_copy_is_parsed():
    assert len(CLASS_ROWS) == 10 and len(PROPERTY_ROWS) >= 25
    assert GK.comparator in VOCABULARY_TERMS and SKOS.altLabel in VOCABULARY_TERMS


def test_ontology_header():
    g = ontology_graph()
    (onto,) = g.subjects(RDF.type, OWL.Ontology)
    assert g.value(onto, OWL.versionInfo) is not None
    assert g.value(onto, OWL.versionIRI) is not None
    assert g.value(onto, DCTERMS.license) is not None
    assert labels_of(g, onto, DCTERMS.title) >= {"zh", "en"}
    assert labels_of(g, onto, DCTERMS.description) >= {"zh", "en"}
    assert not list(g.objects(onto, OWL.imports))


def labels_of(g: Graph, s, p) -> set[str]:
    return {lit.language for lit in g.objects(s, p)}


@pytest.mark.parametrize("term", VOCABULARY_TERMS, ids=str)
def test_vocabulary_term_is_declared(term):
    assert term in declared_terms()


DOCUMENTED = [t for t in VOCABULARY_TERMS if t not in (RDFS.label, RDFS.comment)
              and (t.startswith(str(GK)) or any(t in terms_in(r[0]) for r in PROPERTY_ROWS))]


@pytest.mark.parametrize("term", DOCUMENTED, ids=str)
def test_vocabulary_term_has_zh_en_labels_and_comment(term):
    """gk: terms, and the external properties the data model uses (dcterms:title …)."""
    g = ontology_graph()
    assert labels(g, term) >= {"zh", "en"}
    assert g.value(term, RDFS.comment) is not None


def test_every_gk_term_has_zh_en_labels_and_comment():
    g = ontology_graph()
    gk_terms = [t for t in declared_terms() if t.startswith(str(GK))]
    assert len(gk_terms) > 50
    for term in gk_terms:
        assert labels(g, term) >= {"zh", "en"}, term
        assert g.value(term, RDFS.comment) is not None, term


@pytest.mark.parametrize("row", CLASS_ROWS, ids=lambda r: r[0])
def test_class_alignments(row):
    g = ontology_graph()
    (cls,) = terms_in(row[0])
    assert (cls, RDF.type, OWL.Class) in g
    for parent in terms_in(row[2]):
        assert (cls, RDFS.subClassOf, parent) in g


def test_alignments_beyond_the_table():
    g = ontology_graph()
    assert (GK.Plan, RDFS.subClassOf, ELI.LegalResource) in g
    assert (GK.relatedTo, RDF.type, OWL.SymmetricProperty) in g
    assert (GK.date, RDFS.subPropertyOf, ns.TIME.inXSDDate) in g
    assert (GK.publishedIn, RDFS.subPropertyOf, DCTERMS.isPartOf) in g
    for p in (GK.leadUnit, GK.responsibleUnit, GK.issuedBy):
        assert (p, RDFS.subPropertyOf, PROV.wasAttributedTo) in g


def parse_domain(text: str) -> set[URIRef]:
    return {GK[name] for name in re.split(r",\s*|\s+or\s+", text.strip())}


def parse_range(text: str) -> set[URIRef]:
    text = text.replace("(symmetric)", "").strip()
    if text.startswith("one of"):
        return {GK.Comparator}
    if text.startswith("xsd:"):
        return {ns.XSD[text[4:]]}
    if text == "string":
        return {ns.XSD.string}
    return {GK[name] for name in re.split(r"\s+or\s+", text)}


GK_PROPERTY_ROWS = [r for r in PROPERTY_ROWS if r[0].startswith("gk:")]


@pytest.mark.parametrize("row", GK_PROPERTY_ROWS, ids=lambda r: r[0])
def test_property_domain_range_and_kind(row):
    g = ontology_graph()
    (prop,) = terms_in(row[0])
    domain_text, range_text = row[1].split("→")
    assert members(g, g.value(prop, RDFS.domain)) == parse_domain(domain_text)
    expected_range = parse_range(range_text)
    assert members(g, g.value(prop, RDFS.range)) == expected_range
    datatype = all(r.startswith(str(ns.XSD)) for r in expected_range)
    kind = OWL.DatatypeProperty if datatype else OWL.ObjectProperty
    assert (prop, RDF.type, kind) in g


def test_comparators_and_conflict_kinds_are_closed_enumerations():
    g = ontology_graph()
    for cls, names in ((GK.Comparator, "AtLeast AtMost Exactly Approximately"),
                       (GK.ConflictKind, "ValueConflict DeadlineConflict ScopeConflict InternalConflict")):
        expected = {GK[n] for n in names.split()}
        assert set(g.subjects(RDF.type, cls)) == expected
        assert all((i, RDF.type, OWL.NamedIndividual) in g for i in expected)
        (one_of,) = [g.value(e, OWL.oneOf) for e in g.objects(cls, OWL.equivalentClass)]
        assert set(Collection(g, one_of)) == expected
    # the comparators the builder writes are exactly these local names
    from kg_build.records import COMPARATORS
    assert {GK[c] for c in COMPARATORS} == set(g.subjects(RDF.type, GK.Comparator))


def test_gk_terms_used_in_ontology_and_shapes_are_declared():
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    shape_names = set(shapes.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")))
    for g in (ontology_graph(), shapes):
        used = {t for triple in g for t in triple[1:] if isinstance(t, URIRef) and t.startswith(str(GK))}
        assert used - shape_names - declared_terms() == set()


def test_declared_terms_excludes_ontology_iri_and_typos():
    terms = declared_terms()
    assert URIRef("https://w3id.org/gazettekg/ontology") not in terms
    assert GK.Taks not in terms and GK.Task in terms and RDF.type in terms


def test_prefixes_parse_as_sparql():
    from rdflib.plugins.sparql import prepareQuery
    prepareQuery(PREFIXES + "SELECT ?t WHERE { ?t a gk:Task ; dcterms:title ?x ; skos:prefLabel ?l ;"
                 " prov:wasAttributedTo ?u . ?u a org:Organization . ?d time:inXSDDate ?w . ?p a eli:LegalResource }")


@pytest.mark.parametrize("module", [ontology.namespaces, kg_build.validation], ids=lambda m: m.__name__)
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


# --- HermiT (OWL 2 DL reasoning) -------------------------------------------------------

def reason(graph: Graph, tmp_path: Path) -> owlready2.World:
    """Load `graph` into a fresh owlready2 World and run HermiT on it.

    xsd:date (gk:date, dcterms:issued) is outside the OWL 2 datatype map, so HermiT is
    told to treat it as an opaque datatype rather than refuse the ontology.
    """
    path = tmp_path / "graph.owl"
    graph.serialize(path, format="xml")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                   ignore_unsupported_datatypes=True)
    return world


def with_data(turtle: str) -> Graph:
    g = Graph()
    for s, p, o in ontology_graph():
        g.add((s, p, o))
    return g.parse(data=turtle, format="turtle")


def good_data() -> str:
    spec = importlib.util.spec_from_file_location("_shape_cases", Path(__file__).parent / "test_shapes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.GOOD


@needs_java
def test_hermit_finds_the_ontology_consistent_and_every_class_satisfiable(tmp_path):
    world = reason(ontology_graph(), tmp_path)
    assert list(world.inconsistent_classes()) == []


@needs_java
def test_hermit_accepts_the_valid_data_model(tmp_path):
    """The shapes' good graph, reasoned with the ontology: domains and ranges fit the data."""
    reason(with_data(good_data()), tmp_path)


BAD_ABOX = {
    "task that is also a plan": "<task/a> a gk:Task , gk:Plan .",
    "region used as a lead unit": "<task/a> gk:leadUnit <region/b> . <region/b> a gk:Region .",
    "plan-level target on a unit": "<unit/u> a gk:Unit ; gk:hasTarget <target/t> .",
}


@needs_java
@pytest.mark.parametrize("name", list(BAD_ABOX))
def test_hermit_rejects_contradicting_data(name, tmp_path):
    turtle = ("@base <https://w3id.org/gazettekg/id/> .\n"
              "@prefix gk: <https://w3id.org/gazettekg/ontology#> .\n" + BAD_ABOX[name])
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(with_data(turtle), tmp_path)
