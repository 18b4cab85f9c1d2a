"""SHACL shapes and the validation report, on small hand-written graphs.

GOOD is a complete, valid graph that uses every class of the data model once. Each
case below changes it in one place (remove some triples, add some Turtle) and states
the one finding that change must produce; the test fails on any other finding, so a
shape that starts firing on good data is caught too.
"""
from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
import rdflib.namespace as rns

from kg_build.validation import Finding, ValidationReport, validate
from ontology.namespaces import GK, ID, PREFIXES, RDF, declared_terms

HEAD = """
@base <https://w3id.org/gazettekg/id/> .
@prefix gk: <https://w3id.org/gazettekg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

GOOD = HEAD + """
<gazette/xuchang-2020-02> a gk:Gazette ; dcterms:title "许昌市人民政府公报2020年第2期" ;
    gk:fileName "xuchang-gazette-2020-02.txt" ;
    gk:sha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" .

<plan/xuzheng-2020-7> a gk:Plan ; gk:docNumber "许政〔2020〕7号" ;
    dcterms:title "许昌市污水处理提质增效三年行动实施方案" ;
    gk:noticeTitle "许昌市人民政府关于印发许昌市污水处理提质增效三年行动实施方案的通知" ;
    dcterms:issued "2020-03-02"^^xsd:date ; gk:issuedBy <unit/xuchang-gov> ;
    gk:publishedIn <gazette/xuchang-2020-02> ; gk:sourceLine 40 ;
    gk:hasTarget <target/xuzheng-2020-7/goal-1> .

<task/xuzheng-2020-7/2-1-3> a gk:Task ; gk:inPlan <plan/xuzheng-2020-7> ;
    gk:sectionPath "二.(一).3" ; rdfs:label "加快污水管网建设" ;
    gk:text "2020年底前，新建污水管网50公里以上。（牵头单位：市住建局；责任单位：禹州市政府）" ;
    gk:sourceLine 57 ; gk:endLine 59 ;
    gk:leadUnit <unit/xuchang-zhujianju> ; gk:responsibleUnit <unit/yuzhou-gov> ;
    gk:region <region/411081> ; gk:hasDeadline <deadline/2020-12-31> ;
    gk:hasTarget <target/xuzheng-2020-7/2-1-3/1> ; gk:mentionsProject <project/ruibeika-wsc> ;
    gk:relatedTo <task/xuzheng-2020-9/3-2> .

<task/xuzheng-2020-9/3-2> a gk:Task ; gk:inPlan <plan/xuzheng-2020-7> ;
    gk:sectionPath "三.2" ; rdfs:label "管网建设" ; gk:text "新建污水管网40公里。（责任单位：市住建局）" ;
    gk:sourceLine 80 ; gk:responsibleUnit <unit/xuchang-zhujianju> ;
    gk:relatedTo <task/xuzheng-2020-7/2-1-3> ; gk:hasTarget <target/xuzheng-2020-9/3-2/1> .

<unit/xuchang-gov> a gk:Unit ; skos:prefLabel "许昌市人民政府" ; gk:unitLevel "市级" .
<unit/xuchang-zhujianju> a gk:Unit ; skos:prefLabel "市住建局" ; skos:altLabel "市住房城乡建设局" .
<unit/yuzhou-gov> a gk:Unit ; skos:prefLabel "禹州市政府" .

<region/411081> a gk:Region , dcterms:Location ; skos:prefLabel "禹州市" ; skos:altLabel "禹州" ;
    gk:adminCode "411081" .

<deadline/2020-12-31> a gk:Deadline ; gk:date "2020-12-31"^^xsd:date ; gk:sourceText "2020年底前" .

<target/xuzheng-2020-7/2-1-3/1> a gk:Target ; gk:value 50.0 ; gk:unitOfMeasure "公里" ;
    gk:comparator gk:AtLeast ; gk:indicator <indicator/new-sewer-length> ;
    gk:sourceText "新建污水管网50公里以上" ; gk:dueBy <deadline/2020-12-31> .
