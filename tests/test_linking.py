"""Cross-plan linking on the sample gazette (gazettekg/sample/xuchang-gazette-2020-02.txt,
许政〔2020〕7–18号). Task positions and lines below were read off the sample text."""
from __future__ import annotations

import pytest

from kg_build.linking import link
from kg_build.linking.model import TaskRef
from kg_build.pipeline import read_gazette

PLAN = "xuzheng-2020-{}".format


@pytest.fixture(scope="module")
def record(sample_file):
    return read_gazette(sample_file)


@pytest.fixture(scope="module")
def result(record):
    return link([record])


def pair_relations(result, a: tuple[str, str], b: tuple[str, str]):
    refs = lambda r: {(r.a.plan_key, r.a.path), (r.b.plan_key, r.b.path)}
    return [r for r in result.relations if refs(r) == {a, b}]


def conflicts_at(result, *lines_by_plan):
    """Conflicts whose sides cover every (plan key, line) given."""
    want = set(lines_by_plan)
    return [c for c in result.conflicts
            if want <= {((s.target or s.task).plan_key, s.line) for s in c.sides}]


SEWAGE_7 = (PLAN(7), "二.(二).5")        # line 82: 新建…三达污水处理厂三期; 对瑞贝卡污水处理厂一二期…提标改造
SEWAGE_9 = (PLAN(9), "二.(二).1")        # line 285-287: 三达污水处理厂三期工程建设; 污水处理率97%、93%
SEWAGE_10 = (PLAN(10), "二.(二).2.p3")   # line 429: 抓好瑞贝卡污水处理厂一二期工程…提标改造


def test_sewage_plant_upgrades_linked_across_7_9_10(result):
    for a, b in ((SEWAGE_7, SEWAGE_9), (SEWAGE_7, SEWAGE_10), (SEWAGE_9, SEWAGE_10)):
        assert pair_relations(result, a, b), f"{a} and {b} are not linked"
    (by_project,) = [r for r in pair_relations(result, SEWAGE_7, SEWAGE_10) if r.basis == "project"]
    assert {"瑞贝卡污水处理厂", "宏源污水处理厂", "屯南污水处理厂"} <= set(by_project.shared)
    assert 0 < by_project.score <= 1
    qa, qb = by_project.quotes      # in each task, the first clause naming a shared plant, with its line
    assert all(any(p in q.text for p in by_project.shared) for q in (qa, qb)) and {qa.line, qb.line} == {82, 429}


def test_one_project_for_its_spellings(result):
    rbk = [p for p in result.projects.values() if p.label == "瑞贝卡污水处理厂一二期"]
    assert len(rbk) == 1
    assert {"瑞贝卡污水处理厂一二期", "瑞贝卡污水处理厂一二期工程"} <= rbk[0].spellings
    hongyuan = [p for p in result.projects.values() if p.label == "宏源污水处理厂"]
    assert len(hongyuan) == 1 and "魏都区宏源污水处理厂" in hongyuan[0].spellings


def test_high_tech_enterprise_divergence_between_14_and_18_is_low(result):
    """300家以上 and 500家左右 by 2022 can both hold (500 is above 300): listed, as low, saying why."""
    (c,) = conflicts_at(result, (PLAN(14), 793), (PLAN(18), 1283))
    assert c.kind == "ValueConflict" and c.severity == "low"
    for comment in (c.comment_zh, c.comment_en):
        assert "300" in comment and "500" in comment and "793" in comment and "1283" in comment
        assert "许政〔2020〕14号" in comment and "许政〔2020〕18号" in comment
    assert "高新技术企业" in c.subject
    assert "同时成立" in c.reason_zh and "can all hold" in c.reason_en


def test_body_and_attachment_disagree_within_18_is_internal(result):
    # line 1291 (body) says 170家以上, line 1369 (attachment table) 100家以上, same task 三.(二).4
    (c,) = conflicts_at(result, (PLAN(18), 1291), (PLAN(18), 1369))
    assert c.kind == "InternalConflict" and c.key.startswith("internal/")
    assert "170" in c.comment_zh and "100" in c.comment_zh
    assert "同一方案" in c.reason_zh and "one plan" in c.reason_en


