"""Regions named in task texts. Fixtures: gazettekg/sample/xuchang-gazette-2020-02.txt."""
from kg_build.regions import find_regions, jurisdiction_code, region_info

XC = "许昌市"


def names(text, within=XC):
    return [m.name for m in find_regions(text, within=within)]


def test_counties_in_a_list():
    # line 76
    assert names("禹州市、长葛市、建安区分别规划建设1座5万人以上规模的标准化水厂") == ["禹州市", "长葛市", "建安区"]


def test_places_outside_the_city_and_inside_route_names_are_out():
    # line 60
    text = ("尽快实现郑州、港区与新郑、长葛、许昌等地的高效通勤。2020年8月底前完成灵井至许昌东段建设任务，"
            "全面开工许昌东至鄢陵段工程。尽快开工三洋铁路禹州矿山专用线、长葛中原铁路物流港铁路专用线等项目，"
            "加快推动许昌襄城港区码头工程建设")
    assert names(text) == ["长葛"]


def test_place_that_begins_a_facility_name_is_out_but_a_place_list_is_in():
    # line 82 and line 86
    assert names("新建魏都区庞庄污水处理厂一期工程、示范区污水处理厂一期工程") == []
    assert names("持续推动禹州市、襄城县生物质电厂建设") == ["禹州市", "襄城县"]
    # line 1171: a county's own hospital names the county
    assert names("在抓好禹州市人民医院、襄城县人民医院县域医疗中心建设的基础上") == ["禹州市", "襄城县"]


def test_city_areas_and_zones():
    # line 100, line 285, line 933
    assert names("实现许昌市区及县城主要区域5G信号全覆盖。在许昌全市区域内实现5G信号全覆盖") == ["市区"]
    assert names("长葛市、魏都区、示范区完成新建污水处理厂") == ["长葛市", "魏都区", "示范区"]
    assert names("建安区、市城乡一体化示范区、经济技术开发区、长葛市大周产业集聚区要完善园区配套设施") == [
        "建安区", "市城乡一体化示范区", "经济技术开发区", "长葛市大周产业集聚区"]
    # line 1189: 慢性病示范区 is a kind of thing, not the city's zone
    assert names("指导禹州市创建国家慢性病示范区") == ["禹州市"]


def test_titles_in_book_marks_are_skipped():
    # line 74
    assert names("全面贯彻落实《许昌市中心城区河湖水系保护条例》，中心城区东部水系坚持以水系连通") == ["中心城区"]


def test_region_info_keys():
    assert region_info("长葛", within=XC) == region_info("长葛市", within=XC) == ("411082", "长葛市", "411082")
    assert region_info("示范区", within=XC)[0] == region_info("市城乡一体化示范区", within=XC)[0]
    assert region_info("许昌市区", within=XC)[1] == "市区"
    assert jurisdiction_code("许昌市人民政府") == "411000"


def test_other_jurisdictions_use_the_same_table():
    # constructed sentence (no 郑州 gazette here): 新郑市 is a county-level city of 郑州, 410184
    assert names("支持新郑市、中牟县加快发展", within="郑州市") == ["新郑市", "中牟县"]
    assert region_info("新郑", within="郑州市")[2] == "410184"
