"""Every export format names the same terms (issue 13): a literal is written with the same
lexical form and datatype in .nt, .nq, .ttl and .jsonld, so the four files parse to the
identical set of triples (compared term for term with Oxigraph, which keeps lexical forms;
rdflib's parser would fold "1824.0" and "1824" to one value and hide the difference)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from gazettekg.cli import main

FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
           ".jsonld": ox.RdfFormat.JSON_LD}
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


@pytest.fixture(scope="module")
def exports(tmp_path_factory, sample_file):
    d = tmp_path_factory.mktemp("exports")
    out = {}
    for suffix in FORMATS:
        path = d / f"graph{suffix}"
        assert main(["build", str(sample_file), "--store", str(d / f"store{suffix}"), "--export", str(path)]) == 0
        out[suffix] = path
    return out


def _triples(path, fmt) -> set:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)}


def test_every_export_holds_the_same_terms(exports):
    reference = _triples(exports[".nt"], FORMATS[".nt"])
    assert len(reference) > 1000
    for suffix in (".nq", ".ttl", ".jsonld"):
        other = _triples(exports[suffix], FORMATS[suffix])
        assert other == reference, (suffix, sorted(map(str, other ^ reference))[:5])


def test_integer_valued_decimals_keep_their_lexical_form_in_turtle(exports):
    decimals = {t[2].value for t in _triples(exports[".ttl"], FORMATS[".ttl"])
                if isinstance(t[2], ox.Literal) and t[2].datatype.value == XSD_DECIMAL}
    nt_decimals = {t[2].value for t in _triples(exports[".nt"], FORMATS[".nt"])
                   if isinstance(t[2], ox.Literal) and t[2].datatype.value == XSD_DECIMAL}
    assert "1824" in nt_decimals and decimals == nt_decimals  # e.g. 1824, not 1824.0
