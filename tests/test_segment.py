"""An issue splits into plans by their notices (real lines of the sample)."""
from kg_build.segment import segment_plans


def test_sample_has_twelve_plans_numbered_7_to_18(sample_lines):
    segs = segment_plans(sample_lines)
    assert [s.doc_number for s in segs] == [f"许政〔2020〕{n}号" for n in range(7, 19)]
    assert all(s.issued == "2020-04-24" and s.issuer == "许昌市人民政府" for s in segs)


def test_table_of_contents_lines_are_not_notices(sample_lines):
    # lines 15-28 repeat the notice titles with page numbers; the first notice is at line 29
    assert segment_plans(sample_lines)[0].line == 29


def test_notice_title_over_three_lines_and_title_with_period(sample_lines):
    # 18号: the notice title spans lines 1249-1251, the plan title lines 1262-1263
    seg = segment_plans(sample_lines)[-1]
    assert seg.line == 1249
    assert seg.notice_title == "许昌市人民政府关于印发许昌市加快科技创新推进“智造之都、宜居之城”建设实施方案（2020—2022年）的通知"
    assert seg.title == "许昌市加快科技创新推进“智造之都、宜居之城”建设实施方案（2020—2022年）"
    assert seg.body_line == 1264      # the line after the title


def test_title_is_the_plans_own_title_not_the_quoted_one(sample_lines):
    # 17号 prints "…高质量发展的 实施方案" as its own title (line 1125), "…高质量发展实施方案" in the notice
    seg = next(s for s in segment_plans(sample_lines) if s.doc_number == "许政〔2020〕17号")
    assert seg.title == "许昌市完善医疗卫生服务体系推动卫生健康事业高质量发展的实施方案"


def test_document_without_doc_number():
    lines = ["国务院关于印发“十四五”节能减排综合工作方案的通知", "", "各省、自治区、直辖市人民政府：", "",
             "现将《“十四五”节能减排综合工作方案》印发给你们，请认真贯彻落实。", "", "国务院", "2021年12月28日", "",
             "“十四五”节能减排综合工作方案", "", "为认真贯彻落实党中央决策部署，制定本方案。"]
    [seg] = segment_plans(lines)
    assert seg.doc_number is None and seg.issuer == "国务院" and seg.issued == "2021-12-28"
    assert seg.title == "“十四五”节能减排综合工作方案" and seg.body_line == 11


def test_text_without_notice_has_no_plan():
    assert segment_plans(["这是一段普通文字。", "", "没有任何通知。"]) == []
