"""Page-break repair on real passages of the sample (line numbers are the sample's)."""
from kg_build.paragraphs import clean_line, join_page_breaks, split_paragraphs


def _paras(sample_lines, first, last):
    return join_page_breaks(split_paragraphs(sample_lines[first - 1:last], first))


def test_sentence_split_by_page_break_is_joined(sample_lines):
    # lines 66/68: "…研究规划港区至长葛、港区" / "至鄢陵、港区至禹州…"
    paras = _paras(sample_lines, 66, 68)
    assert len(paras) == 1
    assert "港区至长葛、港区至鄢陵" in paras[0].text
    assert (paras[0].line, paras[0].end_line) == (66, 68)


def test_repeated_orphan_fragment_is_dropped(sample_lines):
    # line 319 holds only "区〕政府〔管委会〕", a second copy of the tail of line 317's complete note
    paras = _paras(sample_lines, 317, 321)
    assert [p.line for p in paras] == [317, 321]
    assert paras[0].text.endswith("各县〔市、区〕政府〔管委会〕）") and paras[0].end_line == 317


def test_orphan_fragment_completes_an_unfinished_note():
    # line 885/887 pattern: a note cut after "市发改" continues with "委）" on the next page
    paras = join_page_breaks(split_paragraphs(["（二）加大政策支持。…（责任单位：市财政局、市发改", "", "委）"], 885))
    assert len(paras) == 1 and paras[0].text.endswith("市发改委）") and paras[0].end_line == 887


def test_unit_note_alone_after_a_page_break_joins_the_task(sample_lines):
    # line 853 ends with 。 but line 855 is its "（责任单位：…）"
    paras = _paras(sample_lines, 853, 855)
    assert len(paras) == 1 and "（责任单位：市工业和信息化局" in paras[0].text


def test_heading_and_next_paragraph_stay_apart(sample_lines):
    # "（一）指导思想" (line 46) is a complete heading although it has no full stop
    paras = _paras(sample_lines, 46, 48)
    assert [p.line for p in paras] == [46, 48]


def test_line_of_each_character_is_kept(sample_lines):
    paras = _paras(sample_lines, 66, 68)
    p = paras[0]
    assert p.line_at(0) == 66
    assert p.line_at(p.text.index("至鄢陵、港区至禹州")) == 68


def test_stray_english_connective_is_repaired():
    # line 385: "推进基础设施补短板 and 更新改造"
    assert clean_line("推进基础设施补短板 and 更新改造") == "推进基础设施补短板和更新改造"
    # Latin words that belong to the text stay (line 106: 新ICT技术; line 1038: "i 许昌")
    assert clean_line("整合云计算、新ICT技术") == "整合云计算、新ICT技术"
    assert clean_line("丰富“i 许昌”平台") == "丰富“i 许昌”平台"


def test_layout_spaces_are_removed():
    assert clean_line("许 昌 市 人 民 政 府 公 报") == "许昌市人民政府公报"
    assert clean_line("到 2022 年，全市") == "到2022年，全市"
