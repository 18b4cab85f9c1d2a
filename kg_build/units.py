"""Units (government bodies) named in a task's responsibility notes, with their role.

Conventions read (the words are data: kg_build/data/conventions.toml):
  （牵头单位：A；责任单位：B、C）   （责任单位：A，B）   （牵头单位：A，配合单位：B）
  （6月底完成，牵头考核单位：A）   （A牵头，B配合）   （A指导，B协同）   （A、B按职责分工负责）
  （A、B等负责。列第一位者为牵头单位，下同）   （A、B等和各有关省级人民政府负责）
  （负责部门：A、B，适用范围：浙江自贸试验区）   （一）户籍登记数据，由公安机关负责；
Labelled parts give the role by their label; unlabelled ones by the verb that ends them.
负责 names the lead when the note names no 牵头 unit (the provisional role OWNER, settled
by `resolve_roles`, which also applies a plan's first-listed rule). A note with only
责任单位 has responsible units and no lead (as the gold reads it). Bodies named only in the
running text (`prose_units`) are a weaker role, kept apart.

`canonical_unit` folds every spelling of one body into one key: bracket styles, the
与/和 misprint, abbreviations from data/unit_aliases.tsv, and a bare place name in a
unit list (长葛市 → 长葛市人民政府).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg_build import conventions as cv
from kg_build.records import LEAD, RESPONSIBLE, UnitMention
from kg_build.regions import division_level, find_regions, region_info

_ALIASES = Path(__file__).with_name("data") / "unit_aliases.tsv"

_OPEN, _CLOSE = "（(〔[", "）)〕]"
# Words that end a unit's name. A list item without one is a fragment of its neighbour
# (市政府驻北京、上海、深圳联络处〔办事处〕 is one office).
_UNIT_END = re.compile(r"(局|委|办|厅|部|院|政府|管委会|中心|公司|社|会|处|所|站|队|行|署|室|团|馆|关|组|校|联|协|台|司|军|集团|"
                       r"单位|部门|中央|机构)$")
_TRAILING_NOISE = re.compile(r"(等单位|等部门|等|按职责分工负责|按照职责分工负责|分工负责|负责|配合|参与)$")
# 等 closes an open list, with or without a category word after it: …农业农村部等,
# …事业单位登记管理机关等登记管理部门 (the category names the listed bodies, it adds none).
_LIST_CLOSER = re.compile(r"等(?:有关|相关)?(?:[\u4e00-\u9fff]{0,8}?(?:单位|部门|机构|机关))?$")
_GROUP_JOIN = re.compile(r"等(?:和|及|以及)")          # …农业农村部等和各有关省级人民政府
_BRACKETS = str.maketrans({"（": "〔", "(": "〔", "）": "〕", ")": "〕", "[": "〔", "]": "〕"})
_BRACKET_CHAR = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")
_PLAIN_SEP = re.compile(r"([、，；,;]|\s)")
_LEVEL_END = ("市", "省", "县", "区", "州", "盟", "旗", "国家", "自治区")
_CLAUSE_SPLIT = re.compile(r"[；;，,](?![^（(〔]*[）)〕])")

_FIRST_IS_LEAD_CLAUSE = re.compile(rf"[，,。]?(?:{cv.FIRST_IS_LEAD.pattern})[^，。；]*(?:[，,]下同)?")
# A provisional role: 负责 names the lead unless the note names a 牵头 unit (resolve_roles).
OWNER = "owner"

_PAREN = re.compile(r"[（()）]")


def _top_level_spans(s: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost （…） or (…) group; any of （( closes with any of ）).

    One pass over the brackets only; a close with nothing open is ignored, and a group
    still open at the end of the text ends the search (it has no span).
    """
    spans, depth, start = [], 0, 0
    for m in _PAREN.finditer(s):
        i = m.start()
        if m.group() in "（(":
            if depth == 0:
                start = i
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _strip_closer(piece: str) -> str:
    piece = _TRAILING_NOISE.sub("", piece)
    return _LIST_CLOSER.sub("", piece) if "等" in piece else piece


