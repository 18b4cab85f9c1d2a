"""Named projects and facilities in a task text (三洋铁路, 瑞贝卡污水处理厂一二期 …).

A name is kept only when it ends in a facility or project word and has a specific head
in front of that word: a proper name (瑞贝卡, 曹寨), a numbered route (国道311线), a
place-plus-name (魏都区庞庄). Generic phrases (城镇污水处理厂, 主网项目, 一批重点项目)
are left out: duplicate linking across plans leans on these names, so a wrong one costs
more than a missed one.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg_build.records import ProjectMention
from kg_build.regions import find_regions

_CJK = "\u4e00-\u9fff"
_PHASE = r"(?:[一二三四五六七八九十]+期)?"
# Words that only name a kind of facility: a name ending in one needs a proper head.
_STRONG = ("污水处理厂|生物质电厂|热电厂|电厂|水厂|市域铁路|城际铁路|铁路专用线|专用线|铁路|高铁|高速公路|高速|"
           "快速通道|总干渠|干渠|水库|灌区|闸|码头|高铁站|站|产业园|物流园|物流中心|交易展示中心|查验中心|"
           "创新中心|研究中心|医学中心|人民医院|妇幼保健院|中医院")
# Words that end almost any plan phrase (…工程, …平台): kept only with an anchor (a place,
# a route number, a quoted name or a 市级/省级 owner) in the head.
_WEAK = "工程|项目|平台|系统"
_CANDIDATE = re.compile(
    rf"(?:[{_CJK}A-Za-z0-9“”\"+]|（[^（）]{{1,8}}）){{2,30}}?(?P<suffix>{_STRONG}|{_WEAK}){_PHASE}(?:工程|项目)?(?:（[^（）]{{1,8}}）)?"
    rf"(?![{_CJK}]*?(?:{_STRONG}|{_WEAK}))"
)
# A verb, a counter or 的 inside a candidate ends the clause before the name: cut after the last one.
_CUT = re.compile(
    r"以|对|在|把|将|和|及|沿|有|解决|我市|并|由|向|从|为|到|是|的|等|连接|依托|支持|鼓励|推动|推进|加快|加速|加强|全力|全面|积极|"
    r"大力|持续|尽快|尽早|着力|力争|抓好|做好|完成|开工|建设|新建|续建|改建|扩建|实施|启动|谋划|规划|研究|"
    r"打造|形成|构建|完善|提升|强化|发挥|争取|确保|逐步|开展|落实|围绕|加大|扩大|提高|建成|投产|搭建|通过|"
    r"继续|进行|指导|督促|引导|组织|整合|确定|疏解|培育|利用好|普查|接入|基于|建立|布局|引进|学习|寻找|跟进|"
    r"深入|争创|实现|增加|即|内|共|(?:\d+|[一两二三四五六七八九十]+)[个座项处家条所]")
_GENERIC_HEAD = re.compile(
    r"^(?:城镇|城市|城区|农村|乡村|县域|全市|全省|各|一批|一些|相关|有关|重点|重大|大型|中小|大中型|新型|现有|已有|"
    r"其他|其它|该|本|此|这|上述|多个|若干|所有|部分|主要|基础|配套|相应|专项|示范|试点|具备|具有|企业|多|"
    r"县级|省级|县（|城际|现代|专业|标准化|输水|高速|铁路|高铁|静脉|门户)")
# Station and facility kinds that every town has: never one named thing.
_GENERIC_KIND = re.compile(r"(基站|收费站|加油站|急救站|康复站|服务站|生态系统)$")
_SEPARATOR = re.compile(r"[，。；：、,;:！？\s《》]")     # what ends a segment in which a name is sought
_KIND = re.compile(rf"(?:{_STRONG}|{_WEAK})")
_VAGUE_HEAD = re.compile("以上|城镇|所有")
_WEAK_SUFFIX = re.compile(_WEAK)
_QUOTED = re.compile(r"“[^”]*”")
_ANCHOR = re.compile(r"\d|“|^(?:市级|市域|省级|县级|国家级)")


def find_projects(text: str, *, within: str | None = None) -> list[ProjectMention]:
    """Named projects and facilities in text order; `within` as in regions.find_regions.

    >>> [p.name for p in find_projects("对瑞贝卡污水处理厂一二期、魏都区宏源污水处理厂进行提标改造")]
    ['瑞贝卡污水处理厂一二期', '魏都区宏源污水处理厂']
    """
    out: list[ProjectMention] = []
    for seg_start, seg_end in _segments_with_kind(text):
        segment = text[seg_start:seg_end]
        for m in _CANDIDATE.finditer(segment):
            raw = m.group()
            head_end = m.start("suffix") - m.start()
            cuts = [c.end() for c in _CUT.finditer(raw[:head_end])]
            cut = cuts[-1] if cuts else 0
            while cut < head_end and raw[cut] in "与和及并":   # 加强与京广铁路: a connector, not a name
                cut += 1
            name = raw[cut:]
            if _is_specific(name, head_end - cut, m.group("suffix"), within):
                start = seg_start + m.start() + cut
                out.append(ProjectMention(name=name, start=start, end=start + len(name)))
    return out


def _segments_with_kind(text: str) -> list[tuple[int, int]]:
    """(start, end) of the punctuation-delimited segments that hold a facility or project word:
    only those can hold a candidate, and the candidate search is costly."""
    hits = [m.start() for m in _KIND.finditer(text)]
    if not hits:
        return []
    seps = [m.start() for m in _SEPARATOR.finditer(text)]
    spans: dict[int, int] = {}
    for h in hits:
        k = bisect_right(seps, h)
        spans.setdefault(seps[k - 1] + 1 if k else 0, seps[k] if k < len(seps) else len(text))
    return list(spans.items())


def _is_specific(name: str, head_len: int, suffix: str, within: str | None) -> bool:
    head = name[:head_len]
    if head_len < 2 or name.startswith("（") or _GENERIC_HEAD.match(name) or _GENERIC_KIND.search(name)\
            or _VAGUE_HEAD.search(head) or name.count("“") != name.count("”"):
        return False
    if _WEAK_SUFFIX.fullmatch(suffix):
        if len(_QUOTED.sub("", head)) < 2:
            return False    # “321”工程: a slogan, not a named project
        return bool(_ANCHOR.search(head) or find_regions(head, within=within))
    return True


# A district or zone in front of a village-named plant (魏都区宏源, 开发区屯南) is how one
# plan locates it; another plan names it without: the key drops the district when a proper
# name of two or more characters remains. Counties (…县) keep theirs: each county has its
# own 生物质电厂, 产业园 ….
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{1,3}区(?=[\u4e00-\u9fff]{2})")


@lru_cache(maxsize=65_536)      # linking keys every mention of every copy of a plan
def canonical_project(name: str) -> tuple[str, str]:
    """(stable key, preferred label): brackets normalised, a trailing 工程/项目/建设 dropped, a
    section or kind in brackets dropped, 总干渠 read as 干渠, a leading district dropped.

    >>> canonical_project("瑞贝卡污水处理厂一二期工程")
    ('瑞贝卡污水处理厂一二期', '瑞贝卡污水处理厂一二期')
    >>> canonical_project("魏都区宏源污水处理厂")[0] == canonical_project("宏源污水处理厂")[0]
    True
    >>> canonical_project("南水北调中线工程总干渠（许昌段）")[0]
    '南水北调中线干渠'
    """
    s = re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")
    s = re.sub(r"（[^（）]*段）$|（(?:高铁站|火车站|站)）$", "", s)
    s = re.sub(r"(?:工程)?总干渠", "干渠", s)
    s = re.sub(r"(?<=.{3})(?:建设)?(?:工程|项目|建设)$", "", s)
    m = _DISTRICT.match(s)
    if m:
        rest = s[m.end():]
        kind = _KIND.search(rest)
        head = rest[:kind.start()] if kind else ""
        if len(head) >= 2 and not head.startswith("第") and not _GENERIC_HEAD.match(rest):
            s = rest
    return s, s
