"""The query inspection behind the read-only and closed rules, and content negotiation (pure)."""
from __future__ import annotations

import doctest

import pytest

from api import formats, guard, settings, worker


@pytest.mark.parametrize("module", [guard, formats, settings, worker])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize("text,kind,form", [
    ("SELECT * {}", "query", "SELECT"),
    ("prefix ex: <http://e/>\nbase <http://b/>\n construct { } where { }", "query", "CONSTRUCT"),
    ("# comment: INSERT\nASK {}", "query", "ASK"),
    ("DESCRIBE <x>", "query", "DESCRIBE"),
    ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b 1 }", "update", None),
    ("load <http://x/>", "update", None),
    ("  Clear All", "update", None),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update", None),
    ("", "unknown", None),
    ("{ ?s ?p ?o }", "unknown", None),
])
def test_kind_and_form(text, kind, form):
    seen = guard.inspect(text)
    assert (seen.kind, seen.form) == (kind, form)


@pytest.mark.parametrize("text,service", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { service silent ?endpoint { ?s ?p ?o } }", True),
    ("SELECT * {\tSeRvIcE\n<http://x/>{} }", True),
    ("SELECT * { ?s ?p 'SERVICE' }", False),
    ('SELECT * { ?s ?p "say \\"SERVICE\\" twice" }', False),
    ('SELECT * { ?s ?p """\nSERVICE <http://x/> {}\n""" }', False),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", False),
    ("SELECT ?SERVICE { ?s ?p $service }", False),
    ("PREFIX service: <http://e/> SELECT * { ?s service:SERVICE ?o }", False),
    ("SELECT * { ?s <http://example.org/SERVICE> ?o }", False),
    ("SELECT * { _:SERVICE ?p ?o }", False),
])
def test_service_detection(text, service):
    assert guard.inspect(text).service is service


@pytest.mark.parametrize("form,accept,expected", [
    ("SELECT", None, "json"),
    ("SELECT", "*/*", "json"),
    ("SELECT", "text/*", "csv"),
    ("SELECT", "application/json", "json"),
    ("SELECT", "text/csv;q=0, */*;q=0.5", "json"),
    ("SELECT", "application/sparql-results+json;q=0.2, text/tab-separated-values", "tsv"),
    ("ASK", "application/xml", "xml"),
    ("CONSTRUCT", None, "turtle"),
    ("DESCRIBE", "application/ld+json, text/turtle;q=0.9", "jsonld"),
    ("CONSTRUCT", "text/plain", "ntriples"),
])
def test_negotiation(form, accept, expected):
    assert formats.negotiate(form, accept).name == expected


@pytest.mark.parametrize("form,accept,param", [("ASK", "text/csv", None), ("CONSTRUCT", "text/csv", None),
                                               ("SELECT", None, "ttl"), ("CONSTRUCT", "text/csv", "nonsense")])
def test_not_acceptable(form, accept, param):
    with pytest.raises(formats.NotAcceptable):
        formats.negotiate(form, accept, param)


def test_an_unknown_format_value_leaves_the_choice_to_accept():
    # issue 13: clients such as SPARQLWrapper send format values of their own (n3, text/…)
    assert formats.negotiate("SELECT", None, "nonsense").name == "json"
    assert formats.negotiate("SELECT", "text/csv", ["n3", "nonsense"]).name == "csv"
