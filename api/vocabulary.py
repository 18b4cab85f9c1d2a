"""/api/vocabulary: the ontology's classes, properties and individuals with their labels,
for the query editor's completion and its "not in the vocabulary" warning. Read from
ontology/gazettekg.ttl (offline), once per process."""
from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from rdflib import RDF, RDFS
from rdflib.namespace import OWL

from ontology.namespaces import GK, declared_terms, ontology_graph
from queries.engines import PREFIX_MAP
from queries.results import compact

router = APIRouter(tags=["Service"])

KINDS = ((OWL.Class, "class"), (RDFS.Class, "class"), (OWL.ObjectProperty, "property"),
         (OWL.DatatypeProperty, "property"), (OWL.AnnotationProperty, "property"), (RDF.Property, "property"),
         (OWL.NamedIndividual, "individual"))


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    g = ontology_graph()
    terms = []
    for term in sorted(declared_terms(), key=str):
        types = set(g.objects(term, RDF.type))
        kind = next((k for t, k in KINDS if t in types), "property")
        labels = {lit.language: str(lit) for lit in g.objects(term, RDFS.label)}
        comment = next((str(c) for c in g.objects(term, RDFS.comment) if getattr(c, "language", None) in (None, "en")), "")
        terms.append({"term": compact(str(term)), "iri": str(term), "kind": kind,
                      "zh": labels.get("zh", ""), "en": labels.get("en", ""), "comment": comment})
    # gk: is this ontology's own namespace, so any gk: name it does not declare is a mistake;
    # other vocabularies (skos:, dcterms: …) are only partly listed, so they are not checked
    return {"prefixes": PREFIX_MAP, "closed": {"gk": str(GK)}, "terms": terms}


@router.get("/api/vocabulary", summary="The ontology's terms (classes, properties, individuals) with labels, "
            "for completion")
def vocabulary_json() -> dict:
    return vocabulary()

