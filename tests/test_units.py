"""Unit notes, unit lists and canonical unit names.

Fixtures are sentences of gazettekg/sample/xuchang-gazette-2020-02.txt (line noted), and,
for conventions this issue does not print, note shapes read in other gazettes.
"""
from kg_build.records import LEAD, RESPONSIBLE, UnitMention
from kg_build.units import canonical_unit, find_unit_notes, split_unit_list, unit_level


def roles(text):
    return [(u.name, u.role) for _, _, units in find_unit_notes(text) for u in units]


def test_responsible_only_note_has_no_lead():
    # line 100
    text = ("2025年，在许昌全市区域内实现5G信号全覆盖，并带动相关产业链发展。"
            "（责任单位：市通信管理办公室、市工业和信息化局、市政务服务和大数据管理局）")
    assert roles(text) == [("市通信管理办公室", RESPONSIBLE), ("市工业和信息化局", RESPONSIBLE),
                           ("市政务服务和大数据管理局", RESPONSIBLE)]


def test_lead_and_responsible_labels_and_offsets():
    # line 707
    text = "大力开展农业节水。（牵头单位：市农业农村局、市水利局；责任单位：各县〔市、区〕政府〔管委会〕）"
    (start, end, units), = find_unit_notes(text)
    assert text[start] == "（" and text[end - 1] == "）" and end == len(text)
    assert units == [UnitMention("市农业农村局", LEAD), UnitMention("市水利局", LEAD),
                     UnitMention("各县〔市、区〕政府〔管委会〕", RESPONSIBLE)]


def test_note_split_by_page_break_and_round_brackets_inside():
    text = "（牵头单位：市文化广电和旅游局；责任单位：\n各县（市、区）政府（管委会））"
    assert roles(text) == [("市文化广电和旅游局", LEAD), ("各县（市、区）政府（管委会）", RESPONSIBLE)]


def test_verb_conventions_from_other_gazettes():
    assert roles("加强监管。（市财政局牵头，市审计局配合）") == [("市财政局", LEAD), ("市审计局", RESPONSIBLE)]
    assert roles("（省发展改革委、省工业和信息化厅按职责分工负责）") == [
        ("省发展改革委", RESPONSIBLE), ("省工业和信息化厅", RESPONSIBLE)]
    assert roles("(牵头单位:市住建局,配合单位:市城管局)") == [("市住建局", LEAD), ("市城管局", RESPONSIBLE)]
    assert roles("推进改革（6月底完成，牵头考核单位：市发改委）") == [("市发改委", LEAD)]


def test_parentheses_without_units_are_not_notes():
    # line 90: （2020-2035） and 县（市、区）政府（管委会） inside the body text
    text = "按照《河南省中长期天然气管网规划纲要（2020-2035）》要求，相关县（市、区）政府（管委会）积极参与"
    assert find_unit_notes(text) == []


def test_split_keeps_brackets_and_joins_fragments():
    # line 923: 市政府驻北京、上海、深圳联络处〔办事处〕 is one office
    assert split_unit_list("市商务局，市政府驻北京、上海、深圳联络处〔办事处〕，各县〔市、区〕政府〔管委会〕") == [
        "市商务局", "市政府驻北京、上海、深圳联络处〔办事处〕", "各县〔市、区〕政府〔管委会〕"]
    # line 933: places in a unit list stay separate items
    assert split_unit_list("长葛市、建安区政府，市城乡一体化示范区、经济技术开发区管委会") == [
        "长葛市", "建安区政府", "市城乡一体化示范区", "经济技术开发区管委会"]
    # a table cell (line 1360) separates units by spaces and breaks before a bracket
    assert split_unit_list("市财政局 市税务局") == ["市财政局", "市税务局"]
    assert split_unit_list("各县（市、区）政府 （管委会）") == ["各县（市、区）政府（管委会）"]
    assert split_unit_list("市发改委、市财政局等") == ["市发改委", "市财政局"]


def test_every_spelling_of_a_body_has_one_key():
    pairs = [("市发改委", "市发展和改革委员会"), ("市工信局", "市工业和信息化局"),
             ("市住建局", "市住房和城乡建设局"), ("市市场监管局", "市市场监督管理局"),
             ("市自然资源与规划局", "市自然资源和规划局"), ("国家发展改革委", "国家发展和改革委员会"),
             ("省人社厅", "省人力资源和社会保障厅"),
             ("各县（市、区）政府（管委会）", "各县〔市、区〕政府〔管委会〕")]
    for short, full in pairs:
        assert canonical_unit(short) == canonical_unit(full) == (full, full), short


def test_a_place_in_a_unit_list_is_its_government():
    assert canonical_unit("长葛市")[0] == canonical_unit("长葛市政府")[0] == "长葛市人民政府"
    assert canonical_unit("市城乡一体化示范区")[0] == "市城乡一体化示范区管委会"
    assert canonical_unit("市商务局") == ("市商务局", "市商务局")


def test_unit_level():
    assert unit_level("国家发展改革委") == "central"
    assert unit_level("省工业和信息化厅") == "provincial"
    assert unit_level("市水利局") == "municipal"
    assert unit_level("建安区政府") == "county"


def test_note_never_closed_at_the_end_of_a_task():
    # 许政〔2020〕16号 lines 1100-1102: the note runs over a page break and its ）is missing
    text = ("培育和践行社会主义核心价值观。…推进新时代公民道德建设现代化。（牵头单位：市委宣传部、市委政法委、市委网"
            "信办、团市委、市发改委；责任单位：各县〔市、区〕政府〔管委会〕")
    [(_, _, units)] = find_unit_notes(text)
    assert [u.name for u in units if u.role == "lead"] == ["市委宣传部", "市委政法委", "市委网信办", "团市委", "市发改委"]
    assert [u.name for u in units if u.role == "responsible"] == ["各县〔市、区〕政府〔管委会〕"]


def test_collective_units_named_by_kind_are_units():
    # 许政〔2020〕16号 line 1104: （…责任单位：市直有关单位、各县〔市、区〕政府〔管委会〕）
    [(_, _, units)] = find_unit_notes("（牵头单位：市委宣传部；责任单位：市直有关单位、各县〔市、区〕政府〔管委会〕）")
    assert [u.name for u in units if u.role == "responsible"] == ["市直有关单位", "各县〔市、区〕政府〔管委会〕"]