def _claim(plan, value, comparator, *, low=None, line=1):
    from kg_build.linking.model import Claim, TargetRef
    return Claim(TargetRef(plan, "一.1", 1, line), TaskRef(plan, "一.1", line), None, "企业数量@", "企业", "", 2022,
                 True, "stock", value, low, "家", comparator, f"{value}家", f"{plan}#1")


@pytest.mark.parametrize("a, b, severity", [
    ((300, "AtLeast"), (500, "Approximately"), "low"),      # both can hold
    ((300, "Exactly"), (500, "Exactly"), "high"),           # disjoint, far apart
    ((480, "AtMost"), (500, "Approximately"), "low"),       # ≤480 meets ≈500's lower end (450)
    ((400, "AtMost"), (500, "AtLeast"), "high"),            # disjoint
    ((95, "Exactly"), (100, "Exactly"), "medium"),          # disjoint but within 10 %
])
def test_value_severity_from_what_can_hold_together(a, b, severity):
    from kg_build.linking.conflicts import value_conflicts
    claims = [_claim("p1", *a, line=3), _claim("p2", *b, line=5)]
    (c,) = value_conflicts(claims, {"企业数量@": "企业数量"})
    assert c.severity == severity and c.reason_zh and c.reason_en


def test_a_stated_count_that_the_other_list_does_not_match_is_a_scope_conflict(result):
    """7号 upgrades 等6座 plants; 10号's upgrade list differs: a scope conflict, with why."""
    (c,) = conflicts_at(result, (PLAN(7), 82), (PLAN(10), 429))
    assert c.kind == "ScopeConflict" and c.severity == "medium"
    assert "6座" in c.reason_zh and "each list names facilities the other lacks" in c.reason_en


def test_same_milestone_two_years_says_it_can_be_met_by_the_earlier(result):
    (c,) = conflicts_at(result, (PLAN(12), 627), (PLAN(17), 1164))
    assert c.kind == "DeadlineConflict" and c.severity == "low" and "2020" in c.reason_en


def test_forest_village_totals_and_milestones_linked_not_flagged(result):
    a, b = (PLAN(11), "二.(二)"), (PLAN(13), "二.(六).4")   # lines 561 (2025 totals) and 749 (2020 milestones)
    assert any(r.basis == "indicator" and "森林乡村数量" in r.shared for r in pair_relations(result, a, b))
    assert not conflicts_at(result, (PLAN(11), 561), (PLAN(13), 749))
    assert not conflicts_at(result, (PLAN(11), 553), (PLAN(13), 749))


def test_city_and_county_rates_are_two_indicators_and_never_conflict(result):
    rates = {c.indicator: c.value for c in result.claims
             if c.target.plan_key in (PLAN(9), PLAN(10)) and c.indicator.startswith("污水处理率@")}
    assert rates == {"污水处理率@中心城区": 97, "污水处理率@县城": 93}
    assert not conflicts_at(result, (PLAN(9), 287), (PLAN(10), 429))
    assert not [c for c in result.conflicts if "污水处理率" in c.subject]


def test_a_number_within_one_enumeration_is_not_a_conflict(result):
    # 14号 line 795: 两化融合管理体系对标和贯标企业分别达到800家、100家
    assert not conflicts_at(result, (PLAN(14), 795))


