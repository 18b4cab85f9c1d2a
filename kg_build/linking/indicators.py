"""Targets → comparable claims: a canonical indicator, a scope and a horizon (pure).

Plans word one measure many ways (高新技术企业达到300家以上 / 全市高新技术企业总量达到500家左右),
and the extractor's indicator phrase often carries a neighbour's words (市区和县城污水处理率分别
达到97%以上和 …). Reading a phrase: cut at the last number that closes an earlier item; a
phrase left empty continues the previous item's enumeration (97%、93%), whose scopes are
dealt out in order (市区 → 97, 县城 → 93); scope words and regions leave the label and
become the scope; verbs and quantity words (达到, 力争, 新增, 累计, 总量) go. What a target
counts (新增 vs a total, 每年, 年均增长) is kept as its kind, so a yearly flow is never
compared with a stock.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg_build.linking.minhash import candidate_pairs, signature
from kg_build.linking.model import Claim, Indicator, TargetRef, TaskRef
from kg_build.records import PlanRecord, TargetMention, TaskRecord
from kg_build.regions import find_regions, region_info

_COUNTERS = "个家座所项条处名户台张次支场行"
_UNIT_CHARS = rf"%％‰{_COUNTERS}万亿元吨亩米小时工作日平方公里人岁期倍"
# A number that closes an earlier item: 97%以上和 / 3小时、 — not a category (5岁以下儿童).
_CLOSING_NUMBER = re.compile(rf"\d+(?:\.\d+)?[{_UNIT_CHARS}/]{{0,5}}(?:以上|以下|以内|左右)?(?=[、，；和及与（(]|$)")
_YEAR = re.compile(r"((?:19|20)\d\d)年(?:年底|底|末)?(?:前)?")
_LEAD_JUNK = re.compile(r"^(?:[、，；：和及与或的“”\"]|以上|以下|以内|左右|分别|其中|并|要)+")
_VERBS = re.compile(
    r"^(?:力争|争取|确保|基本|持续|全面|加快|稳定|保持|累计|新增|新建|新培育|新引进|新认定|培育|引进|打造|建成|"
    r"建设|完成|实现|达到|全市|我市|全省|通过备案的|经备案的|每年|年均|重点|创建|形成|拥有|提升|实施)+")
_TRAIL = re.compile(r"(?:分别|稳定|达到|达|提高到|提高|控制在|突破|超过|总量|总数|数量|规模以上的|要|为|至)+$")
_SCOPES = [
    (re.compile(r"每个县（市、区）|每个县（市）|每个县|每县"), "每县"),
    (re.compile(r"每个村（社区）|每个村|每村|每个乡镇"), "每村"),
    (re.compile(r"各县（市、区）|各县\(市、区\)"), "各县（市、区）"),
    (re.compile(r"中心城区|主城区|市区|许昌市建成区|市建成区"), "中心城区"),
    (re.compile(r"县城|各县（市）|各县\(市\)|县（市）|各县"), "县城"),
]
_MEASURE_END = re.compile(r"(?:数|量|率|比重|比例|面积|规模|额|密度|强度|寿命|时间|时限|时长|份额|成本|速度|占比|水平)$")
_INCREMENT = re.compile(r"新增|新建|新培育|新引进|新认定|增加(?!值)|新创建")
_ANNUAL = re.compile(r"每年|年均|每年度|年度")
_STEADY = re.compile(r"稳定|保持|持续")
_PERIOD = re.compile(r"((?:19|20)\d\d)\s*[—–\-－~至]+\s*((?:19|20)\d\d)年")


def plan_end_year(plan: PlanRecord) -> int | None:
    """The last year of the period a plan names in its title (（2020—2022年） → 2022)."""
    m = _PERIOD.search(plan.title)
    return int(m.group(2)) if m else None


def _inline_brackets(s: str) -> str:
    """工程（技术）研究中心 → 工程技术研究中心; a longer aside (a list, an alias) is dropped."""
    s = re.sub(r"[（(]([^（）()]{1,2})[）)]", r"\1", s)
    return re.sub(r"[（(][^（）()]*[）)]", "", s)


def _tail(raw: str) -> tuple[str, int | None]:
    """The words after the last closing number or year, and that year if one leads them."""
    year = None
    cut = 0
    for m in _CLOSING_NUMBER.finditer(raw):
        if not _YEAR.match(raw, m.start()):
            cut = max(cut, m.end())
    for m in _YEAR.finditer(raw):
        if m.end() > cut:
            cut, year = m.end(), int(m.group(1))
    s = _LEAD_JUNK.sub("", raw[cut:])
    m = _YEAR.match(s)
    if m:
        year, s = int(m.group(1)), s[m.end():]
    return s, year


def _after_count(t: TargetMention, text: str | None) -> str | None:
    """建成1个森林特色小镇、50个森林乡村: a count whose noun follows it (50个 → 森林乡村), when
    the extractor's phrase holds an earlier item's number instead."""
    if not text or not re.search(r"\d", t.indicator) or t.unit not in _COUNTERS:
        return None
    if text[max(0, t.end - len(t.text)):t.end] != t.text:
        return None     # offsets of an attachment row, not of this text
    m = re.match(r"[^，。；、：（(]{2,20}", text[t.end:])
    return m.group() if m and not re.match(r"以上|以下|左右|以内|的", m.group()) else None


def _scopes(phrase: str, within: str | None) -> tuple[list[str], str]:
    """Scope words and regions of a phrase in text order, and the phrase without them."""
    found: list[tuple[int, str]] = []
    for pattern, scope in _SCOPES:
        for m in pattern.finditer(phrase):
            found.append((m.start(), scope))
        phrase = pattern.sub(lambda m: "\0" * len(m.group()), phrase)
    for r in find_regions(phrase.replace("\0", "，"), within=within):
        found.append((r.start, region_info(r.name, within=within)[1]))
        phrase = phrase[:r.start] + "\0" * (r.end - r.start) + phrase[r.end:]
    rest = re.sub(r"^[\0和及与、，]+", "", phrase).replace("\0", "")
    return [s for _, s in sorted(found)], rest


def _label(phrase: str, unit: str) -> str:
    s = _inline_brackets(phrase)
    s = re.sub(r"[“”\"‘’《》\s]", "", s)
    for _ in range(2):
        s = _TRAIL.sub("", _VERBS.sub("", _LEAD_JUNK.sub("", s)))
    if s and unit and unit in _COUNTERS and not _MEASURE_END.search(s):
        s += "数量"     # 高新技术企业 counted in 家 is the number of them
    return s


def _kind(t: TargetMention) -> str:
    words = t.text + t.indicator
    if _ANNUAL.search(words):
        return "growth" if "增长" in words and t.unit in ("%", "％") else "annual"
    if _INCREMENT.search(words):
        return "increment"
    return "stock"


def plan_claims(plan: PlanRecord, task: TaskRecord | None,
                targets: list[TargetMention], lines: list[int]) -> list[Claim]:
    """Claims of one target list (a task's, or the plan's goals), numbered as iris numbers them."""
    end_year = plan_end_year(plan)
    task_ref = TaskRef(plan.key, task.path, task.line, plan.doc_number) if task else None
    owner = f"{plan.key}/{task.path if task else 'goal'}"
    out: list[Claim] = []
    prev: tuple[list[str], str, str] | None = None     # scopes, label, chain of the previous item
    position = 0
    for n, (t, line) in enumerate(zip(targets, lines), 1):
        if not t.indicator:
            prev = None
            continue
        after = _after_count(t, task.text if task else None)
        tail, year = _tail(after or t.indicator)
        scopes, rest = _scopes(tail, plan.jurisdiction)
        label = _label(rest, t.unit)
        if prev and not label and not scopes:
            scopes, label, chain = prev[0], prev[1], prev[2]     # 97%、93%: the same phrase, next item
            position += 1
        else:
            if not label and prev:
                label = prev[1]                                 # 县城达到16平方米: the previous measure
            if not label:
                label = _label(_inline_brackets(t.indicator), t.unit) or t.indicator
            chain, position = f"{owner}#{n}", 0
        prev = (scopes, label, chain)
        scope = scopes[position] if 0 < len(scopes) and position < len(scopes) and len(scopes) > 1 \
            else "、".join(dict.fromkeys(scopes))
        explicit = year is not None or (t.due is not None and t.due.date is not None)
        horizon = year or (int(t.due.date[:4]) if explicit else end_year)
        out.append(Claim(
            target=TargetRef(plan.key, task.path if task else None, n, line), task=task_ref,
            doc_number=plan.doc_number, indicator=f"{label}@{scope}", wording=t.indicator, scope=scope,
            horizon=horizon, explicit=explicit, kind=_kind(t), value=t.value, value_low=t.value_low,
            unit=t.unit, comparator=t.comparator, text=t.text, chain=chain,
            steady=bool(_STEADY.search(t.text + t.indicator)), jurisdiction=plan.jurisdiction))
    return out


def claims_of(plan: PlanRecord) -> list[Claim]:
    out = plan_claims(plan, None, plan.targets, plan.target_lines)
    for task in plan.tasks:
        out.extend(plan_claims(plan, task, task.targets, task.target_lines))
    return out


# Two labels that differ in a level or a number name different measures (II级 vs III级 廊道,
# 省级 vs 市级 平台), however alike they look.
_NUMBERING = re.compile(r"[0-9IVXⅠⅡⅢⅣ一二三四五六七八九十]+")
_LEVEL = re.compile(r"[省市县国乡村级上下内外]")
SAME_LABEL = 0.85        # Dice on character bigrams, across plans
SAME_LABEL_RESTATED = 0.7  # within one task: an attachment row restating the body


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def _dice(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _alike(a: str, b: str, threshold: float) -> bool:
    if _NUMBERING.findall(a) != _NUMBERING.findall(b) or set(_LEVEL.findall(a)) != set(_LEVEL.findall(b)):
        return False
    return _dice(a, b) >= threshold


def merge_similar(claims: list[Claim]) -> list[Claim]:
    """Give near-identical labels of one scope one indicator (每千名老年人拥有养老床位数 /
    每千名老年人口拥有养老床位数). Candidates come from MinHash-LSH on label bigrams, so the
    work grows with the number of distinct labels, not with its square."""
    keys = sorted({c.indicator for c in claims})
    sigs = {k: sig for k in keys if (sig := signature(_bigrams(k.partition("@")[0]))) is not None}
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for a, b in candidate_pairs(sigs):
        la, _, sa = a.partition("@")
        lb, _, sb = b.partition("@")
        if sa == sb and _alike(la, lb, SAME_LABEL):
            union(a, b)
    by_task: dict[tuple, list[Claim]] = {}
    for c in claims:
        if c.task is not None:
            by_task.setdefault((c.task, c.unit, c.kind, c.horizon), []).append(c)
    for group in by_task.values():       # a handful of targets per task: pairs are cheap here
        for i, x in enumerate(group):
            for y in group[i + 1:]:
                if x.target.line != y.target.line and x.scope == y.scope and _alike(
                        x.indicator.partition("@")[0], y.indicator.partition("@")[0], SAME_LABEL_RESTATED):
                    union(x.indicator, y.indicator)
    count: dict[str, int] = {}
    for c in claims:
        count[c.indicator] = count.get(c.indicator, 0) + 1
    members: dict[str, list[str]] = {}
    for k in keys:
        members.setdefault(find(k), []).append(k)
    # the label most plans use names the group; ties go to the shorter, then the first in order
    canon = {k: min(ms, key=lambda m: (-count[m], len(m), m)) for ms in members.values() for k in ms}
    return [c if canon[c.indicator] == c.indicator else replace(c, indicator=canon[c.indicator]) for c in claims]


def indicators_of(claims: list[Claim]) -> dict[str, Indicator]:
    """One Indicator per label and scope, with every wording seen."""
    out: dict[str, Indicator] = {}
    for c in claims:
        label, _, scope = c.indicator.partition("@")
        ind = out.setdefault(c.indicator, Indicator(c.indicator, f"{scope}{label}" if scope else label))
        ind.spellings.add(c.wording)
    return out
