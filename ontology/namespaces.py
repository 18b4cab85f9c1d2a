"""The one module that owns namespaces and prefixes.

Every other module takes GK, ID and the standard vocabularies from here, SPARQL text
starts with PREFIXES, and `declared_terms()` lists what the ontology declares, so a
test can fail when a built graph uses a term the ontology does not define.
"""
from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

from ontology import ONTOLOGY_PATH

GK = Namespace("https://w3id.org/gazettekg/ontology#")
ID = Namespace("https://w3id.org/gazettekg/id/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

# prefix -> namespace, in the order they are written into SPARQL and Turtle.
NAMESPACES: dict[str, Namespace] = {
    "gk": GK,
    "id": ID,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "owl": Namespace(str(OWL)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "org": Namespace(str(ORG)),
    "time": Namespace(str(TIME)),
    "eli": ELI,
}

PREFIXES: str = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in NAMESPACES.items())

# Terms of RDF/RDFS that the data model uses (rdf:type, rdfs:label on tasks,
# rdfs:comment on conflicts). OWL defines them, so the ontology does not redeclare them.
BUILTIN_TERMS: frozenset[URIRef] = frozenset({RDF.type, RDFS.label, RDFS.comment})

_DECLARATION_TYPES = frozenset({
    OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
    OWL.AnnotationProperty, OWL.NamedIndividual, RDF.Property,
})


def bind_namespaces(graph: Graph) -> Graph:
    """Bind every project prefix on `graph` (replacing rdflib's defaults) and return it.

    >>> g = bind_namespaces(Graph())
    >>> g.namespace_manager.normalizeUri(GK.Task)
    'gk:Task'
    """
    for prefix, ns in NAMESPACES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The parsed ontology, parsed once per process. Treat it as read-only."""
    return bind_namespaces(Graph()).parse(ONTOLOGY_PATH, format="turtle")


@lru_cache(maxsize=1)
def declared_terms() -> frozenset[URIRef]:
    """Every class, property and individual gazettekg.ttl declares, plus BUILTIN_TERMS.

    External terms (skos:prefLabel, prov:Entity …) count when the ontology declares
    them; the ontology's own IRI and anonymous class expressions do not.

    >>> GK.Task in declared_terms() and GK.AtLeast in declared_terms()
    True
    >>> GK.Taks in declared_terms()
    False
    """
    g = ontology_graph()
    declared = {
        s for s, t in g.subject_objects(RDF.type)
        if isinstance(s, URIRef) and t in _DECLARATION_TYPES
    }
    return frozenset(declared | BUILTIN_TERMS)


__all__ = [
    "GK", "ID", "ELI", "SKOS", "DCTERMS", "PROV", "ORG", "TIME", "RDF", "RDFS", "XSD",
    "OWL", "SH", "NAMESPACES", "PREFIXES", "BUILTIN_TERMS", "bind_namespaces",
    "ontology_graph", "declared_terms",
]
