"""viz: subgraph selection against the sample store (counts checked by independent SPARQL),
the layout, escaping in the rendered page, and `gazettekg viz`."""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph

from gazettekg.cli import main
from ontology.namespaces import GK
from tests.viz_support import (CROSS_COUNT, HOSTILE, NEIGHBOURS_COUNT, OVERVIEW_COUNT, count, hostile_graph,
                               publish_graph)
from viz import layout, render, select

ID = "https://w3id.org/gazettekg/id/"
TASK = ID + "task/xuzheng-2020-7/2-2-3"
HUB = ID + "unit/411000/gexian-shi-qu-zhengfu-guanweihui"


@pytest.fixture(scope="module")
def overview(sample_store):
    return select.overview(sample_store)


def by_id(sub):
    return {n.id: n for n in sub.nodes}


def test_overview_nodes_are_what_sparql_counts(overview, sample_store):
    # 12 plans, 281 tasks and the 102 units and regions they name (as counted independently)
    assert len(overview.nodes) == count(sample_store, OVERVIEW_COUNT) == 395
    classes = {n.cls for n in overview.nodes}
    assert classes == {"Plan", "Task", "Unit", "Region"}
    tasks = [n for n in overview.nodes if n.cls == "Task"]
    assert len(tasks) == count(sample_store, "SELECT (COUNT(?t) AS ?c) WHERE { ?t a gk:Task }")
    in_plan = {e.source for e in overview.edges if e.predicate == str(GK.inPlan)}
    assert in_plan == {t.id for t in tasks}
    assert all(n.degree == sum(1 for e in overview.edges if n.id in (e.source, e.target)) for n in overview.nodes)


def test_a_task_carries_its_full_record(overview, sample_store):
    task = by_id(overview)[TASK]
    text = sample_store.query(f"SELECT ?t WHERE {{ <{TASK}> gk:text ?t }}").rows[0][0].value
    assert task.text == text and task.title == "有力保障城乡供水安全"
    assert task.source_line == 76 and task.end_line == 78
    assert [p.label for p in task.plans] == ["许政〔2020〕7号"]
    assert len(task.units) == 4 and len(task.regions) == 5
    assert {r.label for r in task.regions} >= {"禹州市", "长葛市"}
    assert task.targets and task.group == ID + "plan/xuzheng-2020-7"


def test_cross_view_is_links_conflicts_and_their_owners(sample_store):
    sub = select.cross(sample_store)
    nodes = by_id(sub)
    assert len(sub.nodes) == count(sample_store, CROSS_COUNT)
    conflicts = [n for n in sub.nodes if n.cls == "Conflict"]
    assert len(conflicts) == count(sample_store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gk:Conflict }") == 4
    assert all(n.text and n.label.endswith("冲突") for n in conflicts)
    related = [e for e in sub.edges if e.kind == "related"]
    pairs = count(sample_store, "SELECT (COUNT(DISTINCT *) AS ?c) WHERE { SELECT DISTINCT ?a ?b WHERE { "
                                "{ ?a gk:relatedTo ?b } UNION { ?b gk:relatedTo ?a } FILTER(STR(?a) < STR(?b)) "
                                "FILTER(!EXISTS { ?o gk:evidenceFor ?a , ?b ; gk:basis \"text\" ; gk:relationKind \"overlap\" } "
                                "|| EXISTS { ?e gk:evidenceFor ?a , ?b FILTER NOT EXISTS { ?e gk:basis \"text\" ; "
                                "gk:relationKind \"overlap\" } }) } }")
    assert len(related) == pairs
    assert all(nodes[e.source].group == nodes[e.target].group is not None for e in related)
    assert any(e.fields for e in related), "gk:RelationEvidence travels with the links"
    assert len([e for e in sub.edges if e.kind == "conflict"]) == 8
    assert not sub.notes


def test_cross_view_before_linking_shows_what_is_there(tmp_path, sample_build):
    g = Graph()
    drop = {GK.relatedTo, GK.involves, GK.evidenceFor}
    for s, p, o in sample_build.graph:
        if p not in drop and o not in (GK.Conflict, GK.RelationEvidence):
            g.add((s, p, o))
    store = publish_graph(g, tmp_path / "store")
    sub = select.cross(store)
    assert sub.nodes == [] and len(sub.notes) == 2
    page = render.page(sub)
    assert "No cross-plan links" in page.replace("\\u003c", "<")


def test_neighbourhood_of_a_task(sample_store):
    sub = select.neighbourhood(sample_store, TASK, hops=1)
    assert len(sub.nodes) == count(sample_store, NEIGHBOURS_COUNT % (TASK, TASK)) + 1 == 48
    assert sub.hidden == 0 and not sub.notes and sub.seed == TASK
    assert by_id(sub)[TASK].more == 0
    assert {n.cls for n in sub.nodes} >= {"Plan", "Unit", "Region", "Project", "Target", "Task"}