def split_unit_list(s: str) -> list[str]:
    """Split a unit list on 、，；,; and spaces, never inside 〔〕（）() brackets.

    >>> split_unit_list("市商务局，市政府驻北京、上海、深圳联络处〔办事处〕，各县（市、区）政府（管委会）等")
    ['市商务局', '市政府驻北京、上海、深圳联络处〔办事处〕', '各县（市、区）政府（管委会）']
    >>> split_unit_list("商务部、发展改革委等和各有关省级人民政府")
    ['商务部', '发展改革委', '各有关省级人民政府']
    """
    s = _GROUP_JOIN.sub("、", s.strip())
    if not _BRACKET_CHAR.search(s):
        # no bracket: every separator and every space splits (the loop below, in one C call)
        parts = _PLAIN_SEP.split(s)
        return _join_fragments([_strip_closer(p) for p in parts[0::2]], parts[1::2])
    pieces, seps, buf, depth = [], [], [], 0
    for i, c in enumerate(s):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        # a space splits a table cell (市财政局 市税务局) unless a bracket follows it
        is_space_sep = c.isspace() and not s[i + 1:].lstrip()[:1] in _OPEN
        if depth == 0 and (c in "、，；,;" or is_space_sep):
            pieces.append("".join(buf)); seps.append(c); buf = []
        elif not c.isspace():
            buf.append(c)
    pieces.append("".join(buf))
    return _join_fragments([_strip_closer(p) for p in pieces], seps)


@lru_cache(maxsize=4096)
def _looks_like_unit(name: str) -> bool:
    bare = re.sub(r"[（(〔][^）)〕]*[）)〕]", "", name)
    if bare.startswith("各") or _UNIT_END.search(bare):
        return True
    regions = find_regions(bare)
    return bool(regions) and regions[0].start == 0 and regions[0].end == len(bare)


def _join_fragments(pieces: list[str], seps: list[str]) -> list[str]:
    """Glue a 、-joined fragment that names no body to the item after it."""
    out: list[str] = []
    carry = ""
    for k, piece in enumerate(pieces):
        item = carry + piece
        if item and not _looks_like_unit(item) and k < len(seps) and seps[k] == "、":
            carry = item + "、"
            continue
        carry = ""
        if item:
            out.append(item)
    return out


@dataclass(frozen=True)
class Note:
    """One responsibility note: its units (roles LEAD, RESPONSIBLE or the provisional OWNER),
    the regions of its scope field (适用范围：浙江自贸试验区), and whether it declares the
    first-listed unit of every note to be the lead (列第一位者为牵头单位，下同)."""
    units: tuple[UnitMention, ...]
    scope: tuple[str, ...] = ()
    first_is_lead: bool = False


def _labelled(inner: str, labels: list[re.Match]) -> tuple[list[UnitMention], list[str]]:
    units: list[UnitMention] = []
    scope: list[str] = []
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(inner)
        value = inner[m.end():end].strip("；;，,。 ")
        label = m.group(1)
        if label in cv.REGION_LABELS:
            scope += [v for v in re.split(r"[、，,]", value.split("，以下")[0].split("；")[0]) if v]
            continue
        role = OWNER if label in cv.OWNER_LABELS else LEAD if label in cv.LEAD_LABELS else RESPONSIBLE
        units += [UnitMention(n, role) for n in split_unit_list(value)]
    return units, scope


def _unlabelled(inner: str) -> list[UnitMention]:
    units: list[UnitMention] = []
    for clause in _CLAUSE_SPLIT.split(inner):
        clause = clause.strip()
        for verb, role in ((cv.LEAD_VERB, LEAD), (cv.RESPONSIBLE_VERB, RESPONSIBLE), (cv.OWNER_VERB, OWNER)):
            m = verb.match(clause)
            if m:
                names = split_unit_list(m.group("units"))
                if names and all(_looks_like_unit(n) for n in names):
                    units += [UnitMention(n, role) for n in names]
                break
    return units


