"""Named projects and facilities. Fixtures: gazettekg/sample/xuchang-gazette-2020-02.txt."""
from kg_build.projects import canonical_project, find_projects


def names(text):
    return [p.name for p in find_projects(text, within="许昌市")]


def test_named_plants_with_phases():
    # line 82
    text = ("对瑞贝卡污水处理厂一二期、魏都区宏源污水处理厂、长葛市城南污水处理厂、邓庄污水处理厂、"
            "屯南污水处理厂一期等6座污水处理厂进行提标改造")
    assert names(text) == ["瑞贝卡污水处理厂一二期", "魏都区宏源污水处理厂", "长葛市城南污水处理厂",
                           "邓庄污水处理厂", "屯南污水处理厂一期"]


def test_verbs_before_a_name_are_cut_and_offsets_point_at_it():
    # line 60
    text = "二是加快推进三洋铁路建设进度"
    (p,) = find_projects(text)
    assert p.name == "三洋铁路" and text[p.start:p.end] == "三洋铁路"


def test_generic_facilities_are_not_projects():
    # line 82 and line 100
    assert names("科学确定污水处理厂布局和规模") == []
    assert names("2020年，建设5G基站2000个") == []
    # line 569: a slogan programme
    assert names("实施“321”工程") == []


def test_weak_suffix_needs_an_anchor():
    # line 341 / line 1229
    assert names("建设环保信息化监管平台") == []
    assert names("建设许昌市远程医学中心，接入市级区域全民健康信息平台") == ["许昌市远程医学中心", "市级区域全民健康信息平台"]


def test_canonical_project_drops_trailing_work_words():
    assert canonical_project("瑞贝卡污水处理厂一二期工程")[0] == canonical_project("瑞贝卡污水处理厂一二期")[0]
    assert canonical_project("保税物流中心(B型)") == ("保税物流中心（B型）", "保税物流中心（B型）")
