"""Conventions of other governments' documents, each on a short synthetic passage written
for this test (the real documents that print them are named beside each case).

Each case is the smallest text that shows one convention; together they cover what
kg_build/data/conventions.toml lists.
"""
from __future__ import annotations

import pytest

from kg_build.extract import extract_gazette
from kg_build.reading import InputError
from kg_build.records import LEAD, RESPONSIBLE


def read(text: str):
    return extract_gazette(text, file_name="case.txt")


def roles(task):
    return sorted((u.name, u.role) for u in task.units)


def test_doc_number_in_parentheses_under_the_title():
    # a provincial 行动计划 (the form of 皖政办秘〔2021〕82号)
    rec = read("某省推进数字经济发展行动计划\n（皖政办秘〔2021〕82号）\n各市人民政府，省政府各部门：\n"
               "一、重点任务\n（一）建设数据中心。（省数据资源局牵头，省发展改革委配合）\n省政府办公厅\n2021年6月1日")
    [plan] = rec.plans
    assert plan.doc_number == "皖政办秘〔2021〕82号" and plan.issued == "2021-06-01" and plan.issuer == "省政府办公厅"
    [task] = plan.tasks
    assert roles(task) == [("省发展改革委", RESPONSIBLE), ("省数据资源局", LEAD)]


def test_doc_number_on_the_title_line():
    rec = read("国务院关于推进某项改革的通知（国发〔2019〕5号）\n各省、自治区、直辖市人民政府：\n"
               "一、推进改革\n（一）简化审批。（司法部负责）\n国务院\n2019年3月1日")
    [plan] = rec.plans
    assert plan.doc_number == "国发〔2019〕5号" and plan.title == "国务院关于推进某项改革的通知"
    assert roles(plan.tasks[0]) == [("司法部", LEAD)]        # 负责 with no 牵头 names the lead


def test_examination_list_with_deadline_and_unit_in_one_parenthesis():
    # a city's 考评 list: （6月底完成，牵头考核单位：市X局）, scores （0.5分） ignored
    rec = read("关于印发某市2021年重点工作考评细则的通知\n某政〔2021〕3号\n各县区人民政府：\n现将《某市2021年重点工作考评细则》印发给你们。\n"
               "某市人民政府\n2021年2月1日\n某市2021年重点工作考评细则\n一、重点工作\n"
               "1．完成老旧小区改造（0.5分）。（6月底完成，牵头考核单位：市住建局）\n"
               "2．建成污水管网（1分）。（10月底完成，牵头考核单位：市城管局）")
    tasks = rec.plans[0].tasks
    assert [roles(t) for t in tasks] == [[("市住建局", LEAD)], [("市城管局", LEAD)]]
    assert [[d.date for d in t.deadlines] for t in tasks] == [["2021-06-30"], ["2021-10-31"]]


def test_several_notes_in_one_item_are_all_attached():
    # a State Council 工作方案: （X牵头，Y参与） after single sentences
    rec = read("国务院办公厅关于印发某工作方案的通知\n国办发〔2020〕9号\n各省、自治区、直辖市人民政府：\n现将《某工作方案》印发给你们。\n"
               "国务院办公厅\n2020年5月6日\n某工作方案\n一、重点任务\n"
               "（一）完善制度。修订办法。（司法部牵头，财政部参与）加强监管。（市场监管总局负责）")
    [task] = rec.plans[0].tasks
    assert roles(task) == [("司法部", LEAD), ("市场监管总局", LEAD), ("财政部", RESPONSIBLE)]


def test_first_listed_unit_is_the_lead_of_every_later_note():
    rec = read("国务院关于某事的指导意见\n国发〔2018〕1号\n各省、自治区、直辖市人民政府：\n一、重点任务\n"
               "（一）甲。（农业农村部、发展改革委等负责。列第一位者为牵头单位，下同）\n"
               "（二）乙。（工业和信息化部、科技部负责）\n（三）丙。（商务部、财政部牵头负责）")
    a, b, c = rec.plans[0].tasks
    assert roles(a) == [("农业农村部", LEAD), ("发展改革委", RESPONSIBLE)]
    assert roles(b) == [("工业和信息化部", LEAD), ("科技部", RESPONSIBLE)]
    assert roles(c) == [("商务部", LEAD), ("财政部", LEAD)]          # an explicit 牵头 wins


def test_two_groups_joined_by_deng_he_and_role_words():
    rec = read("国务院办公厅关于某事的指导意见\n国办发〔2018〕2号\n各省、自治区、直辖市人民政府：\n一、任务\n"
               "（一）甲。（商务部、文化和旅游部等和各有关省级人民政府负责）\n"
               "（二）乙。（省农业农村厅指导，省林业局协同）\n"
               "（三）丙。（牵头单位：省财政厅，配合单位：省税务局）")
    a, b, c = rec.plans[0].tasks
    assert roles(a) == [("各有关省级人民政府", LEAD), ("商务部", LEAD), ("文化和旅游部", LEAD)]
    assert roles(b) == [("省农业农村厅", LEAD), ("省林业局", RESPONSIBLE)]
    assert roles(c) == [("省税务局", RESPONSIBLE), ("省财政厅", LEAD)]