<target/xuzheng-2020-9/3-2/1> a gk:Target ; gk:value 40.0 ; gk:unitOfMeasure "公里" ;
    gk:comparator gk:Exactly ; gk:indicator <indicator/new-sewer-length> .
<target/xuzheng-2020-7/goal-1> a gk:Target ; gk:value 95.0 ; gk:valueLow 90.0 ; gk:unitOfMeasure "%" ;
    gk:comparator gk:AtLeast ; gk:indicator <indicator/sewage-treatment-rate> ; gk:sourceLine 45 ;
    gk:sourceText "城市生活污水集中收集率达到90%—95%" .
<target/xuzheng-2020-7/goal-2> a gk:Target ; gk:value 12.0 ; gk:unitOfMeasure "家" ;
    gk:comparator gk:Approximately ; gk:sourceLine 46 .

<indicator/new-sewer-length> a gk:Indicator ; skos:prefLabel "新建污水管网长度" .
<indicator/sewage-treatment-rate> a gk:Indicator ; skos:prefLabel "污水集中收集率" .
<project/ruibeika-wsc> a gk:Project ; skos:prefLabel "瑞贝卡污水处理厂" .

<conflict/1> a gk:Conflict ;
    gk:involves <target/xuzheng-2020-7/2-1-3/1> , <target/xuzheng-2020-9/3-2/1> ;
    rdfs:comment "两份方案对新建污水管网长度的要求不同（50公里以上与40公里）。"@zh ,
                 "The two plans ask for different lengths of new sewer (at least 50 km vs 40 km)."@en ;
    gk:conflictKind gk:ValueConflict ; gk:severity "medium" .

<evidence/1> a gk:RelationEvidence ;
    gk:evidenceFor <task/xuzheng-2020-7/2-1-3> , <task/xuzheng-2020-9/3-2> ;
    gk:score 0.82 ; gk:basis "indicator" ; gk:sharedTerm "污水管网" .
