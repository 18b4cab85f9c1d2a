"""The sample's graph speaks only the ontology's vocabulary and passes SHACL."""
from rdflib import RDF, URIRef

from ontology.namespaces import GK, ID, declared_terms


def test_graph_uses_only_declared_classes_and_properties(sample_build):
    g = sample_build.graph
    used = {p for p in g.predicates()} | {o for o in g.objects(None, RDF.type)}
    used |= {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(GK))}
    undeclared = sorted(str(t) for t in used - declared_terms())
    assert undeclared == []


def test_sample_graph_has_no_violations(sample_build):
    counts = sample_build.report.counts
    assert counts["Violation"] == 0, sample_build.report.format_table()
    # the only warnings are tasks whose plan states no unit (12号, 17号 and one 16号 task)
    assert {f.message for f in sample_build.report.findings} == {"Task has no stated unit (未注明责任单位)"}


def test_every_plan_task_and_target_has_a_source_line(sample_build):
    g = sample_build.graph
    for cls in (GK.Plan, GK.Task, GK.Target):
        for node in g.subjects(RDF.type, cls):
            line = g.value(node, GK.sourceLine)
            assert line is not None and int(line) >= 1, node


def test_gazette_records_file_name_and_sha256(sample_build, sample_file):
    import hashlib
    g = sample_build.graph
    [gz] = list(g.subjects(RDF.type, GK.Gazette))
    assert str(g.value(gz, GK.fileName)) == sample_file.name
    assert str(g.value(gz, GK.sha256)) == hashlib.sha256(sample_file.read_bytes()).hexdigest()


def test_iris_say_what_they_name(sample_build):
    g = sample_build.graph
    assert (ID["plan/xuzheng-2020-7"], RDF.type, GK.Plan) in g
    assert (ID["task/xuzheng-2020-7/2-1-3"], RDF.type, GK.Task) in g
    assert (ID["region/411082"], RDF.type, GK.Region) in g        # 长葛市, GB/T 2260 code


def test_one_unit_per_body_with_every_spelling(sample_build):
    from rdflib.namespace import SKOS
    g = sample_build.graph
    def labels(node):
        return {str(x) for x in g.objects(node, SKOS.prefLabel)} | {str(x) for x in g.objects(node, SKOS.altLabel)}
    units = [u for u in g.subjects(RDF.type, GK.Unit)]
    by_label = {}
    for u in units:
        for label in labels(u):
            assert label not in by_label, f"{label} on two units: {by_label.get(label)} and {u}"
            by_label[label] = u
    for short, full in [("市发改委", "市发展和改革委员会"), ("市工信局", "市工业和信息化局"),
                        ("市市场监管局", "市市场监督管理局"),
                        ("市自然资源与规划局", "市自然资源和规划局")]:
        assert by_label[short] == by_label[full], short
