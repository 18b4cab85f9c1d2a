"""The query library: headers, parameters, and each query's real answer on the bundled sample.

Every library query has a `check_<name>` below; a test fails when one is missing. Each
check compares the SPARQL answer with the same fact computed in plain Python over the
built rdflib graph (a second, independent route to the truth), and anchors a row or two
in the sample text itself (许昌市人民政府公报 2020年第2期).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ontology.namespaces import GK, ID
from queries.engines import AskResult, GraphResult, SelectResult, publish
from queries.library import LibraryError, ParamError, load_library, parse_query, run

LIBRARY = load_library()


# ---------------------------------------------------------------- helpers

def rows(store, name, **params) -> list[dict]:
    result = run(store, name, params)
    assert isinstance(result, SelectResult)
    return [{v: (t.value if t is not None else None) for v, t in zip(result.variables, row)} for row in result.rows]


def names_of(g, node) -> set[str]:
    return {str(o) for o in g.objects(node, SKOS.prefLabel)} | {str(o) for o in g.objects(node, SKOS.altLabel)}


def by_label(g, label: str) -> set:
    return {s for p in (SKOS.prefLabel, SKOS.altLabel) for s in g.subjects(p, Literal(label))}


def doc(g, node) -> str:
    return str(g.value(node, GK.docNumber) or g.value(g.value(node, GK.inPlan), GK.docNumber))


def plan_of_doc(g, doc_number: str):
    return g.value(predicate=GK.docNumber, object=Literal(doc_number))


def tasks(g) -> set:
    return set(g.subjects(RDF.type, GK.Task))


def task_at(g, doc_number: str, section: str):
    plan = plan_of_doc(g, doc_number)
    return next(t for t in g.subjects(GK.inPlan, plan) if str(g.value(t, GK.sectionPath)) == section)


def units_of(g, task) -> set:
    return set(g.objects(task, GK.leadUnit)) | set(g.objects(task, GK.responsibleUnit))


def owner_docs(g, target) -> set[str]:
    return {doc(g, owner) for owner in g.subjects(GK.hasTarget, target)}


@pytest.fixture(scope="module")
def g(sample_build):
    return sample_build.graph


@pytest.fixture(scope="module")
def store(sample_store):
    return sample_store


# ---------------------------------------------------------------- one check per query

def check_unit_tasks(store, g):
    got = rows(store, "unit_tasks", unit="市生态环境局")
    unit = by_label(g, "市生态环境局")
    expected = {(str(t), "lead") for u in unit for t in g.subjects(GK.leadUnit, u)}
    expected |= {(str(t), "responsible") for u in unit for t in g.subjects(GK.responsibleUnit, u)}
    assert {(r["task"], r["role"]) for r in got} == expected and len(got) == len(expected) > 20
    # the sample names it 牵头单位 of two tasks of 许政〔2020〕13号 (lines 731 and 747)
    lead = rows(store, "unit_tasks", unit="市生态环境局", role="lead")
    assert [(r["docNumber"], r["label"]) for r in lead] == [("许政〔2020〕13号", "梯次推进农村生活污水治理"),
                                                            ("许政〔2020〕13号", "系统修复水生态")]
    # any spelling: the abbreviation finds the same tasks as the full name
    short = {(r["task"], r["role"]) for r in rows(store, "unit_tasks", unit="市发改委")}
    assert short == {(r["task"], r["role"]) for r in rows(store, "unit_tasks", unit="市发展和改革委员会")} != set()


def check_unit_workload(store, g):
    got = rows(store, "unit_workload")
    lead, shared = Counter(), Counter()
    for t in tasks(g):
        lead.update(set(g.objects(t, GK.leadUnit)))
        shared.update(set(g.objects(t, GK.responsibleUnit)))
    for r in got:
        u = URIRef(r["unit"])
        assert (int(r["lead"]), int(r["responsible"])) == (lead[u], shared[u]), r["name"]
    assert [int(r["tasks"]) for r in got] == sorted((int(r["tasks"]) for r in got), reverse=True)
    assert len(got) == len(set(lead) | set(shared))
    in_plan = rows(store, "unit_workload", plan="许政〔2020〕9号")
    plan = plan_of_doc(g, "许政〔2020〕9号")
    expected = Counter(u for t in g.subjects(GK.inPlan, plan) for u in units_of(g, t))
    assert {URIRef(r["unit"]): int(r["tasks"]) for r in in_plan} == dict(expected)
    assert {r["plans"] for r in in_plan} == {"1"}


def _dated(g):
    """(date, deadline, kind) for every task deadline and plan-goal deadline."""
    out = {(str(g.value(d, GK.date)), str(d), "task") for t in tasks(g) for d in g.objects(t, GK.hasDeadline)}
    out |= {(str(g.value(d, GK.date)), str(d), "goal") for p in g.subjects(RDF.type, GK.Plan)
            for x in g.objects(p, GK.hasTarget) for d in g.objects(x, GK.dueBy)}
    return out


def check_deadlines_between(store, g):
    got = rows(store, "deadlines_between", **{"from": "2020-06-01", "to": "2020-12-31"})
    expected = {x for x in _dated(g) if "2020-06-01" <= x[0] <= "2020-12-31"}
    assert {(r["date"], r["deadline"], r["kind"]) for r in got} == expected and len(got) == len(expected) > 20
    assert [r["date"] for r in got] == sorted(r["date"] for r in got)
    # sample line 285: "2020年9月底前，沿清颍河流域城镇污水处理厂通过提标改造…"
    assert {"date": "2020-09-30", "sourceText": "2020年9月底前", "docNumber": "许政〔2020〕9号",
            "sectionPath": "二.(二).1"}.items() <= got[[r["sourceText"] for r in got].index("2020年9月底前")].items()
    everything = rows(store, "deadlines_between")
    assert len(everything) == len(_dated(g)) and "goal" in {r["kind"] for r in everything}
    assert all(r["date"] >= "2025-01-01" for r in rows(store, "deadlines_between", **{"from": "2025-01-01"}))


def check_indicator_targets(store, g):
    got = rows(store, "indicator_targets", indicator="污水处理率")
    expected = {x for x in g.subjects(RDF.type, GK.Target)
                if "污水处理率" in str(g.value(g.value(x, GK.indicator), SKOS.prefLabel))}
    assert {URIRef(r["target"]) for r in got} == expected
    assert all("污水处理率" in r["indicatorName"] for r in got)
    # across plans: 许政〔2020〕9号 line 287 and 许政〔2020〕10号 line 429 both promise 97%
    assert {r["docNumber"] for r in got} >= {"许政〔2020〕9号", "许政〔2020〕10号"}
    assert {(r["docNumber"], r["value"], r["comparator"]) for r in got} >= {
        ("许政〔2020〕9号", "97", str(GK.AtLeast)), ("许政〔2020〕10号", "97", str(GK.AtLeast))}


def check_region_tasks(store, g):
    got = rows(store, "region_tasks", region="禹州市")
    expected = {str(t) for r in by_label(g, "禹州市") for t in g.subjects(GK.region, r)}
    assert {r["task"] for r in got} == expected and len(expected) > 10
    # sample line 393 (构建综合交通体系) names 禹州 among the four high-speed rail stations
    assert "构建综合交通体系" in {r["label"] for r in got}


def check_tasks_without_lead(store, g):
    got = rows(store, "tasks_without_lead")
    expected = {str(t) for t in tasks(g) if g.value(t, GK.leadUnit) is None}
    assert {r["task"] for r in got} == expected and len(got) == len(expected) > 0
    seven = rows(store, "tasks_without_lead", plan="许政〔2020〕7号")
    assert {r["docNumber"] for r in seven} == {"许政〔2020〕7号"}
    assert len(seven) == sum(1 for t in expected if doc(g, URIRef(t)) == "许政〔2020〕7号")


def check_plans_overview(store, g):
    got = {r["docNumber"]: r for r in rows(store, "plans_overview")}
    plans = list(g.subjects(RDF.type, GK.Plan))
    assert len(got) == len(plans) == 12
    for p in plans:
        r = got[str(g.value(p, GK.docNumber))]
        assert int(r["tasks"]) == len(set(g.subjects(GK.inPlan, p)))
        targets = set(g.objects(p, GK.hasTarget)) | {x for t in g.subjects(GK.inPlan, p) for x in g.objects(t, GK.hasTarget)}
        assert int(r["targets"]) == len(targets)
        dates = {d for d, dl, _ in _dated(g) if doc(g, _owner_of_deadline(g, URIRef(dl))) == r["docNumber"]}
        assert r["horizon"] == (max(dates) if dates else None)
    assert max(got.values(), key=lambda r: int(r["tasks"]))["docNumber"] == "许政〔2020〕10号"
    # 许政〔2020〕10号 commits as far as "到2025年" (sample line 389)
    assert got["许政〔2020〕10号"]["horizon"] == "2025-12-31"


def _owner_of_deadline(g, deadline):
    task = g.value(predicate=GK.hasDeadline, object=deadline)
    if task is not None:
        return task
    return g.value(predicate=GK.hasTarget, object=g.value(predicate=GK.dueBy, object=deadline))


def check_shared_projects(store, g):
    got = rows(store, "shared_projects")
    plans = defaultdict(set)
    for t, project in g.subject_objects(GK.mentionsProject):
        plans[project].add(g.value(t, GK.inPlan))
    expected = {str(p): len(ps) for p, ps in plans.items() if len(ps) > 1}
    assert {r["project"]: int(r["plans"]) for r in got} == expected and expected
    assert [int(r["plans"]) for r in got] == sorted((int(r["plans"]) for r in got), reverse=True)


def check_task_record(store, g, sample_lines):
    task = task_at(g, "许政〔2020〕9号", "二.(二).1")
    (r,) = rows(store, "task_record", task=str(task))
    assert r["label"] == "推进城镇污水收集和处理设施建设" and r["text"] == str(g.value(task, GK.text))
    assert "推进城镇污水收集和处理设施建设" in sample_lines[int(r["sourceLine"]) - 1]
    assert "2020-09-30 2020年9月底前" in r["deadlines"].split("；")
    assert set(r["responsibleUnits"].split("；")) == {str(g.value(u, SKOS.prefLabel)) for u in g.objects(task, GK.responsibleUnit)}
    assert int(r["targets"]) == len(set(g.objects(task, GK.hasTarget)))
    # the id: prefix works as well as the full IRI
    assert rows(store, "task_record", task="id:" + str(task)[len(str(ID)):]) == [r]


def check_units_by_level(store, g):
    got = rows(store, "units_by_level")
    level = {r["name"]: r["unitLevel"] for r in got}
    assert len(got) == len(set(g.subjects(RDF.type, GK.Unit)))
    assert (level["市生态环境局"], level["禹州市人民政府"], level["各县〔市、区〕政府〔管委会〕"], level["许昌海关"],
            level["许昌市人民政府"]) == ("市级", "县级", "统称", "其他", "市级")
    county = rows(store, "units_by_level", level="县级")
    assert {r["name"] for r in county} == {n for n, lv in level.items() if lv == "县级"}
    assert all(r["level"] == "县级" for r in county)


def check_regions_ranked(store, g):
    got = rows(store, "regions_ranked")
    assert {r["region"]: int(r["tasks"]) for r in got} == {
        str(r): len(set(g.subjects(GK.region, r))) for r in g.subjects(RDF.type, GK.Region)}
    assert [int(r["tasks"]) for r in got] == sorted((int(r["tasks"]) for r in got), reverse=True)
    assert next(r for r in got if r["name"] == "禹州市")["adminCode"] == "411081"  # GB/T 2260


def check_plan_targets(store, g):
    got = rows(store, "plan_targets", plan="许政〔2020〕11号")
    plan = plan_of_doc(g, "许政〔2020〕11号")
    goals = set(g.objects(plan, GK.hasTarget))
    in_tasks = {x for t in g.subjects(GK.inPlan, plan) for x in g.objects(t, GK.hasTarget)}
    assert {URIRef(r["target"]) for r in got} == goals | in_tasks and len(got) == len(goals | in_tasks)
    assert [r["level"] for r in got] == ["goal"] * len(goals) + ["task"] * len(in_tasks)
    # 主要目标 of 许政〔2020〕11号 (line 553): 完成营造林面积60万亩 by 2025
    assert {"value": "60", "unitOfMeasure": "万亩", "dueDate": "2025-12-31"}.items() <= got[0].items()


def check_plan_deadlines_by_month(store, g):
    got = rows(store, "plan_deadlines_by_month", plan="许政〔2020〕9号")
    plan = plan_of_doc(g, "许政〔2020〕9号")
    months = defaultdict(set)
    for t in g.subjects(GK.inPlan, plan):
        for d in g.objects(t, GK.hasDeadline):
            months[str(g.value(d, GK.date))[:7]].add(d)
    assert {r["month"]: int(r["deadlines"]) for r in got} == {m: len(ds) for m, ds in months.items()}
    assert [r["month"] for r in got] == sorted(months) and "2020-09" in months  # 2020年9月底前, line 285


def check_keyword_tasks(store, g):
    got = rows(store, "keyword_tasks", keyword="污水")
    expected = {str(t) for t in tasks(g) if "污水" in str(g.value(t, GK.text))}
    assert {r["task"] for r in got} == expected and len(got) == len(expected) > 5
    in_plan = rows(store, "keyword_tasks", keyword="污水", plan="许政〔2020〕10号")
    assert {r["task"] for r in in_plan} == {t for t in expected if doc(g, URIRef(t)) == "许政〔2020〕10号"} != set()


def check_percentage_targets(store, g):
    got = rows(store, "percentage_targets")
    expected = set(g.subjects(GK.unitOfMeasure, Literal("%")))
    assert {URIRef(r["target"]) for r in got} == expected and len(got) == len(expected) > 20
    high = rows(store, "percentage_targets", min="90")
    assert {URIRef(r["target"]) for r in high} == {x for x in expected if float(g.value(x, GK.value)) >= 90}
    assert [float(r["value"]) for r in high] == sorted((float(r["value"]) for r in high), reverse=True)


def check_plan_goals(store, g):
    got = rows(store, "plan_goals")
    expected = {x for p in g.subjects(RDF.type, GK.Plan) for x in g.objects(p, GK.hasTarget)}
    assert {URIRef(r["target"]) for r in got} == expected and len(got) == len(expected) > 10
    one = rows(store, "plan_goals", plan="许政〔2020〕17号")
    assert {URIRef(r["target"]) for r in one} == set(g.objects(plan_of_doc(g, "许政〔2020〕17号"), GK.hasTarget)) != set()


def check_multi_deadline_tasks(store, g):
    got = rows(store, "multi_deadline_tasks")
    expected = {str(t): len(set(g.objects(t, GK.hasDeadline))) for t in tasks(g)}
    assert {r["task"]: int(r["deadlines"]) for r in got} == {t: n for t, n in expected.items() if n > 1}
    # sample line 285: 2020年9月底前 … 2020年12月底前 … 2021年12月底前
    staged = next(r for r in got if r["task"] == str(task_at(g, "许政〔2020〕9号", "二.(二).1")))
    assert (staged["deadlines"], staged["first"], staged["last"]) == ("3", "2020-09-30", "2021-12-31")


def check_co_responsible_units(store, g):
    pairs = Counter()
    for t in tasks(g):
        named = sorted({str(g.value(u, SKOS.prefLabel)) for u in units_of(g, t)})
        pairs.update((a, b) for i, a in enumerate(named) for b in named[i + 1:])
    got = rows(store, "co_responsible_units")
    assert {(r["nameA"], r["nameB"]): int(r["sharedTasks"]) for r in got} == dict(pairs)
    mine = rows(store, "co_responsible_units", unit="市生态环境局", min="3")
    assert {(r["nameA"], r["nameB"]) for r in mine} == {p for p, n in pairs.items() if "市生态环境局" in p and n >= 3} != set()


def check_gazette_provenance(store, g, sample_file):
    (r,) = rows(store, "gazette_provenance")
    assert r["fileName"] == sample_file.name
    assert r["sha256"] == hashlib.sha256(sample_file.read_bytes()).hexdigest()
    assert (r["title"], r["plans"]) == ("许昌市人民政府公报", "12")


def check_plan_tasks(store, g):
    got = rows(store, "plan_tasks", plan="许政〔2020〕7号")
    plan = plan_of_doc(g, "许政〔2020〕7号")
    assert {URIRef(r["task"]) for r in got} == set(g.subjects(GK.inPlan, plan))
    assert [int(r["sourceLine"]) for r in got] == sorted(int(r["sourceLine"]) for r in got)
    for r in got:
        assert int(r["deadlines"]) == len(set(g.objects(URIRef(r["task"]), GK.hasDeadline)))


def check_plan_units(store, g):
    got = rows(store, "plan_units", plan="许政〔2020〕9号")
    plan = plan_of_doc(g, "许政〔2020〕9号")
    lead = Counter(u for t in g.subjects(GK.inPlan, plan) for u in set(g.objects(t, GK.leadUnit)))
    shared = Counter(u for t in g.subjects(GK.inPlan, plan) for u in set(g.objects(t, GK.responsibleUnit)))
    assert {URIRef(r["unit"]): (int(r["lead"]), int(r["responsible"])) for r in got} == {
        u: (lead[u], shared[u]) for u in set(lead) | set(shared)}


def check_find_units(store, g):
    got = rows(store, "find_units", text="发改")
    assert [(r["name"], r["altLabels"]) for r in got] == [("市发展和改革委员会", "市发改委")]
    county = rows(store, "find_units", text="县")
    assert {r["unit"] for r in county} == {str(u) for u in g.subjects(RDF.type, GK.Unit)
                                           if any("县" in n for n in names_of(g, u))}


def check_project_tasks(store, g):
    got = rows(store, "project_tasks", project="高速")
    expected = {(str(t), str(p)) for t, p in g.subject_objects(GK.mentionsProject)
                if "高速" in str(g.value(p, SKOS.prefLabel))}
    assert {(r["task"], r["projectIri"]) for r in got} == expected != set()


def check_range_targets(store, g):
    got = rows(store, "range_targets")
    expected = set(g.subjects(GK.valueLow, None))
    assert {URIRef(r["target"]) for r in got} == expected != set()
    assert all(float(r["valueLow"]) < float(r["value"]) for r in got)
    # sample line 557: 原则每侧栽植1—2行
    assert ("1", "2", "行") in {(r["valueLow"], r["value"], r["unitOfMeasure"]) for r in got}


def check_task_graph(store, g):
    task = task_at(g, "许政〔2020〕10号", "二.(一).3")
    result = run(store, "task_graph", {"task": str(task)})
    assert isinstance(result, GraphResult)
    got = {(t.subject.value, t.predicate.value, t.object.value) for t in result.triples}
    own = {(str(task), str(p), str(o)) for p, o in g.predicate_objects(task)}
    assert own <= got
    lead = g.value(task, GK.leadUnit)
    assert (str(lead), str(SKOS.prefLabel), "市发展和改革委员会") in got
    described = (SKOS.prefLabel, DCTERMS.title, GK.date, GK.value, GK.unitOfMeasure)
    assert {s for s, _, _ in got} == {str(task)} | {str(o) for _, o in g.predicate_objects(task)
                                                     if any((o, p, None) in g for p in described)}


def check_unit_known(store, g):
    assert run(store, "unit_known", {"unit": "市发改委"}) == AskResult(True)
    assert run(store, "unit_known", {"unit": "市不存在局"}) == AskResult(False)


def check_conflicts(linked_store, linked_graph):
    g = linked_graph
    rank = {"high": 0, "medium": 1, "low": 2}
    expected = {(str(c), str(g.value(c, GK.conflictKind)), str(g.value(c, GK.severity)), len(set(g.objects(c, GK.involves))))
                for c in g.subjects(RDF.type, GK.Conflict)}
    got = rows(linked_store, "conflicts")
    assert {(r["conflict"], r["conflictKind"], r["severity"], int(r["items"])) for r in got} == expected
    assert len(got) == len(expected) and [rank[r["severity"]] for r in got] == sorted(rank[r["severity"]] for r in got)
    mine = {r["conflict"].rsplit("/", 1)[-1]: r for r in got}
    assert (mine["test-value"]["comment"], mine["test-value"]["commentEn"]) == ("两方案污水处理率目标不同",
                                                                                "Two plans set different rates")
    only = rows(linked_store, "conflicts", kind="gk:DeadlineConflict")
    assert {r["conflict"] for r in only} == {c for c, k, _, _ in expected if k == str(GK.DeadlineConflict)}
    assert str(ID) + "conflict/test-deadline" in {r["conflict"] for r in only}


def check_related_tasks(linked_store, linked_graph):
    g = linked_graph
    a = task_at(g, "许政〔2020〕9号", "二.(二).1")
    b = task_at(g, "许政〔2020〕10号", "二.(二).2.p3")
    for task in (a, b):  # gk:relatedTo is symmetric but stated once: both ends find the link
        related = set(g.objects(task, GK.relatedTo)) | set(g.subjects(GK.relatedTo, task))
        expected = {(str(r), str(g.value(e, GK.basis)), float(g.value(e, GK.score))) for r in related
                    for e in set(g.subjects(GK.evidenceFor, task)) & set(g.subjects(GK.evidenceFor, r))}
        got = rows(linked_store, "related_tasks", task=str(task))
        assert {(r["related"], r["basis"], float(r["score"])) for r in got} == expected
        assert (str(b if task == a else a), "indicator", 0.8) in expected  # LINKING_TTL's evidence
        mine = next(r for r in got if r["score"] == "0.8")
        assert set(mine["sharedTerms"].split("；")) == {"污水处理率", "97%"}
        assert [float(r["score"]) for r in got] == sorted((float(r["score"]) for r in got), reverse=True)


# ---------------------------------------------------------------- the tests

LINKING_TTL = """
@prefix gk: <https://w3id.org/gazettekg/ontology#> .
@base <https://w3id.org/gazettekg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<conflict/test-deadline> a gk:Conflict ; gk:conflictKind gk:DeadlineConflict ; gk:severity "low" ;
    gk:involves <task/xuzheng-2020-9/2-2-1> , <task/xuzheng-2020-10/2-2-2-p3> .