def test_boilerplate_alone_links_nothing(record):
    """Phrases every plan repeats (a closing formula, the unit note 各县〔市、区〕政府〔管委会〕)
    are common, so they weigh nothing: tasks sharing only them stay unlinked."""
    from copy import deepcopy
    from kg_build.records import PlanRecord, TaskRecord
    boiler = "加强组织领导，强化督导考核，确保各项任务落到实处。（责任单位：各县〔市、区〕政府〔管委会〕）"
    topics = ["推进全民健身场地建设", "开展古籍普查保护工作", "完善殡葬服务设施", "提升消防救援能力",
              "发展托育服务", "规范农贸市场管理", "健全气象防灾体系", "加快档案数字化", "优化公交线网", "扩大职业培训"]
    extra = deepcopy(record)
    for n, topic in enumerate(topics, 90):
        extra.plans.append(PlanRecord(f"许政〔2020〕{n}号", "通知", f"方案{n}", None, None, 1, 2, key=PLAN(n),
                                      tasks=[TaskRecord("一.1", topic, f"{topic}。{boiler}", 1, 1)]))
    res = link([extra])
    ours = {PLAN(n) for n in range(90, 100)}
    assert not [r for r in res.relations if r.a.plan_key in ours and r.b.plan_key in ours]


def test_links_are_only_between_different_plans(result):
    assert result.relations and all(r.a.plan_key != r.b.plan_key and r.a < r.b for r in result.relations)
    assert all(0 <= r.score <= 1 and r.basis in ("project", "indicator", "text") for r in result.relations)
    assert all(r.kind in ("duplicate", "overlap") for r in result.relations)


def test_deterministic(record):
    from kg_build.links_rdf import links_graph
    from kg_build.pipeline import sorted_ntriples
    one, two = link([record]), link([read_gazette_again(record)])
    assert one.relations == two.relations and one.conflicts == two.conflicts
    assert sorted_ntriples(links_graph(one)) == sorted_ntriples(links_graph(two))


def read_gazette_again(record):
    from gazettekg.common import sample_path
    return read_gazette(sample_path())


def test_iris_say_what_they_are(result):
    from kg_build.links_rdf import links_graph
    from ontology.namespaces import GK, ID
    from rdflib.namespace import RDF
    g = links_graph(result)
    ev = {str(s)[len(str(ID)):] for s in g.subjects(RDF.type, GK.RelationEvidence)}
    assert "evidence/xuzheng-2020-10/2-2-2-p3/xuzheng-2020-7/2-2-5/project" in ev
    conflicts = {str(s)[len(str(ID)):] for s in g.subjects(RDF.type, GK.Conflict)}
    assert all(c.startswith(("conflict/value/", "conflict/deadline/", "conflict/scope/", "conflict/internal/"))
               for c in conflicts)


def test_build_graph_includes_links_and_passes_shacl(sample_build):
    from ontology.namespaces import GK
    from rdflib.namespace import RDF
    g = sample_build.graph
    assert sample_build.report.counts["Violation"] == 0
    assert any(g.subjects(RDF.type, GK.Conflict)) and any(g.subjects(RDF.type, GK.RelationEvidence))
    assert all(len(list(g.objects(t, GK.indicator))) <= 1 for t in g.subjects(RDF.type, GK.Target))


def _reissued(record, year: int, jurisdiction: str):
    """The sample's plans as if issued again in `year` (their own plan keys) by `jurisdiction`."""
    from copy import deepcopy
    copy = deepcopy(record)
    for plan in copy.plans:
        plan.key = plan.key.replace("2020", str(year))
        plan.jurisdiction = jurisdiction
    return copy


def test_another_citys_copy_of_a_plan_is_not_the_same_commitment(record, result):
    """洛阳 reissuing 许昌's plans word for word: two governments, two commitments, no link."""
    res = link([record, _reissued(record, 2021, "410300")])
    xuchang = {p.key for p in record.plans}
    assert not [r for r in res.relations if (r.a.plan_key in xuchang) != (r.b.plan_key in xuchang)]
    assert len(res.relations) == 2 * len(result.relations)


def test_a_province_plan_links_to_its_citys_plans(record):
    res = link([record, _reissued(record, 2021, "410000")])
    xuchang = {p.key for p in record.plans}
    assert [r for r in res.relations if (r.a.plan_key in xuchang) != (r.b.plan_key in xuchang)]


