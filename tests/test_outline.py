"""Outline → tasks on real plans of the sample (paths and lines as in the gold)."""
from tests.conftest import plan_of


def _tasks(record, doc):
    return {(t.path, t.line) for t in plan_of(record, doc).tasks}


def test_numbered_leaves_are_tasks_and_sections_are_not(sample_record):
    tasks = _tasks(sample_record, "许政〔2020〕7号")
    assert ("二.(一).1", 60) in tasks and ("二.(四).4", 106) in tasks
    assert len(tasks) == 17      # 总体要求 and 保障措施 hold no tasks


def test_leaf_at_second_level_when_it_has_no_children(sample_record):
    # 11号's 重点工作 are （一）…（六） without sub-items
    assert [t.path for t in plan_of(sample_record, "许政〔2020〕11号").tasks] == [
        "二.(一)", "二.(二)", "二.(三)", "二.(四)", "二.(五)", "二.(六)"]


def test_continuous_numbering_across_sections(sample_record):
    # 15号 numbers its tasks 1-18 through all sections: 4. sits under （二）
    assert ("二.(二).4", 929) in _tasks(sample_record, "许政〔2020〕15号")


def test_unnumbered_paragraph_with_its_own_unit_note_is_a_task(sample_record):
    # 10号 line 423 "2. 加强市政公用设施建设…（牵头单位…）", then 425 and 429 with notes of their own
    tasks = _tasks(sample_record, "许政〔2020〕10号")
    assert {("二.(二).2", 423), ("二.(二).2.p2", 425), ("二.(二).2.p3", 429)} <= tasks


def test_heading_only_item_over_noted_paragraphs(sample_record):
    # 14号 line 817 "（1）装备制造产业。" heads 电力装备 / 汽车及零部件 / 成套装备, each with its note
    tasks = _tasks(sample_record, "许政〔2020〕14号")
    assert {819, 821, 825} <= {line for _, line in tasks}
    assert 817 not in {line for _, line in tasks}


def test_yishi_ershi_clauses_stay_inside_their_task(sample_record):
    # 7号 二.(一).1 (line 60) holds 一是 … 二是 … 三是 …
    t = next(t for t in plan_of(sample_record, "许政〔2020〕7号").tasks if t.line == 60)
    assert "一是" in t.text and "二是" in t.text and "三是" in t.text


def test_task_text_is_repaired_across_page_breaks(sample_record):
    t = next(t for t in plan_of(sample_record, "许政〔2020〕7号").tasks if t.line == 66)
    assert t.end_line == 68 and "港区至长葛、港区至鄢陵" in t.text


def test_goal_section_targets_hang_on_the_plan(sample_record):
    plan = plan_of(sample_record, "许政〔2020〕11号")
    assert {(t.value, t.unit) for t in plan.targets} >= {(60, "万亩"), (3, "个"), (200, "个")}


def test_indicator_table_gives_one_target_per_row_and_year(sample_record):
    # 17号's table (lines 1155-1165): 婴儿死亡率 ≤4.2 (2021) and ≤4 (2025)
    plan = plan_of(sample_record, "许政〔2020〕17号")
    infant = [(t.value, t.comparator, t.due.date) for t in plan.targets if t.indicator.startswith("婴儿死亡率")]
    assert sorted(infant) == [(4.0, "AtMost", "2025-12-31"), (4.2, "AtMost", "2021-12-31")]


def test_attachment_task_table_merges_into_body_tasks(sample_record):
    # 18号 attachment row 1 (line 1358): 牵头单位 市科技局 市发改委; 责任主体 各县（市、区）政府（管委会）
    plan = plan_of(sample_record, "许政〔2020〕18号")
    t = next(t for t in plan.tasks if t.line == 1281)
    lead = {u.name for u in t.units if u.role == "lead"}
    assert {"市科技局", "市发改委", "市财政局", "市税务局"} <= lead
    assert any(u.role == "responsible" and u.name.startswith("各县") for u in t.units)
    assert len(plan.tasks) == 13