def test_qualifier_is_not_a_unit():
    rec = read("某省实施意见\n各市人民政府：\n一、任务\n（一）甲。（省发展改革委、省工业和信息化厅按职责分工负责）")
    assert roles(rec.plans[0].tasks[0]) == [("省发展改革委", RESPONSIBLE), ("省工业和信息化厅", RESPONSIBLE)]


def test_bare_document_without_notice_or_doc_number():
    rec = read("关于加快发展某产业的实施意见\n为加快发展某产业，提出如下意见。\n一、主要目标\n到2025年，产值达到100亿元。\n"
               "二、重点任务\n（一）培育企业。（市工信局牵头）\n（二）建设园区。\n三、保障措施\n（一）加强领导。")
    [plan] = rec.plans
    assert plan.doc_number is None and plan.title == "关于加快发展某产业的实施意见" and plan.kind == "document"
    assert [t.path for t in plan.tasks] == ["二.(一)", "二.(二)"]
    assert [t.value for t in plan.targets] == [100]
    again = read("关于加快发展某产业的实施意见\n为加快发展某产业，提出如下意见。\n一、重点任务\n（一）甲。")
    assert again.plans[0].key == plan.key and plan.key.startswith("doc-")     # stable from title and file


def test_safeguard_item_with_its_own_note_is_a_task_and_without_is_not():
    rec = read("某市实施方案\n一、总体要求\n（一）指导思想。以人为本。\n二、重点任务\n（一）甲。（市发改委牵头）\n"
               "三、保障措施\n（一）加强领导。（市政府办公室牵头）\n（二）强化宣传。")
    assert [t.path for t in rec.plans[0].tasks] == ["二.(一)", "三.(一)"]


def test_notice_issuing_two_documents_is_one_plan_with_both():
    rec = read("某市人民政府关于印发《甲方案》《乙方案》的通知\n某政〔2021〕8号\n各县区人民政府：\n现将《甲方案》《乙方案》印发给你们。\n"
               "某市人民政府\n2021年4月1日\n甲方案\n一、重点任务\n（一）甲一。（市发改委牵头）\n"
               "乙方案\n一、重点任务\n（一）乙一。（市财政局牵头）")
    [plan] = rec.plans
    assert plan.title == "甲方案" and plan.titles == ["乙方案"]
    assert [(t.path, t.line) for t in plan.tasks] == [("一.(一)", 9), ("d2.一.(一)", 12)]


def test_blanket_note_covers_the_items_after_it():
    rec = read("某市试点方案\n一、重点任务\n以下均需试点城市政府落实，不再列出。\n（一）甲。（市发改委牵头）\n（二）乙。（市财政局牵头）")
    assert all(("试点城市政府", RESPONSIBLE) in roles(t) for t in rec.plans[0].tasks)


def test_numbering_shapes():
    rec = read("某市行动方案\n一、重点任务\n（一）交通\n1﹒修路。（市交通局牵头）\n①建桥。（市住建局牵头）\n"
               "——疏浚河道。（市水利局牵头）\n（二）能源\n⑴建电站。（市发改委牵头）")
    paths = [t.path for t in rec.plans[0].tasks]
    # ① nests under 1﹒ and the bullet under ①: each carries its own note, so each is a task
    assert paths == ["一.(一).1", "一.(一).1.c1", "一.(一).1.c1.b1", "一.(二).(1)"], paths


def test_box_content_is_kept_in_the_task_around_it():
    rec = read("某省行动方案\n一、重点任务\n（一）建设污水厂。新建30座。（省住建厅负责）\n专栏1 重点工程\n1.甲污水处理厂\n2.乙污水处理厂\n"
               "（二）加强监管。（省生态环境厅负责）")
    a, b = rec.plans[0].tasks
    assert "甲污水处理厂" in a.text and "乙污水处理厂" in a.text and len(rec.plans[0].tasks) == 2


def test_articles_without_chapters_and_prose_units_kept_apart():
    rec = read("某市数据管理办法\n第一条 为了规范管理，制定本办法。\n第二条 市数据局应当会同市财政局建立平台。\n"
               "第三条 本办法所称数据，是指政务数据。\n第四条 本办法自2021年1月1日起施行。")
    [task] = rec.plans[0].tasks
    assert task.path == "第二条" and task.units == [] and task.mentioned_units == ["市数据局"]


def test_item_closing_with_its_owner_names_the_lead():
    rec = read("某省数据办法\n第一章 总则\n第一条 为了规范，制定本办法。\n第二章 采集\n第二条 下列数据按照职责采集：\n"
               "（一）户籍数据，由公安机关负责；\n（二）婚姻数据，由民政部门、乡镇人民政府负责。")
    tasks = rec.plans[0].tasks
    assert [roles(t) for t in tasks] == [[("公安机关", LEAD)], [("乡镇人民政府", LEAD), ("民政部门", LEAD)]]


