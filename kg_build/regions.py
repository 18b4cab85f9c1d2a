"""Regions a task text names: county-level divisions, city areas and development zones.

A gazette speaks for one jurisdiction (许昌市). Regions are the areas of that
jurisdiction's administration: its GB/T 2260 divisions below it (禹州市, 魏都区 …),
their short forms where they stand alone as places (长葛, 鄢陵), city areas (市区,
中心城区, 东城区) and zones (市城乡一体化示范区, 经济技术开发区, 示范区 …).

A place name that only begins a facility, route or project name (魏都区庞庄污水处理厂,
许昌东至鄢陵段工程, 禹州站) names that thing, not an area the task covers, so it is
left out; a 、 list of places before a noun (禹州市、襄城县生物质电厂) is kept.

The division table (data/regions.tsv) is bundled; reading it once at import is the
only I/O here. Call with `within=` the jurisdiction (name or code); without it every
division in the table is a candidate, full names only.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg_build.records import RegionMention

_TABLE = Path(__file__).with_name("data") / "regions.tsv"

# Names in the table that are also ordinary words in a gazette (大同 城区, 铜陵 郊区).
_GENERIC_NAMES = frozenset({"城区", "郊区", "矿区", "新区", "市区"})

# Zone types that a city sets up and a gazette names like a district.
_ZONE_FULL = {
    "城乡一体化示范区": "城乡一体化示范区",
    "经济技术开发区": "经济技术开发区",
    "高新技术产业开发区": "高新技术产业开发区",
    "高新区": "高新技术产业开发区",
    "经开区": "经济技术开发区",
}
# Bare short forms: in a city's own gazette they mean its one zone of that kind.
_ZONE_SHORT = {"示范区": "城乡一体化示范区", "开发区": "经济技术开发区"}
_CITY_AREAS = ("中心城区", "市区", "东城区", "西城区", "南城区", "北城区")

_CJK = "\u4e00-\u9fff"
# What follows a place that makes it the first word of a facility or project name.
_FACILITY_TAIL = re.compile(
    rf"^[{_CJK}]{{0,8}}?(污水处理厂|水厂|电厂|热电|河|湖|渠|闸|水库|灌区|站|铁路|专用线|线|段|高速|"
    r"公路|大道|路|桥|港|码头|机场|工程|项目|公司|集团|产业集聚区|产业园|园区|物流园|基地|平台|云都)"
)
# ... unless it starts with the place's own public institution (禹州市人民医院).
_OWN_INSTITUTION = re.compile(r"^(人民|政府|管委会|妇幼|疾病预防|中医|卫生|教育|财政|公安|党委|委员会)")
_STANDALONE_AFTER = frozenset("、，,。；;：:的等和与及")
_ROUTE_MARKS = frozenset("至—－-~～（(")
_TITLE_SPAN = re.compile(r"《[^《》]*》")


@lru_cache(maxsize=1)
def _divisions() -> dict[str, str]:
    """code → name from the bundled GB/T 2260 table."""
    rows = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            rows[code] = name
    return rows


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for code, name in _divisions().items():
        out.setdefault(name, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def division_level(code: str) -> str:
    """province / prefecture / county, read from the shape of a GB/T 2260 code."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _short_form(name: str) -> str | None:
    """长葛市 → 长葛; only names whose stem keeps two characters or more."""
    for suffix in ("自治县", "自治州", "市", "县", "区", "省"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=1024)
def jurisdiction_code(name_or_code: str | None) -> str | None:
    """The GB/T 2260 code of a jurisdiction given as code, name, short name or government.

    >>> jurisdiction_code("许昌市人民政府"), jurisdiction_code("411000"), jurisdiction_code("许昌")
    ('411000', '411000', '411000')
    """
    if not name_or_code:
        return None
    s = re.sub(r"\s+", "", name_or_code)
    if s in _divisions():
        return s
    # 河南省人民政府办公厅 → 河南省: an office speaks for its government
    while (t := re.sub(r"(人民政府|政府|办公室|办公厅)$", "", s)) != s:
        s = t
    for candidate in (s, s + "市", s + "省"):
        codes = [c for c in _codes_by_name().get(candidate, ()) if division_level(c) != "county"]
        codes = codes or list(_codes_by_name().get(candidate, ()))
        if len(codes) == 1:
            return codes[0]
    return None