def test_neighbourhood_is_capped_and_says_how_many_more(sample_store):
    total = count(sample_store, NEIGHBOURS_COUNT % (HUB, HUB))
    sub = select.neighbourhood(sample_store, HUB, hops=1, cap=20)
    assert len(sub.nodes) == 20 and sub.hidden == total - 19 > 0
    assert f"{sub.hidden} more" in sub.notes[0]
    assert by_id(sub)[HUB].more == total - 19
    two = select.neighbourhood(sample_store, TASK, hops=2, cap=40)
    assert len(two.nodes) == 40 and two.hidden > 0 and two.hops == 2


def test_neighbourhood_refuses_what_is_not_there(sample_store):
    with pytest.raises(select.EntityNotFound):
        select.neighbourhood(sample_store, ID + "task/none")
    with pytest.raises(ValueError):
        select.neighbourhood(sample_store, "not an iri")


def test_construct_result_as_graph(sample_store):
    q = """CONSTRUCT { ?t gk:inPlan ?p ; gk:responsibleUnit ?u } WHERE {
             ?t gk:inPlan ?p ; gk:responsibleUnit ?u . ?p gk:docNumber "许政〔2020〕7号" }"""
    sub = select.construct(sample_store, q)
    triples = sample_store.query(q).triples
    terms = {t.subject.value for t in triples} | {t.object.value for t in triples}
    assert len(sub.nodes) == len(terms) > 20 and len(sub.edges) == len(triples)
    assert {n.cls for n in sub.nodes} == {"Task", "Plan", "Unit"}  # classes looked up in the store
    assert all(n.label and not n.label.startswith("http") for n in sub.nodes)
    with pytest.raises(ValueError):
        select.construct(sample_store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_static_layout_is_deterministic_and_spread(sample_store, overview):
    again = select.overview(sample_store)
    layout.static_layout(overview.nodes, overview.edges)
    layout.static_layout(again.nodes, again.edges)
    assert [(n.x, n.y) for n in overview.nodes] == [(n.x, n.y) for n in again.nodes]
    pts = [(n.x, n.y) for n in overview.nodes]
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pts)
    close = sum(1 for i, a in enumerate(pts) for b in pts[i + 1:] if math.dist(a, b) < 10)
    assert close <= len(pts) // 50, f"{close} pairs of nodes lie on top of each other"


# --- rendering -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    return publish_graph(hostile_graph(), tmp_path_factory.mktemp("hostile") / "store")


class Elements(HTMLParser):
    """The elements an HTML parser sees (script content is text to it, as to a browser)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("mode", ["standalone", "served"])
def test_hostile_text_never_reaches_html_unescaped(hostile_store, mode):
    for sub in (select.overview(hostile_store), select.cross(hostile_store),
                select.neighbourhood(hostile_store, ID + "task/evil-1/0", hops=2)):
        page = render.page(sub, mode=mode)
        for payload in HOSTILE:
            assert payload not in page
        assert "\u2028" not in page and "\u2029" not in page and "<!--" not in page
        tags = Elements(page).tags
        assert [t for t, _ in tags].count("script") == 3
        assert not {"img", "iframe", "object", "svg"} & {t for t, _ in tags}
        assert all(attrs["href"].startswith("/") for t, attrs in tags if "href" in attrs)
        assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
        data = page.split('<script id="graph-data" type="application/json">')[1].split("</script>")[0]
        assert "<" not in data and ">" not in data and "&" not in data
        assert sum(n["label"] in HOSTILE or n["title"] in HOSTILE for n in json.loads(data)["nodes"]) >= 4


def test_pages_load_nothing_from_elsewhere(overview):
    standalone = render.page(overview, mode="standalone")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", standalone, re.I)
    assert "connect-src 'none'" in standalone and "default-src 'none'" in standalone
    served = render.page(overview, mode="served")
    refs = re.findall(r"""(?:src|href)="([^"]*)\"""", served)
    assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs)


def test_json_for_script_escapes_everything_that_could_break_out():
    text = render.json_for_script({"a": "</script><!--&\u2028\u2029"})
    assert not set("<>&") & set(text) and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029"}


# --- the command ---------------------------------------------------------------------------------

def test_cli_writes_standalone_pages(sample_store, tmp_path, capsys):
    store = str(sample_store.path)
    out = tmp_path / "o.html"
    assert main(["viz", "overview", "--store", store, "--out", str(out)]) == 0
    assert "395 nodes" in capsys.readouterr().out and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert main(["viz", "entity", "id:task/xuzheng-2020-7/2-2-3", "--store", store, "--out", str(out)]) == 0
    assert "48 nodes" in capsys.readouterr().out
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?t gk:inPlan ?p } WHERE { ?t gk:inPlan ?p }", encoding="utf-8")
    assert main(["viz", "query", str(rq), "--store", store, "--out", str(out)]) == 0
    assert "293 nodes, 281 edges" in capsys.readouterr().out
    assert main(["viz", "entity", "id:task/none", "--store", store, "--out", str(out)]) == 2
    rq.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    assert main(["viz", "query", str(rq), "--store", store, "--out", str(out)]) == 2
    assert "CONSTRUCT" in capsys.readouterr().err