def test_status_and_policy_parameters():
    rec = read("某市实施方案\n一、重点任务\n（一）深化改革。（持续推进，牵头单位：市发改委）")
    task = rec.plans[0].tasks[0]
    assert task.status == "持续推进" and task.deadlines == []


def test_government_order_number_is_its_doc_number():
    rec = read("某市数据管理办法\n某市人民政府令\n（第16号）\n《某市数据管理办法》已经市政府常务会议通过，现予公布。\n市长 张三\n"
               "2020年5月15日\n某市数据管理办法\n第一章 总则\n第一条 为了规范，制定本办法。\n第二章 管理\n第二条 市数据局应当建立目录。")
    [plan] = rec.plans
    assert plan.doc_number == "某市人民政府令第16号" and plan.issued == "2020-05-15" and plan.kind == "order"
    assert [t.path for t in plan.tasks] == ["第二章.第二条"]


@pytest.mark.parametrize("text", ["这是一段普通文字。\n没有任何通知。", "   \n\n", "。。。"])
def test_no_plan_found_only_without_title_or_numbered_items(text):
    with pytest.raises(InputError, match="no plan found"):
        read(text)


def test_numbered_items_without_title_still_make_a_plan():
    rec = read("一、推进改革\n（一）简化审批。（市政务局负责）")
    assert rec.plans[0].kind == "untitled" and len(rec.plans[0].tasks) == 1


def test_procedural_limits_caps_and_triggers():
    # article-format 办法 (as 阿府办发〔2021〕21号, 中山市人民政府令第16号) and a cap as in 国发〔2018〕38号
    rec = read("某市数据管理办法\n第一章 总则\n第一条 为了规范，制定本办法。\n第二章 管理\n"
               "第二条 市数据局应当自收到申请之日起五个工作日内答复；超过五个工作日不答复的，视为同意。\n"
               "第三条 市数据局应当每年对目录至少全面核查一次。\n"
               "第四条 市知识产权局应当允许不超过五分之一的股东不具有资格，但最多不超过六批。")
    a, b, c = rec.plans[0].tasks
    assert [(t.value, t.unit, t.comparator, t.kind) for t in a.targets] == [(5, "个工作日", "AtMost", "procedural")]
    assert [(t.value, t.unit, t.comparator, t.kind) for t in b.targets] == [(1, "次", "AtLeast", "procedural")]
    assert [(t.value, t.comparator, t.kind) for t in c.targets] == [(0.2, "AtMost", "policy_parameter"),
                                                                      (6, "AtMost", "policy_parameter")]


def test_deadlines_without_a_year_take_the_documents_year():
    rec = read("某市2021年重点工作方案\n一、重点任务\n（一）甲。年底前完成。（市发改委牵头）\n（二）乙。上半年完成。（市财政局牵头）")
    a, b = rec.plans[0].tasks
    assert [d.date for d in a.deadlines] == ["2021-12-31"] and [d.date for d in b.deadlines] == ["2021-06-30"]
    assert rec.plans[0].sources["year"] == "2021, from the title"


def test_joint_issuers_and_a_leading_group_office():
    rec = read("中共某市委办公室 某市人民政府办公室关于印发《某市乡村振兴实施方案》的通知\n某办〔2022〕5号\n各县区委、县区人民政府：\n"
               "现将《某市乡村振兴实施方案》印发给你们，请认真贯彻落实。\n中共某市委办公室\n某市人民政府办公室\n2022年3月1日\n"
               "某市乡村振兴实施方案\n一、重点任务\n（一）发展产业。（市农业农村局牵头）")
    [plan] = rec.plans
    assert plan.doc_number == "某办〔2022〕5号" and plan.issued == "2022-03-01" and plan.title == "某市乡村振兴实施方案"
    assert plan.issuer == "某市人民政府办公室" and len(plan.tasks) == 1
    office = read("某市推进数字化改革领导小组办公室关于印发某市数字化改革工作要点的通知\n某数改办〔2022〕1号\n各成员单位：\n"
                  "现将《某市数字化改革工作要点》印发给你们。\n某市推进数字化改革领导小组办公室\n2022年2月1日\n某市数字化改革工作要点\n"
                  "一、重点工作\n1．建设平台。（市大数据局负责）")
    assert office.plans[0].issuer == "某市推进数字化改革领导小组办公室"
    assert [(u.name, u.role) for u in office.plans[0].tasks[0].units] == [("市大数据局", LEAD)]


def test_parts_and_half_bracket_items():
    rec = read("某市行动计划\n第一部分 总体要求\n一、指导思想\n以人为本。\n第二部分 重点任务\n一、建设项目\n"
               "1）建设道路。（市交通局牵头）\n2）建设桥梁。（市住建局牵头）")
    assert [t.path for t in rec.plans[0].tasks] == ["第二章.一.(1)", "第二章.一.(2)"]