def name_and_siblings(code: str) -> tuple[str, tuple[str, ...]]:
    """The name of a government (GB/T 2260) and the names of the others of its level in its
    province: 许昌市 and 郑州市, 开封市, 洛阳市 …"""
    level = division_level(code)
    siblings = tuple(name for c, name in sorted(_divisions().items())
                     if c[:2] == code[:2] and c != code and division_level(c) == level)
    return _divisions().get(code, ""), siblings


def same_line(a: str | None, b: str | None) -> bool:
    """Do two governments answer to one another: the same, or one above the other (河南省 and
    许昌市, 许昌市 and 禹州市)? Not two cities of a province. An unknown government (None)
    could be any, so it is on every line.

    >>> same_line("411000", "410000"), same_line("411000", "411081"), same_line("411000", "410300")
    (True, True, False)
    """
    return a is None or b is None or a == b or _is_below(a, b) or _is_below(b, a)


def _is_below(code: str, within: str) -> bool:
    if code == within:
        return False
    if division_level(within) == "province":
        return code[:2] == within[:2]
    if division_level(within) == "prefecture":
        return code[:4] == within[:4]
    return False


def _trie_pattern(names) -> str:
    """An alternation of `names` as a character trie: 禹州市|禹州 → 禹州(?:市)?.

    It matches what the names sorted longest first match, in the same order of preference
    (names that match at one position are prefixes of each other, and a trie tries the
    longer first), but the engine walks one branch instead of trying every name.
    """
    trie: dict = {}
    for name in names:
        node = trie
        for c in name:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


@lru_cache(maxsize=64)
def _lexicon(within: str | None) -> tuple[re.Pattern, dict[str, str], frozenset[str]]:
    """(matcher, name → full division name, short forms) for one jurisdiction."""
    full: dict[str, str] = {}
    shorts: set[str] = set()
    for code, name in _divisions().items():
        if name in _GENERIC_NAMES:
            continue
        if within is None or _is_below(code, within):
            full[name] = name
    if within is not None:
        for name in list(full):
            short = _short_form(name)
            if short and short not in full:
                full[short] = name
                shorts.add(short)
    prefix = ""
    if within is not None:
        city = _divisions()[within]
        prefix = "|".join(re.escape(p) for p in sorted({city, _short_form(city) or city}, key=len, reverse=True))
    zone_types = "|".join(sorted(_ZONE_FULL, key=len, reverse=True))
    names = _trie_pattern(full)
    areas = "|".join(_CITY_AREAS)
    shorts_zone = "|".join(_ZONE_SHORT)
    city_prefix = f"(?:{prefix})?" if prefix else ""
    starts = {n[0] for n in full} | {c[0] for c in (*_ZONE_FULL, *_CITY_AREAS, *_ZONE_SHORT, "市")}
    if within is not None:
        starts |= {p[0] for p in (city, _short_form(city) or city)}
    # a cheap look at the first character spares the alternatives below at most positions
    # (none when no name is below `within`: the empty alternation then matches anywhere)
    look = f"(?=[{''.join(sorted(starts))}])" if full else ""
    pattern = re.compile(
        rf"{look}(?:"
        # a proper-named zone of a county (长葛市大周产业集聚区)
        rf"(?P<county_zone>(?:{names})[{_CJK}]{{2,4}}?产业集聚区)"
        rf"|(?P<zone>{city_prefix}市?(?:{zone_types}))"
        rf"|(?P<area>{city_prefix}(?:{areas}))"
        rf"|(?P<division>{names})"
        rf"|(?P<short_zone>{shorts_zone}))"
    )
    return pattern, full, frozenset(shorts)