@lru_cache(maxsize=4096)
def parse_note(inner: str) -> Note | None:
    """The note inside one pair of brackets, or None when the brackets hold no units.
    Memoised: the outline reads each paragraph for its notes, then the task reads them again.

    >>> [(u.name, u.role) for u in parse_note("农业农村部、发展改革委等负责。列第一位者为牵头单位，下同").units]
    [('农业农村部', 'owner'), ('发展改革委', 'owner')]
    >>> parse_note("负责部门：商务部，适用范围：浙江自贸试验区").scope
    ('浙江自贸试验区',)
    """
    if cv.NOT_A_NOTE.match(inner):
        return None
    first_is_lead = bool(cv.FIRST_IS_LEAD.search(inner))
    if first_is_lead:        # the rule is a clause of the note, not a unit: …负责，排在第一位的部门为牵头部门，下同
        inner = _FIRST_IS_LEAD_CLAUSE.sub("", inner)
    units: list[UnitMention] = []
    scope: list[str] = []
    for sentence in re.split(r"[。]", inner):
        if not sentence.strip():
            continue
        labels = list(cv.NOTE_LABEL.finditer(sentence))
        if labels:
            u, sc = _labelled(sentence, labels)
            units += u
            scope += sc
        else:
            units += _unlabelled(sentence)
    if not units:
        return None
    return Note(tuple(units), tuple(scope), first_is_lead)


def notes_in(text: str) -> list[tuple[int, int, Note]]:
    """(start, end, note) of every parenthesised note; offsets span the brackets."""
    notes = []
    if text.count("（") + text.count("(") > text.count("）") + text.count(")"):
        # a note cut off by the end of the page and never closed (许政〔2020〕16号, line 1102)
        text += "）"
    for start, end in _top_level_spans(text):
        note = parse_note(text[start + 1:end - 1])
        if note is not None:
            notes.append((start, end, note))
    return notes


def item_owner_note(text: str) -> tuple[int, int, Note] | None:
    """The closing clause of a numbered item that names its owner without brackets:
    （一）户籍登记数据，由公安机关负责； (an item's own note, read only on items)."""
    m = cv.ITEM_OWNER.search(text)
    if not m:
        return None
    names = split_unit_list(m.group("units"))
    if not names or not all(_looks_like_unit(n) or re.search(r"(机构|机关|部门)$", n) for n in names):
        return None
    return m.start(), m.end(), Note(tuple(UnitMention(n, OWNER) for n in names))


def has_unit_note(text: str, *, item: bool = False) -> bool:
    """Whether a paragraph carries a unit note of its own (an item may close with 由X负责)."""
    return bool(notes_in(text)) or (item and item_owner_note(text) is not None)


def find_unit_notes(text: str, *, item: bool = False) -> list[tuple[int, int, list[UnitMention]]]:
    """(start, end, units) of every unit note, with the roles resolved on their own (no plan-wide
    first-listed rule); offsets span the brackets.

    >>> find_unit_notes("加强监管。（市财政局牵头，市审计局配合）")[0][2]
    [UnitMention(name='市财政局', role='lead'), UnitMention(name='市审计局', role='responsible')]
    """
    notes = notes_in(text)
    if item:
        owner = item_owner_note(text)
        if owner is not None:
            notes.append(owner)
    return [(s, e, resolve_roles(n, first_is_lead=n.first_is_lead)) for s, e, n in notes]


def resolve_roles(note: Note, *, first_is_lead: bool) -> list[UnitMention]:
    """Final roles of a note's units. A unit named 牵头 is the lead. Otherwise, under a
    first-listed rule the first unit is the lead and the others responsible; without one,
    负责 names every unit a lead (the note names no one else to lead).

    >>> n = parse_note("工业和信息化部、发展改革委、科技部等负责")
    >>> [(u.name, u.role) for u in resolve_roles(n, first_is_lead=True)]
    [('工业和信息化部', 'lead'), ('发展改革委', 'responsible'), ('科技部', 'responsible')]
    >>> [u.role for u in resolve_roles(n, first_is_lead=False)]
    ['lead', 'lead', 'lead']
    """
    named_lead = any(u.role == LEAD for u in note.units)
    out: list[UnitMention] = []
    for k, u in enumerate(note.units):
        role = u.role
        if role == OWNER:
            if named_lead:
                role = RESPONSIBLE
            elif first_is_lead:
                role = LEAD if k == 0 else RESPONSIBLE
            else:
                role = LEAD
        m = UnitMention(u.name, role)
        if m not in out:
            out.append(m)
    return out


