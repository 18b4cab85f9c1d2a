"""Evidence a researcher can read: shared terms are whole jieba words or learned terms, topics
are nodes with the clauses that name them (sample gazette, 许政〔2020〕7–18号)."""
from __future__ import annotations

import pytest

from kg_build.linking import link
from kg_build.linking.clauses import split_clauses, task_clauses
from kg_build.linking.topics import _collect, quoted_names
from kg_build.linking.words import learn_lexicon, normalise, words
from kg_build.pipeline import read_gazette

PLAN = "xuzheng-2020-{}".format


@pytest.fixture(scope="module")
def record(sample_file):
    return read_gazette(sample_file)


@pytest.fixture(scope="module")
def result(record):
    return link([record])


@pytest.fixture(scope="module")
def lexicon(record):
    return _collect(record.plans, task_clauses(record.plans))[2]


def _segments(text: str, lexicon: frozenset[str]) -> set[str]:
    """Every word of jieba's segmentation of `text`, every run of adjacent words that is a term
    and every name in quotation marks."""
    norm = normalise(text)
    ws = [w for w, _ in words(norm)]
    out = set(ws) | {norm[a:b] for a, b in quoted_names(norm)}
    for i in range(len(ws)):
        for k in range(2, 5):
            joined = "".join(ws[i:i + k])
            if joined in lexicon:
                out.add(joined)
    return out


def test_every_shared_term_is_a_sequence_of_whole_words_of_both_clauses(result, lexicon):
    """No evidence cuts a word: each shared term of a text relation is spelt by whole segmenter
    tokens or lexicon terms, in order, in both quoted clauses."""
    checked = 0
    for r in result.relations:
        if r.basis != "text":
            continue
        for term in r.shared:
            for q in r.quotes:
                units = sorted(_segments(q.text, lexicon), key=len, reverse=True)
                assert _spelt_by(term, units), (term, q.text)
                checked += 1
    assert checked > 100


def _spelt_by(term: str, units: list[str]) -> bool:
    """Whether `term` is a concatenation of the given whole units."""
    if not term:
        return True
    return any(term.startswith(u) and _spelt_by(term[len(u):], units) for u in units if u)


def test_learned_terms_join_words_the_general_dictionary_splits(lexicon):
    assert "黑臭水体" in lexicon          # jieba alone: 黑 / 臭 / 水体
    assert not any(t.endswith(("的", "等")) or t.startswith(("的", "等", "和")) for t in lexicon)


def test_lexicon_needs_two_plans_and_cohesion():
    assert learn_lexicon([("a", "加大黑臭水体治理"), ("b", "消除黑臭水体")]) == frozenset({"黑臭水体"})
    assert learn_lexicon([("a", "加大黑臭水体治理"), ("a", "消除黑臭水体")]) == frozenset()


def test_topics_are_whole_terms_with_every_plans_clause(result, lexicon):
    topic = result.topics["黑臭水体"]
    plans = {q.task.plan_key for q in topic.mentions}
    assert {PLAN(9), PLAN(10)} <= plans
    for q in topic.mentions:
        assert "黑臭水体" in q.text and q.line >= q.task.line
    for label, topic in result.topics.items():
        named = any(label in _segments(q.text, frozenset()) for q in topic.mentions)   # a quoted name
        assert label in lexicon or (label,) == tuple(w for w, _ in words(normalise(label))) or named


def test_a_name_in_quotation_marks_links_plans_that_cite_it(result):
    """“四个一百” is segmented 四个 / 一百 (a numeral, not a noun), yet a campaign cited by name
    in two plans is one commitment: 许政〔2020〕8号 and 15号 both carry it on."""
    topic = result.topics["四个一百"]
    assert {PLAN(8), PLAN(15)} <= {q.task.plan_key for q in topic.mentions}
    assert any({r.a.plan_key, r.b.plan_key} == {PLAN(8), PLAN(15)} and "四个一百" in r.shared
               for r in result.relations)


def test_a_code_of_letters_and_digits_is_a_name_too(result):
    """5G is one term however short: 许政〔2020〕7号 builds 5G base stations, 14号 5G networks."""
    assert any({r.a.plan_key, r.b.plan_key} == {PLAN(7), PLAN(14)} and "5G" in r.shared for r in result.relations)


def test_black_odorous_water_is_one_commitment_in_9_and_10(result):
    (r,) = [r for r in result.relations if r.basis == "text" and {r.a.plan_key, r.b.plan_key} == {PLAN(9), PLAN(10)}
            and r.a.line in (289, 429) and r.b.line in (289, 429)]
    assert any("黑臭水体" in t for t in r.shared)
    assert all("黑臭水体" in q.text for q in r.quotes) and {q.line for q in r.quotes} == {289, 429}


def test_clauses_keep_a_list_under_its_verb_and_leave_out_unit_notes(record):
    (task,) = [t for p in record.plans if p.key == PLAN(10) for t in p.tasks if t.line == 393]
    clauses = [c.text for c in split_clauses(task)]
    assert "实施忠武路、省道227项目" in clauses
    assert not any("牵头单位" in c or "责任单位" in c for c in clauses)


def test_a_clause_after_a_page_break_quotes_its_own_line():
    """A task printed over two lines (10 and 12): a clause from a target on line 12 on quotes 12."""
    from kg_build.records import TargetMention, TaskRecord
    text = "加快供水管网建设。2025年供水普及率达到99%以上。（责任单位：市水利局）"
    phrase = "供水普及率达到99%以上"
    start = text.index(phrase)
    target = TargetMention(99, "%", "AtLeast", "供水普及率", phrase, start=start, end=start + len(phrase))
    task = TaskRecord("一.1", "", text, 10, 12, targets=[target], target_lines=[12])
    assert [(c.text, c.line) for c in split_clauses(task)] == [("加快供水管网建设", 10), ("2025年供水普及率达到99%以上", 10)]
    text2 = "加快供水管网建设，" + "供水普及率达到99%以上，全面提升水质。"
    start2 = text2.index(phrase)
    task2 = TaskRecord("一.1", "", text2, 10, 12, targets=[TargetMention(99, "%", "AtLeast", "供水普及率", phrase,
                                                                     start=start2, end=start2 + len(phrase))],
                       target_lines=[12])
    assert [c.line for c in split_clauses(task2)] == [10, 12, 12]


def test_topics_and_quotes_in_the_graph_pass_shacl(sample_build):
    from rdflib.namespace import RDF, SKOS
    from ontology.namespaces import GK
    g = sample_build.graph
    assert sample_build.report.counts["Violation"] == 0
    topics = set(g.subjects(RDF.type, GK.Topic))
    assert topics and all(g.value(t, SKOS.prefLabel) for t in topics)
    tasks_with_topics = set(g.subjects(GK.hasTopic, None))
    assert tasks_with_topics and all((t, RDF.type, GK.Task) in g for t in tasks_with_topics)
    ev = next(e for e in g.subjects(RDF.type, GK.RelationEvidence) if g.value(e, GK.relationKind))
    for c in g.objects(ev, GK.quotes):
        assert g.value(c, GK.clauseText) and int(g.value(c, GK.clauseLine)) > 0 and g.value(c, GK.clauseOf)
