"""find_targets and target_from_cell on sentences from the sample gazette.

Fixtures are copied from gazettekg/sample/xuchang-gazette-2020-02.txt; the comment on
each names its 1-based line. Expected values follow tests/data/gold-dev.json and its
judgment_log.
"""
import pytest

from kg_build.records import APPROXIMATELY, AT_LEAST, AT_MOST, EXACTLY
from kg_build.targets import find_targets, target_from_cell


def pairs(text, year=2020):
    return [(t.value, t.comparator) for t in find_targets(text, year=year)]


def test_count_after_its_noun_and_due_date():
    # line 100
    text = "2020年，建设5G基站2000个，实现许昌市区及县城主要区域5G信号全覆盖。"
    [t] = find_targets(text, year=2020)
    assert (t.value, t.unit, t.comparator) == (2000.0, "个", EXACTLY)
    assert "5G基站" in t.indicator
    assert t.due is not None and t.due.date == "2020-12-31"


def test_counts_named_after_the_number():
    # line 86
    text = ("重点加快电气谷，长葛洗砚池等26项主网项目建设进度，完成120个配电台区改造升级。"
            "加快推进禹州西、袁庄等17项主电网建设项目前期进度。")
    targets = find_targets(text, year=2020)
    assert [(t.value, t.unit) for t in targets] == [(26.0, "项"), (120.0, "个"), (17.0, "项")]
    assert targets[1].indicator.startswith("配电台区改造升级")
    assert all(t.due is None for t in targets)


def test_two_levels_in_one_clause():
    # line 285
    text = "2020年年底，市区和县城污水处理率分别达到97%以上和93%以上。"
    targets = find_targets(text, year=2020)
    assert [(t.value, t.unit, t.comparator) for t in targets] == [(97.0, "%", AT_LEAST), (93.0, "%", AT_LEAST)]
    assert {t.due.date for t in targets} == {"2020-12-31"}


def test_at_most_range_and_qualifiers_in_a_relative_clause():
    # line 937
    text = ("加快出口退税进度，实现税务部门平均审核时间不超过6个工作日。到2022年，各县（市、区）力争分别引进培育"
            "1—2家资源整合能力强、服务企业达到30家以上、年进出口额达到1000万元的外贸综合服务龙头企业。"
            "积极实施外贸贷、出口退税资金池等普惠性外贸促进措施，力争年度争取项目资金1000万元以上。")
    targets = find_targets(text, year=2020)
    assert [(t.value, t.value_low, t.unit, t.comparator) for t in targets] == [
        (6.0, None, "个工作日", AT_MOST), (2.0, 1.0, "家", EXACTLY), (1000.0, None, "万元", AT_LEAST)]
    assert targets[1].due.date == "2022-12-31"
    assert targets[2].due is None


def test_exactly_without_qualifier():
    # line 713
    text = "2020年，全市主要农作物农药使用量实现负增长，绿色防控覆盖率达到30%以上，专业化统防统治覆盖率达到42%。"
    assert pairs(text) == [(30.0, AT_LEAST), (42.0, EXACTLY)]


def test_category_thresholds_are_not_targets():
    # line 76: 5万人以上规模 qualifies the 1座 target
    assert pairs("禹州市、长葛市、建安区分别规划建设1座5万人以上规模的标准化水厂。") == [(1.0, EXACTLY)]
    # line 265
    assert pairs("2020年年底前，淘汰炭化室高度4.3米及以下的焦炉。") == []
    # line 567
    assert pairs("各县（市、区）要配套建设1处300亩以上的郊野公园、湿地公园或森林公园") == [(1.0, EXACTLY)]
    # line 1203
    assert pairs("常住人口大于800人的行政村有一所标准化村卫生室。") == [(1.0, EXACTLY)]


@pytest.mark.parametrize("text", [
    # line 64: a concept name and road numbers
    "形成以许昌东站零距离换乘中心为主的“1+4”零距离换乘系统。规划研究鄢陵至港区快速通道，形成许鄢港15分钟交通圈和生活圈。",
    # line 82: a roman water class
    "使出厂水质达到地表水IV类标准。",
    # line 345: a recurring day
    "生态环境部门将每月5日定为“企业服务日”。",
    # line 963: a reward, not a commitment
    "对经批准到境外从事农林牧渔的境外投资企业，按中方实际投资额，给予10—50万元奖励。",
    # line 1197: a number inside a book title
    "落实好《许昌市60周岁独生子女父母及特殊家庭住院护理实施细则》和具体《工作方案》",
    # line 62: a summary count that modifies a noun
    "规划研究连接许昌北站、长葛北站、禹州站、鄢陵站等四个高铁站的轨道交通线路",
    # line 679: a slogan and its gloss
    "以实施绿色品牌农产品“五个一”（坚定一个目标、建立一套标准、完善一个体系、培育一个主体、打造一个品牌）行动计划为核心",
    # line 1185: a Chinese-numeral reference to existing zones
    "完善市区疾病预防控制体制机制，强化三个功能区重大疫情防控应对能力。",
    # line 717: 0.01mm describes banned film
    "杜绝厚度低于0.01mm非法农膜市场流通。",
    # line 921: 500强 is a ranking
    "紧盯国内外500强、行业100强，引进一批实力突出的企业",
])
def test_not_targets(text):
    assert pairs(text) == []