def _strip_city(name: str, within: str | None) -> str:
    if within is None:
        return name
    city = _divisions()[within]
    # the short form first, so that 许昌市区 keeps its 市区 and 许昌市示范区 its 市
    for p in (_short_form(city), city):
        if p and name.startswith(p) and len(name) > len(p):
            return name[len(p):]
    return name


def _follows_facility(text: str, end: int) -> bool:
    tail = text[end:end + 12]
    if tail.startswith(("“", "\"", "「")):
        return True
    if _OWN_INSTITUTION.match(tail):
        return False
    return bool(_FACILITY_TAIL.match(tail))


def find_regions(text: str, *, within: str | None = None) -> list[RegionMention]:
    """Every region mention in `text`, in text order (duplicates kept; see region_info).

    >>> [m.name for m in find_regions("禹州市、长葛市、建安区分别规划建设1座标准化水厂", within="许昌市")]
    ['禹州市', '长葛市', '建安区']
    >>> [m.name for m in find_regions("新建魏都区庞庄污水处理厂一期工程", within="许昌市")]
    []
    """
    code = jurisdiction_code(within)
    pattern, full, shorts = _lexicon(code)
    masked = _TITLE_SPAN.sub(lambda m: "□" * len(m.group()), text) if "《" in text else text
    found = [(m.start(), m.end(), m.lastgroup, m.group()) for m in pattern.finditer(masked)]
    places = {(s, e) for s, e, kind, _ in found}
    out = []
    for start, end, kind, name in found:
        if not _keep(masked, start, end, kind, name, shorts, places):
            continue
        out.append(RegionMention(name=_strip_city(name, code), start=start, end=end))
    return out


def _in_place_list(text: str, start: int, end: int, places: set[tuple[int, int]]) -> bool:
    """True when a neighbour across a 、 is itself a place (禹州市、襄城县生物质电厂)."""
    before = start > 0 and text[start - 1] == "、" and any(e == start - 1 for _, e in places)
    after = end < len(text) and text[end] == "、" and any(s == end + 1 for s, _ in places)
    return before or after


def _keep(text: str, start: int, end: int, kind: str, name: str,
          shorts: frozenset[str], places: set[tuple[int, int]]) -> bool:
    prev = text[start - 1] if start else ""
    nxt = text[end] if end < len(text) else ""
    if kind == "area" and name.endswith("市区") and (prev in "全城" or nxt == "域"):
        return False    # 全市区域, 城市区域 are not 市区
    if kind == "short_zone" and prev and re.match(rf"[{_CJK}]", prev) and prev not in "、和及与":
        return False    # 慢性病示范区, 乡村振兴示范区: a kind of thing, not the city's zone
    if kind == "division" and name in shorts:
        # a short form counts only where it stands alone as a place (发挥鄢陵的 …, 新郑、长葛、许昌等地)
        return (nxt == "" or nxt in _STANDALONE_AFTER) and prev not in _ROUTE_MARKS
    if _in_place_list(text, start, end, places):
        return True
    return not _follows_facility(text, end)


@lru_cache(maxsize=8192)
def region_info(name: str, *, within: str | None = None) -> tuple[str, str, str | None]:
    """(stable key, preferred label, GB/T 2260 code or None) for a region name.

    Short forms share the key of their full name; zones and city areas, which have
    no code, are keyed by the jurisdiction's code and their normalised label.

    >>> region_info("长葛", within="许昌市")
    ('411082', '长葛市', '411082')
    >>> region_info("示范区", within="许昌市")
    ('411000-城乡一体化示范区', '城乡一体化示范区', None)
    """
    code = jurisdiction_code(within)
    s = _strip_city(re.sub(r"\s+", "", name), code)
    _, full, _ = _lexicon(code)
    division = full.get(s)
    if division:
        codes = _codes_by_name()[division]
        if code is not None:
            codes = tuple(c for c in codes if _is_below(c, code)) or codes
        if len(codes) == 1:
            return codes[0], division, codes[0]
        return division, division, None
    label = s[1:] if s.startswith("市") and len(s) > 2 else s
    label = _ZONE_SHORT.get(label, _ZONE_FULL.get(label, label))
    key = f"{code}-{label}" if code else label
    return key, label, None