<conflict/test-value> a gk:Conflict ; gk:conflictKind gk:ValueConflict ; gk:severity "high" ;
    rdfs:comment "两方案污水处理率目标不同"@zh , "Two plans set different rates"@en ;
    gk:involves <target/xuzheng-2020-9/2-2-1/1> , <target/xuzheng-2020-10/2-2-2-p3/1> .
<task/xuzheng-2020-9/2-2-1> gk:relatedTo <task/xuzheng-2020-10/2-2-2-p3> .
[] a gk:RelationEvidence ; gk:evidenceFor <task/xuzheng-2020-9/2-2-1> , <task/xuzheng-2020-10/2-2-2-p3> ;
    gk:basis "indicator" ; gk:score "0.8"^^xsd:decimal ; gk:sharedTerm "污水处理率" , "97%" .
"""


@pytest.fixture(scope="module")
def linked_graph(sample_build):
    """The sample plus hand-written linking findings shaped as vocabulary.md says, so the
    two linking queries have known rows whatever the linker finds (a language-tagged
    comment pair, a blank-node evidence)."""
    from rdflib import Graph
    graph = Graph()
    graph += sample_build.graph
    return graph.parse(data=LINKING_TTL, format="turtle")


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory, linked_graph):
    from kg_build.pipeline import sorted_ntriples
    from queries.engines import open_store
    path = tmp_path_factory.mktemp("linked") / "store"
    publish(sorted_ntriples(linked_graph), path, {"inputs": ["sample + LINKING_TTL"]})
    return open_store(path)


def test_library_size_and_forms():
    assert len(LIBRARY) >= 22 and list(LIBRARY) == sorted(LIBRARY)
    assert {q.form for q in LIBRARY.values()} == {"SELECT", "ASK", "CONSTRUCT"}
    assert {p.type for q in LIBRARY.values() for p in q.params} == {"iri", "string", "date", "integer", "decimal"}


def test_every_query_has_a_check():
    assert sorted(n for n in LIBRARY if f"check_{n}" not in globals()) == []


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_query_answers_the_sample(name, request):
    check = globals()[f"check_{name}"]
    fixtures = [a for a in check.__code__.co_varnames[:check.__code__.co_argcount]]
    check(*(request.getfixturevalue(f) for f in fixtures))


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_header(name):
    q = LIBRARY[name]
    assert q.name == name == q.source.stem and q.title_zh and q.title_en and len(q.description) > 30
    assert not any("\u4e00" <= c <= "\u9fff" for c in q.title_en)
    assert any("\u4e00" <= c <= "\u9fff" for c in q.title_zh)
    for p in q.params:
        assert f"?{p.name}" in q.text and p.description
    if q.form == "SELECT":  # Oxigraph binds only projected variables
        head = q.text.split("WHERE", 1)[0]
        assert all(f"?{p.name}" in head for p in q.params), "every parameter must be a result column"


GOOD = """# name: demo
# title: 示例 | Demo
# description: A demo.
#
# param: day date 2020-12-31 optional — a day
SELECT ?x ?day WHERE { ?x ?p ?day }
"""


def test_parse_header():
    q = parse_query(GOOD, "demo")
    assert (q.title_zh, q.title_en, q.form, q.description) == ("示例", "Demo", "SELECT", "A demo.")
    assert [(p.name, p.type, p.example, p.optional) for p in q.params] == [("day", "date", "2020-12-31", True)]


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("# name: demo", "# name: other"), "differs from the file name"),
    (GOOD.replace("# name: demo\n", ""), "no '# name:' line"),
    (GOOD.replace("示例 | Demo", "Demo only"), "中文标题 | English title"),
    (GOOD.replace(" date ", " datetime "), "type 'datetime'"),
    (GOOD.replace("2020-12-31 optional", "2020-13-31 optional"), "bad example"),
    (GOOD.replace("# param: day", "# param: week"), "never uses ?week"),
    (GOOD.replace(" — a day", " a day"), "expected '# param: NAME TYPE"),
    (GOOD.replace("# description:", "# summary:"), "expected '# name|title|description|param"),
    (GOOD.replace("SELECT", "INSERT"), "expected SELECT, ASK"),
    (GOOD.replace("# param:", "# param: day date 2020-01-01 — again\n# param:"), "declared twice"),
])
def test_malformed_header_fails_loudly(text, message):
    with pytest.raises(LibraryError, match=message.replace("|", r"\|").replace("?", r"\?")):
        parse_query(text, "demo")


def test_malformed_file_fails_the_whole_load(tmp_path):
    from queries.library import load_directory
    (tmp_path / "demo.rq").write_text(GOOD, encoding="utf-8")
    assert list(load_directory(tmp_path)) == ["demo"]
    (tmp_path / "broken.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(LibraryError, match="broken.rq"):
        load_directory(tmp_path)


@pytest.mark.parametrize("name, raw, message", [
    ("unit_tasks", {}, "needs parameter"),
    ("unit_tasks", {"unit": "x", "colour": "red"}, "has no parameter 'colour'"),
    ("deadlines_between", {"from": "2020-02-30"}, "not a date"),
    ("deadlines_between", {"to": "31/12/2020"}, "not a date"),
    ("co_responsible_units", {"min": "3.5"}, "not an integer"),
    ("percentage_targets", {"min": "ninety"}, "not a decimal"),
    ("task_record", {"task": "not an iri"}, "not an IRI"),
    ("task_record", {"task": "http://x/> } ; DROP ALL ; <http://y"}, "not an IRI"),
])
def test_bad_params(name, raw, message):
    with pytest.raises(ParamError, match=message):
        LIBRARY[name].bindings(raw)


def test_param_conversion():
    b = LIBRARY["deadlines_between"].bindings({"from": "2020-06-01", "to": ""})
    assert b == {"from": ox.Literal("2020-06-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))}
    assert LIBRARY["co_responsible_units"].bindings({"min": "3"})["min"].datatype.value.endswith("#integer")
    assert LIBRARY["percentage_targets"].bindings({"min": "97.5"})["min"].datatype.value.endswith("#decimal")
    assert LIBRARY["conflicts"].bindings({"kind": "gk:ScopeConflict"})["kind"] == ox.NamedNode(str(GK.ScopeConflict))


def test_unknown_query_name(store):
    with pytest.raises(LibraryError, match="no library query named 'nope'"):
        run(store, "nope", {})


INJECTIONS = ['" } ; DROP ALL ; #', "') } UNION { ?s ?p ?o } #", '市生态环境局" || true || "', "\\u0022 } #",
              '"""\n} ; CLEAR DEFAULT']


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_is_a_literal(store, value):
    assert run(store, "unit_known", {"unit": value}) == AskResult(False)
    assert run(store, "unit_tasks", {"unit": value}).rows == []
    (row,) = run(store, "find_units", {"text": "发改"}).rows  # the store is untouched
    result = run(store, "keyword_tasks", {"keyword": value})
    assert result.rows == []
    assert len(store) > 5000


def test_cli_lists_and_runs_the_library(sample_store, capsys):
    import json
    from gazettekg.cli import main
    assert main(["queries", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [q["name"] for q in listed] == sorted(LIBRARY)
    assert main(["query", "unit_tasks", "--param", "unit=市生态环境局", "--param", "role=lead",
                 "--store", str(sample_store.path), "--format", "tsv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "梯次推进农村生活污水治理" in out[1]
    assert main(["query", "deadlines_between", "--param", "from=2020/06/01", "--store", str(sample_store.path)]) == 2
    assert "not a date" in capsys.readouterr().err