def test_links_into_reissued_copies_are_capped_and_counted(record, result):
    """Nine issues of one city repeating its plans: each task would be related to every copy
    of every related task; into one family of copies it keeps the MAX_RELATED strongest, so
    links grow with the tasks, not their square, and the dropped links are counted. The
    sample alone (no copies) keeps every link."""
    from collections import Counter
    from kg_build.linking import MAX_RELATED
    from kg_build.linking.topics import family
    assert result.dropped == 0
    issues = [record] + [_reissued(record, y, "411000") for y in range(2021, 2029)]
    res = link(issues)
    fam = {p.key: family(p) for r in issues for p in r.plans}
    into = Counter()
    for a, b in {(r.a, r.b) for r in res.relations}:
        into[(a, fam[b.plan_key])] += 1
        into[(b, fam[a.plan_key])] += 1
    assert max(into.values()) == MAX_RELATED
    assert res.dropped > 0


def test_a_task_reissued_with_new_figures_is_matched_once_and_related_in_every_issue(record, result):
    """Three issues of one city's plans, the last with new figures: the tasks of one outline
    path are one class of copies. Each relation of the sample holds between the copies of
    every issue, quoting that copy's own clause (its own figures), and each copy is related
    to the next issue's copy as the same commitment restated."""
    from dataclasses import replace
    from kg_build.linking.copies import copy_classes
    from kg_build.linking.topics import family
    later = _reissued(record, 2021, "411000")
    newer = _reissued(record, 2022, "411000")
    for plan in newer.plans:
        plan.tasks = [replace(t, text=t.text.replace("30家", "40家")) for t in plan.tasks]
    issues = [record, later, newer]
    copies = copy_classes([p for r in issues for p in r.plans], family)
    assert len(copies) == sum(len(p.tasks) for p in record.plans)     # every task, three issues each
    res = link(issues)
    year = lambda ref: ref.plan_key.split("-")[1]
    (black,) = [r for r in result.relations if r.basis == "text" and {r.a.plan_key, r.b.plan_key} == {PLAN(9), PLAN(10)}
                and {r.a.line, r.b.line} == {289, 429}]
    for y in ("2021", "2022"):
        (r,) = [r for r in res.relations if r.basis == "text" and (r.a.path, r.b.path) == (black.a.path, black.b.path)
                and year(r.a) == year(r.b) == y]
        assert [q.task for q in r.quotes] == [r.a, r.b] and r.shared == black.shared
    quoting = lambda y, words: [q for r in res.relations for q in r.quotes if year(q.task) == y and words in q.text]
    assert quoting("2020", "30家") and quoting("2022", "40家") and not quoting("2022", "30家")
    restated = {(r.a, r.b) for r in res.relations if r.kind == "duplicate" and r.a.path == r.b.path}
    (original,) = [t for t in copies if t.plan_key == black.a.plan_key and t.path == black.a.path]
    first, second, third = copies[original]
    assert {(first, second), (second, third)} <= restated


def test_a_task_related_to_a_plan_reissued_many_times_keeps_the_cap(record, result):
    """许政〔2020〕9号 issued nine times, 10号 once: 10号's task on 黑臭水体 relates to 9号's
    copies, but to at most MAX_RELATED of them, as to any family of copies."""
    from copy import deepcopy
    from kg_build.linking import MAX_RELATED
    from kg_build.linking.topics import family
    issues = [record]
    for y in range(2021, 2029):
        again = deepcopy(record)
        again.plans = [p for p in again.plans if p.key == PLAN(9)]
        again.plans[0].key = PLAN(9).replace("2020", str(y))
        issues.append(again)
    res = link(issues)
    fam = {p.key: family(p) for r in issues for p in r.plans}
    (task,) = {t for r in result.relations for t in (r.a, r.b) if t.plan_key == PLAN(10) and t.line == 429}
    into_9 = [r for r in res.relations if task in (r.a, r.b)
              and fam[(r.b if r.a == task else r.a).plan_key] == fam[PLAN(9)]]
    assert len({(r.a, r.b) for r in into_9}) == MAX_RELATED