"""

TASK = "task/xuzheng-2020-7/2-1-3"
TARGET = "target/xuzheng-2020-7/2-1-3/1"
GOAL_COUNT = "target/xuzheng-2020-7/goal-2"


def good() -> Graph:
    return Graph().parse(data=GOOD, format="turtle")


def mutated(remove: tuple[tuple[str, URIRef], ...] = (), add: str = "") -> Graph:
    """GOOD with every (entity, predicate) in `remove` dropped and Turtle `add` added."""
    g = good()
    for entity, predicate in remove:
        g.remove((ID[entity], predicate, None))
    if add:
        g.parse(data=HEAD + add, format="turtle")
    return g


def only(report: ValidationReport) -> Finding:
    assert len(report.findings) == 1, report.format_table()
    return report.findings[0]


def test_good_graph_conforms_without_findings():
    report = validate(good())
    assert report.findings == [], report.format_table()
    assert report.conforms
    assert report.counts == {"Violation": 0, "Warning": 0, "Info": 0}


def test_good_graph_uses_only_declared_terms():
    g = good()
    used = set(g.predicates()) | set(g.objects(None, RDF.type))
    assert used - declared_terms() == set()


CASES = {
    # name: (remove, add, severity, entity, path, message fragment)
    "task without unit": (
        ((TASK, GK.leadUnit), (TASK, GK.responsibleUnit)), "",
        "Warning", TASK, "gk:leadUnit|gk:responsibleUnit", "no stated unit"),
    "plan without issue date": (
        (("plan/xuzheng-2020-7", URIRef("http://purl.org/dc/terms/issued")),), "",
        "Warning", "plan/xuzheng-2020-7", "dcterms:issued", "no issue date"),
    "target without value": (
        ((TARGET, GK.value),), "",
        "Violation", TARGET, "gk:value", "value"),
    "deadline in 1900": (
        (("deadline/2020-12-31", GK.date),), '<deadline/2020-12-31> gk:date "1900-06-30"^^xsd:date .',
        "Violation", "deadline/2020-12-31", "gk:date", "1949"),
    "deadline after 2100": (
        (("deadline/2020-12-31", GK.date),), '<deadline/2020-12-31> gk:date "2101-01-01"^^xsd:date .',
        "Violation", "deadline/2020-12-31", "gk:date", "2100"),
    "120 percent": (
        (("target/xuzheng-2020-7/goal-1", GK.value),), "<target/xuzheng-2020-7/goal-1> gk:value 120.0 .",
        "Violation", "target/xuzheng-2020-7/goal-1", "gk:value", "Percentage above 100"),
    "120 percent growth": (
        (), '<target/x/growth> a gk:Target ; gk:value 120.0 ; gk:unitOfMeasure "%" ; '
            'gk:comparator gk:AtLeast ; gk:sourceText "投资增长120%以上" ; gk:sourceLine 70 .',
        "Warning", "target/x/growth", "gk:value", "Growth rate above 100%"),
    "zero 家": (
        ((GOAL_COUNT, GK.value),), f"<{GOAL_COUNT}> gk:value 0.0 .",
        "Violation", GOAL_COUNT, "gk:value", "count must be positive"),
    "negative lower 个": (
        (), '<target/x/range> a gk:Target ; gk:value 2.0 ; gk:valueLow -1.0 ; gk:unitOfMeasure "个" ; '
            'gk:comparator gk:Exactly .',
        "Violation", "target/x/range", "gk:valueLow", "count must be positive"),
    "comparator outside the four": (
        ((TARGET, GK.comparator),), f"<{TARGET}> gk:comparator gk:MoreOrLess .",
        "Violation", TARGET, "gk:comparator", "comparator"),
    "value as xsd:double": (
        ((TARGET, GK.value),), f'<{TARGET}> gk:value "50.0"^^xsd:double .',
        "Violation", TARGET, "gk:value", "decimal"),
    "lower value above value": (
        (("target/xuzheng-2020-7/goal-1", GK.valueLow),), "<target/xuzheng-2020-7/goal-1> gk:valueLow 99.0 .",
        "Violation", "target/xuzheng-2020-7/goal-1", "gk:valueLow", "lower value"),
    "task without plan": (
        ((TASK, GK.inPlan),), "",
        "Violation", TASK, "gk:inPlan", "Plan"),
    "task in two plans": (
        (), f"<{TASK}> gk:inPlan <plan/other> . <plan/other> a gk:Plan ; dcterms:title \"x\" ; "
            "dcterms:issued \"2020-01-01\"^^xsd:date ; gk:publishedIn <gazette/xuchang-2020-02> ; gk:sourceLine 1 .",
        "Violation", TASK, "gk:inPlan", "exactly one"),
    "task end line before start": (
        ((TASK, GK.endLine),), f"<{TASK}> gk:endLine 50 .",
        "Violation", TASK, "gk:sourceLine", "end line"),
    "task label with language tag": (
        ((TASK, URIRef("http://www.w3.org/2000/01/rdf-schema#label")),), f'<{TASK}> rdfs:label "管网"@zh .',
        "Violation", TASK, "rdfs:label", "label"),
    "lead unit is a region": (
        ((TASK, GK.leadUnit),), f"<{TASK}> gk:leadUnit <region/411081> .",
        "Violation", TASK, "gk:leadUnit", "gk:Unit"),
    "bad sha256": (
        (("gazette/xuchang-2020-02", GK.sha256),), '<gazette/xuchang-2020-02> gk:sha256 "ABC" .',
        "Violation", "gazette/xuchang-2020-02", "gk:sha256", "SHA-256"),
    "five-digit region code": (
        (("region/411081", GK.adminCode),), '<region/411081> gk:adminCode "41108" .',
        "Violation", "region/411081", "gk:adminCode", "6 digits"),
    "unit with two preferred labels": (
        (), '<unit/yuzhou-gov> skos:prefLabel "禹州市人民政府" .',
        "Violation", "unit/yuzhou-gov", "skos:prefLabel", "exactly one"),
    "conflict with English comment only": (
        (("conflict/1", URIRef("http://www.w3.org/2000/01/rdf-schema#comment")),),
        '<conflict/1> rdfs:comment "Lengths differ."@en .',
        "Violation", "conflict/1", "rdfs:comment", "Chinese"),
    "conflict involving one commitment": (
        (("conflict/1", GK.involves),), f"<conflict/1> gk:involves <{TARGET}> .",
        "Violation", "conflict/1", "gk:involves", "two or more"),
    "conflict with unknown severity": (
        (("conflict/1", GK.severity),), '<conflict/1> gk:severity "critical" .',
        "Violation", "conflict/1", "gk:severity", "high, medium or low"),
    "evidence score above 1": (
        (("evidence/1", GK.score),), "<evidence/1> gk:score 1.5 .",
        "Violation", "evidence/1", "gk:score", "0..1"),
    "a fifth comparator individual": (
        (), "gk:Bigger a gk:Comparator .",
        "Violation", str(GK.Bigger), None, "four declared comparators"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_change_gives_one_finding(name):
    remove, add, severity, entity, path, fragment = CASES[name]
    report = validate(mutated(remove, add))
    finding = only(report)
    assert (finding.severity, finding.entity, finding.path) == (severity, entity, path)
    assert fragment in finding.message
    assert report.conforms is (severity != "Violation")


def test_warning_only_graph_conforms_but_is_counted():
    report = validate(mutated(((TASK, GK.leadUnit), (TASK, GK.responsibleUnit))))
    assert report.conforms
    assert report.counts == {"Violation": 0, "Warning": 1, "Info": 0}


def test_plain_and_xsd_string_literals_both_pass():
    plain, typed = good(), Graph()
    for s, p, o in plain:
        if isinstance(o, Literal) and o.datatype is None and o.language is None:
            o = Literal(str(o), datatype=rns.XSD.string)
        typed.add((s, p, o))
    assert sum(1 for o in typed.objects() if getattr(o, "datatype", None) == rns.XSD.string) > 20
    assert validate(plain).findings == []
    assert validate(typed).findings == []


def test_oxigraph_round_trip_validates_the_same():
    g = mutated(((TARGET, GK.value),), "<conflict/1> gk:severity \"high\" .")
    store = pyoxigraph.Store()
    store.load(g.serialize(format="nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    exported = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    back = Graph().parse(data=exported.decode(), format="nt")
    assert validate(back).to_dict() == validate(g).to_dict()


def test_findings_are_sorted_and_located_at_the_owning_task():
    g = mutated(
        ((TARGET, GK.value), (TASK, GK.leadUnit), (TASK, GK.responsibleUnit),
         ("deadline/2020-12-31", GK.date)),
        "<deadline/2020-12-31> gk:date \"1900-01-01\"^^xsd:date .",
    )
    report = validate(g)
    keys = [(f.severity, f.line, f.entity) for f in report.findings]
    assert keys == [
        ("Violation", 57, "deadline/2020-12-31"),
        ("Violation", 57, TARGET),
        ("Warning", 57, TASK),
    ]
    assert validate(g).findings == report.findings


def test_format_table_shows_the_owning_task_line():
    table = validate(mutated(((TARGET, GK.value),))).format_table()
    header, rule, row, summary = table.splitlines()
    assert header.split() == ["severity", "entity", "line", "property", "value", "message"]
    assert row.split()[:4] == ["Violation", TARGET, "57", "gk:value"]
    assert header.index("line") == row.index("57")   # columns are aligned
    assert summary == "1 Violation(s), 0 Warning(s), 0 Info(s)."


def test_unit_finding_is_located_at_the_first_task_naming_it():
    finding = only(validate(mutated((), '<unit/yuzhou-gov> skos:prefLabel "禹州市人民政府" .')))
    assert finding.line == 57


def test_to_dict_is_plain_data():
    data = validate(mutated(((TARGET, GK.value),))).to_dict()
    assert data["conforms"] is False and data["counts"]["Violation"] == 1
    (finding,) = data["findings"]
    assert finding["entity"] == TARGET and finding["line"] == 57
    assert finding["shape"] == "gk:TargetShape" and finding["severity"] == "Violation"


def test_prefixes_serve_sparql_over_a_good_graph():
    rows = good().query(PREFIXES + "SELECT ?t WHERE { ?t a gk:Task ; gk:leadUnit ?u }")
    assert [str(r.t) for r in rows] == [str(ID[TASK])]