def test_baseline_is_dropped_and_range_kept():
    # line 1197
    text = "提高支付扶助补贴工作效率，将支付时间由目前的3—5个工作日压缩至2—3个工作日，切实方便群众。"
    [t] = find_targets(text, year=2020)
    assert (t.value, t.value_low, t.unit) == (3.0, 2.0, "个工作日")


def test_rate_base_is_dropped_and_unitless_coefficient_kept():
    # line 705
    assert pairs("按照每10万亩设置1个监测点的密度建立健全耕地质量监测网络") == [(1.0, EXACTLY)]
    # line 707
    text = ("2020年全市力争按照每亩不低于3000元的标准，打造5.5万亩高标准农田高效灌溉示范区。"
            "全市农田灌溉水有效利用系数达到0.7以上。")
    assert pairs(text) == [(5.5, EXACTLY), (0.7, AT_LEAST)]


def test_chinese_numerals_and_at_least_words():
    # line 1171
    text = "争创1至2个省级医学中心和省级区域医疗中心。2020年年底每个县至少有一所综合医院达到二级甲等标准。"
    targets = find_targets(text, year=2020)
    assert [(t.value, t.value_low, t.comparator) for t in targets] == [(2.0, 1.0, EXACTLY), (1.0, None, AT_LEAST)]
    # line 969
    assert pairs("2022年，累计培育10个以上跨境电子商务产业集群，重点扶持100家跨境电子商务企业发展，"
                 "跨境电子商务年交易额超180亿元。") == [(10.0, AT_LEAST), (100.0, EXACTLY), (180.0, AT_LEAST)]


def test_growth_rate_and_approximately():
    # line 915
    assert pairs("2020到2022年，实际利用省外资金年均增长3%，跨境电商交易额年均增长10%。") == [
        (3.0, EXACTLY), (10.0, EXACTLY)]
    # line 1283
    assert pairs("到2022年，全市高新技术企业总量达到500家左右。") == [(500.0, APPROXIMATELY)]


def test_trailing_comparator_binds_the_whole_list():
    # line 427
    text = "2025年年底前中心城区和各县（市）供水管网漏损率控制在7%、9%以下。"
    assert pairs(text) == [(7.0, AT_MOST), (9.0, AT_MOST)]


def test_spaced_numbers_from_other_layouts():
    # line 631: ages name groups; the allowances are floors
    text = ("对 80 岁以上老年人发放高龄津贴，其中 80—89 岁老年人每人每月不低于 50 元，"
            "90—99 岁老年人每人每月不低于 100 元。")
    assert [(t.value, t.unit, t.comparator) for t in find_targets(text, year=2020)] == [
        (50.0, "元", AT_LEAST), (100.0, "元", AT_LEAST)]


def test_offsets_and_units_with_a_rate():
    # line 82
    text = "未来三年内新建建安区三达污水处理厂三期工程共3座污水处理厂，新增污水处理能力8万吨/日。"
    targets = find_targets(text, year=2020)
    assert [(t.value, t.unit) for t in targets] == [(3.0, "座"), (8.0, "万吨/日")]
    for t in targets:
        assert text[t.start:t.end].startswith(("3", "8"))


@pytest.mark.parametrize("cell, expected", [
    ("≤4.2", (4.2, AT_MOST)),        # line 1157
    ("≥35", (35.0, AT_LEAST)),       # line 1164
    ("78", (78.0, EXACTLY)),         # line 1156
    ("300", (300.0, EXACTLY)),       # line 1165
    ("高于全国平均水平", None),        # line 1156
])
def test_target_from_cell(cell, expected):
    t = target_from_cell(cell, indicator="婴儿死亡率", unit="‰")
    assert (None if t is None else (t.value, t.comparator)) == expected
    if t is not None:
        assert (t.indicator, t.unit) == ("婴儿死亡率", "‰")
