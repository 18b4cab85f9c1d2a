"""find_deadlines and parse_cn_date on sentences from the sample gazette.

Fixtures are copied from gazettekg/sample/xuchang-gazette-2020-02.txt; the comment on
each names its 1-based line. The plans in that issue were issued in 2020.
"""
import pytest

from kg_build.dates import find_deadlines, parse_cn_date


def dates(text, year=2020):
    return [(d.text, d.date) for d in find_deadlines(text, year=year)]


@pytest.mark.parametrize("text, expected", [
    # line 60
    ("二是加快推进三洋铁路建设进度，2020年8月底前完成灵井至许昌东段建设任务，全面开工许昌东至鄢陵段工程。",
     [("2020年8月底前", "2020-08-31")]),
    # line 86: 12月底 and 年底前 both resolve to the year-end
    ("持续推动禹州市、襄城县生物质电厂建设，争取2020年12月底建成投产。2020年年底前，基本建成适度超前的充换电基础设施体系。",
     [("2020年12月底", "2020-12-31"), ("2020年年底前", "2020-12-31")]),
    # line 100: plain years as time phrases
    ("2020年，建设5G基站2000个，实现许昌市区及县城主要区域5G信号全覆盖。2025年，在许昌全市区域内实现5G信号全覆盖。",
     [("2020年", "2020-12-31"), ("2025年", "2025-12-31")]),
    # line 953
    ("力争到2022年末，全市引进和培育中德（欧）合作项目总数达到100个，其中产业项目占50%以上。",
     [("到2022年末", "2022-12-31")]),
    # line 1211
    ("每个县（市、区）力争在2025年创成省市级健康示范乡镇5个，健康村（社区）15个。",
     [("在2025年", "2025-12-31")]),
    # line 285: 9月底 is the 30th
    ("2020年9月底前，沿清颍河流域城镇污水处理厂通过提标改造，确保出水水质主要指标达到IV类水标准；",
     [("2020年9月底前", "2020-09-30")]),
    # line 633: spaces inside the date, as other gazettes print them
    ("到 2025 年年底，全市 31 个街道办事处每个至少建成 1 个综合养老服务中心",
     [("到 2025 年年底", "2025-12-31")]),
])
def test_absolute_deadlines(text, expected):
    assert dates(text) == expected


def test_relative_year_uses_the_plan_year():
    # line 64
    text = "为强化许昌各区域联系，进一步疏解京港澳高速郑许段运量，今年开工建设北绕城高速、许信高速公路项目。"
    assert dates(text, year=2020) == [("今年", "2020-12-31")]
    assert dates(text, year=2021) == [("今年", "2021-12-31")]


def test_yearless_month_and_quarter_take_the_plan_year():
    assert dates("6月底前完成摸底，二季度末前建成，上半年启动", year=2021) == [
        ("6月底前", "2021-06-30"), ("二季度末前", "2021-06-30"), ("上半年", "2021-06-30")]
    assert dates("2020年一季度完成", year=2020) == [("2020年一季度", "2020-03-31")]
    assert dates("年内完成，到“十四五”末全面建成", year=2021) == [
        ("年内", "2021-12-31"), ("到“十四五”末", "2025-12-31")]


def test_windows_without_calendar_end_have_no_date():
    # line 82: the year range inside the book title is not a deadline, the window is
    text = ("落实《河南省城镇污水处理提质增效三年行动方案（2019年—2021年）》，加快补齐城镇污水收集和处理设施短板。"
            "未来三年内新建魏都区庞庄污水处理厂一期工程")
    assert dates(text) == [("未来三年内", None)]
    # line 1175
    assert dates("通过3到5年的合作共建，建立2—3个省级重点专科，1个省级重点实验室。") == [("3到5年", None)]


@pytest.mark.parametrize("text", [
    # line 345: a recurring day
    "生态环境部门将每月5日定为“企业服务日”，组织多种形式服务活动。",
    # line 90: a plan name with years inside 《》
    "按照《河南省中长期天然气管网规划纲要（2020-2035）》要求，鼓励支持燃气企业参与省天然气管网建设。",
    # line 265: an edition year inside 《》
    "按照《产业结构调整指导目录（2019年本）》淘汰落后生产工艺装备和落后产品。",
    # line 331: a document number
    "根据《许昌市人民政府关于印发许昌市智能电力装备产业发展行动方案等9个方案的通知》（许政〔2019〕3号）要求",
    # line 725: 三年行动 names a campaign, not a window
    "学习浙江“千万工程”经验，落实农村人居环境整治三年行动方案",
    # a title range in brackets (line 893 heading form)
    "许昌市打造对外开放新高地推进“智造之都、宜居之城”建设实施方案（2020—2022年）",
    # a baseline year
    "万元生产总值能耗比2015年下降10%，每年开展1—2次演练",
])
def test_not_deadlines(text):
    assert dates(text) == []


def test_offsets_point_at_the_phrase_as_written():
    text = "基层群众参与文化活动覆盖率2021年年底达到40%以上，2025年年底达到80%以上。"   # line 1030
    for d in find_deadlines(text, year=2020):
        assert text[d.start:d.end] == d.text


@pytest.mark.parametrize("text, iso", [
    ("2020年4月24日", "2020-04-24"),          # line 38
    ("2020 年 4 月 24 日", "2020-04-24"),
    ("二〇二〇年四月二十四日", "2020-04-24"),
    ("二〇二〇年十二月三十一日", "2020-12-31"),
    ("2020年2月30日", None),
    ("许昌市人民政府", None),
])
def test_parse_cn_date(text, iso):
    assert parse_cn_date(text) == iso
