"""Units (government bodies) named in a task's parenthesised unit note, with their role.

Conventions read, all printed in gazettes:
  （牵头单位：A；责任单位：B、C）   （责任单位：A，B）   （牵头单位：A，配合单位：B）
  （6月底完成，牵头考核单位：A）   （A牵头，B配合）   （A负责）   （A、B按职责分工负责）
Labelled parts give the role by their label; unlabelled ones by the verb that ends them.
A note with only 责任单位 has responsible units and no lead (as the gold reads it).

`canonical_unit` folds every spelling of one body into one key: bracket styles, the
与/和 misprint, abbreviations from data/unit_aliases.tsv, and a bare place name in a
unit list (长葛市 → 长葛市人民政府).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg_build.records import LEAD, RESPONSIBLE, UnitMention
from kg_build.regions import division_level, find_regions, region_info

_ALIASES = Path(__file__).with_name("data") / "unit_aliases.tsv"

_OPEN, _CLOSE = "（(〔[", "）)〕]"
_LABEL = re.compile(
    r"(牵头考核单位|牵头单位|主办单位|责任单位|责任主体|配合单位|协办单位|参与单位|协助单位|承办单位)[：:]")
_LEAD_LABELS = frozenset({"牵头考核单位", "牵头单位", "主办单位"})
_LEAD_VERB = re.compile(r"^(?P<units>.+?)(?:共同)?牵头$")
_RESP_VERB = re.compile(r"^(?P<units>.+?)(?:按职责分工负责|按照职责分工负责|按职责负责|分工负责|共同负责|"
                        r"负责|配合|参与|协助|协办|落实)$")
# Words that end a unit's name. A list item without one is a fragment of its neighbour
# (市政府驻北京、上海、深圳联络处〔办事处〕 is one office).
_UNIT_END = re.compile(r"(局|委|办|厅|部|院|政府|管委会|中心|公司|社|会|处|所|站|队|行|署|室|团|馆|关|组|校|联|协|台|司|军|集团|单位|部门)$")
_TRAILING_NOISE = re.compile(r"(等单位|等部门|等|按职责分工负责|按照职责分工负责|分工负责|负责|配合|参与)$")
_BRACKETS = str.maketrans({"（": "〔", "(": "〔", "）": "〕", ")": "〕", "[": "〔", "]": "〕"})
_BRACKET_CHAR = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")
_PLAIN_SEP = re.compile(r"([、，；,;]|\s)")
_LEVEL_END = ("市", "省", "县", "区", "州", "盟", "旗", "国家", "自治区")


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


def split_unit_list(s: str) -> list[str]:
    """Split a unit list on 、，；,; and spaces, never inside 〔〕（）() brackets.

    >>> split_unit_list("市商务局，市政府驻北京、上海、深圳联络处〔办事处〕，各县（市、区）政府（管委会）等")
    ['市商务局', '市政府驻北京、上海、深圳联络处〔办事处〕', '各县（市、区）政府（管委会）']
    """
    s = s.strip()
    if not _BRACKET_CHAR.search(s):
        # no bracket: every separator and every space splits (the loop below, in one C call)
        parts = _PLAIN_SEP.split(s)
        return _join_fragments([_TRAILING_NOISE.sub("", p) for p in parts[0::2]], parts[1::2])
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
    return _join_fragments([_TRAILING_NOISE.sub("", p) for p in pieces], seps)


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


@lru_cache(maxsize=4096)
def _parse_note(inner: str) -> tuple[UnitMention, ...]:
    """The units of one note. Memoised: the outline reads each paragraph for its notes, then
    the task reads them again."""
    labels = list(_LABEL.finditer(inner))
    units: list[UnitMention] = []
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(inner)
        role = LEAD if m.group(1) in _LEAD_LABELS else RESPONSIBLE
        units += [UnitMention(n, role) for n in split_unit_list(inner[m.end():end].strip("；;，,。 "))]
    if labels:
        return tuple(units)
    for clause in re.split(r"[；;，,](?![^（(〔]*[）)〕])", inner):
        for verb, role in ((_LEAD_VERB, LEAD), (_RESP_VERB, RESPONSIBLE)):
            m = verb.match(clause.strip())
            if m:
                names = split_unit_list(m.group("units"))
                if names and all(_looks_like_unit(n) for n in names):
                    units += [UnitMention(n, role) for n in names]
                break
    return tuple(units)


def find_unit_notes(text: str) -> list[tuple[int, int, list[UnitMention]]]:
    """(start, end, units) of every parenthesised unit note; offsets span the brackets.

    >>> find_unit_notes("加强监管。（市财政局牵头，市审计局配合）")[0][2]
    [UnitMention(name='市财政局', role='lead'), UnitMention(name='市审计局', role='responsible')]
    """
    notes = []
    if text.count("（") + text.count("(") > text.count("）") + text.count(")"):
        # a note cut off by the end of the page and never closed (许政〔2020〕16号, line 1102)
        text += "）"
    for start, end in _top_level_spans(text):
        units = _parse_note(text[start + 1:end - 1])
        if units:
            notes.append((start, end, list(units)))
    return notes


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
