"""IRIs: pinyin slugs that keep homophone names apart, and plan keys from document numbers."""
from __future__ import annotations

from kg_build import iris


def test_the_contract_example_keeps_its_spelling():
    assert iris.plan_key("许政〔2020〕7号", "") == "xuzheng-2020-7"
    assert iris.slug("市发展和改革委员会") == "shifazhanhegaigeweiyuanhui"


def test_homophone_places_get_distinct_slugs():
    """淇县 (鹤壁) and 杞县 (开封) read qixian; 洛阳's 洛政 and 漯河's 漯政 read luozheng. A province
    collection holds both, and one IRI for two units or two plans would merge them."""
    assert iris.slug("淇县人民政府") != iris.slug("杞县人民政府")
    assert iris.plan_key("洛政〔2020〕7号", "") != iris.plan_key("漯政〔2020〕7号", "")


def test_slugs_stay_ascii_and_deterministic():
    for text in ("鄢陵县人民政府", "漯河市", "ABC-1 测试", "〔2020〕"):
        s = iris.slug(text)
        assert s.isascii() and s == iris.slug(text) and s


def test_homophone_document_prefixes_of_one_province_carry_the_issuers_code():
    """信阳 (信政) and 新乡 (新政) are both xinzheng; 许昌 has no such neighbour in 河南."""
    assert iris.plan_key("信政〔2023〕26号", "", "411500") == "xinzheng-411500-2023-26"
    assert iris.plan_key("新政〔2023〕26号", "", "410700") == "xinzheng-410700-2023-26"
    assert iris.plan_key("许政〔2020〕7号", "", "411000") == "xuzheng-2020-7"
    assert iris.plan_key("豫政〔2020〕7号", "", "410000") == "yuzheng-2020-7"
