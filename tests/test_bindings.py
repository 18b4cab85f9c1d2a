"""Parameters bound as VALUES and as substitutions answer exactly as substitutions alone."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from queries.engines import PREFIX_MAP
from queries.library import load_library
from queries.sparql_text import inline_in_filters, outer_group, to_ox_term, with_values

LIBRARY = {name: q for name, q in load_library().items() if q.params}


def cell(term) -> str:
    # GROUP_CONCAT's order is undefined in SPARQL and follows the plan: compare its parts as a set
    if isinstance(term, ox.Literal) and "；" in term.value:
        return "；".join(sorted(term.value.split("；")))
    return str(term)


def raw_answers(result) -> list[str]:
    """A pyoxigraph result as sorted strings."""
    if isinstance(result, ox.QueryBoolean):
        return [str(bool(result))]
    if isinstance(result, ox.QuerySolutions):
        names = result.variables
        return sorted(str([cell(s[v]) for v in names]) for s in result)
    return sorted(str(t) for t in result)


def answers(result) -> list[str]:
    """A store's result (SelectResult, AskResult, GraphResult) as the same strings."""
    if hasattr(result, "value"):
        return [str(result.value)]
    if hasattr(result, "rows"):
        return sorted(str([cell(term) for term in row]) for row in result.rows)
    return sorted(str(t) for t in result.triples)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_binding_twice_changes_no_answer(sample_store, name):
    q = LIBRARY[name]
    bindings = q.bindings(q.example_params())
    subs = {ox.Variable(k): to_ox_term(v) for k, v in bindings.items()}
    alone = sample_store._store.query(q.text, prefixes=PREFIX_MAP, substitutions=subs,
                                      use_default_graph_as_union=True)
    expected = raw_answers(alone)
    assert expected and expected != ["False"], f"{name}: the example finds nothing; the test would prove nothing"
    assert answers(sample_store.query(q.text, bindings=bindings)) == expected


def test_a_query_without_where_group_is_bound_by_substitution(sample_store):
    text = "DESCRIBE ?plan"
    assert outer_group(text) is None
    with pytest.raises(ValueError, match="no WHERE group"):
        with_values(text, {"plan": "x"})
    graph = sample_store.query(text, bindings={"plan": ox.NamedNode("https://w3id.org/gazettekg/id/plan/xuzheng-2020-7")})
    assert any(t.predicate.value.endswith("docNumber") and t.object.value == "许政〔2020〕7号" for t in graph.triples)


@pytest.mark.parametrize("query, expected", [
    ('SELECT ?x WHERE { ?x ?p ?l FILTER(CONTAINS(?l, ?k)) }',
     'SELECT ?x WHERE { ?x ?p ?l FILTER(CONTAINS(?l, "水")) }'),
    # FILTER without parentheses of its own, and $-variables
    ('SELECT ?x WHERE { ?x ?p ?l FILTER regex(?l, $k) }', 'SELECT ?x WHERE { ?x ?p ?l FILTER regex(?l, "水") }'),
    # inside EXISTS the variable may be a subject: left to VALUES and substitutions
    ('SELECT ?x WHERE { ?x ?p ?l FILTER(EXISTS { ?k ?p ?l } || ?l = ?k) }',
     'SELECT ?x WHERE { ?x ?p ?l FILTER(EXISTS { ?k ?p ?l } || ?l = "水") }'),
    ('SELECT ?x WHERE { ?x ?p ?l FILTER NOT EXISTS { ?x ?p ?k } }', 'SELECT ?x WHERE { ?x ?p ?l FILTER NOT EXISTS { ?x ?p ?k } }'),
    # a longer name, a string that looks like the variable, a pattern outside any FILTER
    ('SELECT ?x WHERE { ?x ?p ?k . ?x ?q "?k" FILTER(?kk != ?k) }',
     'SELECT ?x WHERE { ?x ?p ?k . ?x ?q "?k" FILTER(?kk != "水") }'),
])
def test_bound_values_are_written_into_filters(query, expected):
    assert inline_in_filters(query, {"k": "水"}) == expected


def test_a_value_cannot_break_out_of_its_literal():
    text = inline_in_filters('SELECT ?x WHERE { ?x ?p ?l FILTER(?l = ?k) }', {"k": 'x") } ; DROP ALL #'})
    assert text == 'SELECT ?x WHERE { ?x ?p ?l FILTER(?l = "x\\") } ; DROP ALL #") }'