def prose_units(text: str) -> list[str]:
    """Bodies named only in running text as the subject of a duty (X负责…, 由X会同Y…, X应当…):
    a weaker role than a note's (gk:mentionedUnit), never mixed with it."""
    found: list[str] = []
    for m in cv.PROSE_SUBJECT.finditer(text):
        for name in split_unit_list(m.group("units")):
            if _looks_like_unit(name) and 2 < len(name) <= 30 and not _NOT_A_NAME.search(name) \
                    and name not in found:
                found.append(name)
    return found


# A verb or preposition inside a captured subject: a clause, not a name (提出优化布局, 应当经…部门).
_NOT_A_NAME = re.compile(r"^(?:经|对|在|向|按照|根据|为|将|与)|应当|提出|优化|建立|加强|推进|实施|开展")


@lru_cache(maxsize=1)
def _alias_rows() -> tuple[tuple[str, str], ...]:
    rows = []
    for line in _ALIASES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            short, full = line.split("\t")
            rows.append((short, full))
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


def _expand_alias(name: str) -> str:
    for short, full in _alias_rows():
        if name == short:
            return full
        if name.endswith(short):
            prefix = name[: -len(short)]
            if prefix.endswith(_LEVEL_END):
                return prefix + full
    return name


def _government_of_place(name: str) -> str:
    """A place standing for its government: 长葛市 / 建安区政府 → …人民政府; zones → …管委会."""
    place = re.sub(r"(人民政府|政府)$", "", name)
    if place in ("市", "省", "县", "区"):
        return place + "人民政府"
    found = find_regions(place)
    if not found or found[0].start != 0 or found[0].end != len(place):
        return name
    if place.endswith(("区", "市", "县", "省", "旗")) and region_info(place)[2]:
        return place + "人民政府"
    if name == place:
        return place + "管委会"
    return name


@lru_cache(maxsize=8192)
def canonical_unit(name: str) -> tuple[str, str]:
    """(stable key, preferred label) of a unit; the label is the full name, the key the label.

    >>> canonical_unit("市发改委")
    ('市发展和改革委员会', '市发展和改革委员会')
    >>> canonical_unit("各县（市、区）政府（管委会）")[1]
    '各县〔市、区〕政府〔管委会〕'
    """
    s = re.sub(r"\s+", "", name).translate(_BRACKETS)
    s = _TRAILING_NOISE.sub("", s)
    if _UNIT_END.search(s):
        # the standard names join their two halves with 和 (自然资源和规划局); 与 is a misprint
        s = re.sub(r"(?<=[\u4e00-\u9fff]{2})与(?=[\u4e00-\u9fff]{2})", "和", s)
    s = _expand_alias(s)
    s = _government_of_place(s)
    return s, s


def unit_level(name: str) -> str:
    """central / provincial / municipal / county / other, from how the name begins.

    >>> unit_level("国家发展改革委"), unit_level("市发改委"), unit_level("各县〔市、区〕政府〔管委会〕")
    ('central', 'municipal', 'county')
    """
    s = re.sub(r"\s+", "", name)
    if s.startswith(("国家", "国务院", "中央", "中共中央")) or re.fullmatch(r"[\u4e00-\u9fff]{2,8}(部|总局|总署)", s):
        return "central"
    if s.startswith(("省", "自治区")):
        return "provincial"
    if s.startswith(("市", "团市委", "人民银行")):
        return "municipal"
    if s.startswith(("县", "区", "各县", "各区", "乡", "镇", "各乡")):
        return "county"
    found = find_regions(s)
    if found and found[0].start == 0:
        code = region_info(found[0].name)[2]
        if code:
            level = {"province": "provincial", "prefecture": "municipal", "county": "county"}
            return level[division_level(code)]
    return "other"
