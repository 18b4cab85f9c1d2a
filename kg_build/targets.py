"""Quantitative commitments in task text → TargetMention records (pure).

A target is a number the text commits to: 建设5G基站2000个, 污水处理率达到97%以上,
平均审核时间不超过6个工作日, 年均增长3%. Numbers that only describe a category
(4.3米及以下的焦炉, 5万人以上规模的水厂), set a rate's base (每10万亩), a reward
(给予10—50万元奖励), a baseline (由目前的3—5个工作日) or a name (15分钟交通圈,
《…》, 5G, IV类) are not targets. Each rule below is written for the kind of phrase,
never for one sentence.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import lru_cache

from kg_build.dates import find_deadlines
from kg_build.numerals import normalize_digits, to_number
from kg_build.records import (APPROXIMATELY, AT_LEAST, AT_MOST, EXACTLY, DeadlineMention,
                              TargetMention)

# Units as written. A 万/亿/千 prefix stays in the unit (7.6万户 → 7.6, 万户), as the gold keeps it.
_BASE_UNITS = sorted("""
个工作日 工作日 个百分点 百分点 平方公里 平方米 立方米 公顷 亩 吨/日 吨标准煤 吨 千瓦时 千瓦 兆瓦
美元 元 人次 户 人 个 家 座 项 处 所 张 次 台 辆 条 公里 千米 米 行 岁 天 小时 分钟 倍 种
套 件 名 位 栋 间 床 支 艘 架 公斤 千克 克 斤 微克 毫克 株 棵 头 只 场 批次 批 平方千米
""".split(), key=len, reverse=True)
_BASE = r"(?:万亿|[万亿千百])?(?:" + "|".join(re.escape(u) for u in _BASE_UNITS) + r")"
# 万吨/日, 公里/平方公里: a rate keeps both parts.
_UNIT = rf"%|‰|{_BASE}(?:/(?:{_BASE}|日|天|年|月|小时))?"
_ARABIC = r"\d+(?:\.\d+)?"
# Chinese numerals must start with a digit: 万亩以上 or 千吨万人 carry no count.
_CHINESE = r"[一二三四五六七八九两十][〇零一二三四五六七八九十百千]*"
_RANGE_SEP = r"[—\-–~～至到]"
_SP = r"[ \u3000]*"     # spaces only: a tab or newline separates table cells
_MENTION = re.compile(
    rf"(?=[\d一二三四五六七八九两十])(?<![\d.A-Za-z])(?P<num>{_ARABIC}|{_CHINESE})"
    rf"(?:{_SP}[%‰]?{_SP}{_RANGE_SEP}{_SP}(?P<num2>{_ARABIC}|{_CHINESE}))?"
    rf"{_SP}(?P<unit>{_UNIT})?"
    rf"(?P<after>{_SP}(?:及以上|以上|及以下|以下|以内|左右))?"
)

# Comparators written before the number (at the end of the text before it).
_BEFORE_AT_LEAST = re.compile(
    r"(?:不低于|不少于|至少[\u4e00-\u9fff]{0,3}|(?<!不)超过|(?<!不)超|突破|大于|(?<!不)高于|(?<!不)多于|≥|>=)(?:有|达到|为)?$")
_BEFORE_AT_MOST = re.compile(r"(?:不超过|不高于|不多于|(?<!不)低于|(?<!不)少于|小于|控制在|≤|<=)$")
_BEFORE_APPROX = re.compile(r"(?:大约|约|(?<!就)近)$")
_AFTER_COMPARATOR = {"及以上": AT_LEAST, "以上": AT_LEAST, "及以下": AT_MOST,
                     "以下": AT_MOST, "以内": AT_MOST, "左右": APPROXIMATELY}

# A unitless number is a target only right after a word that sets a level (系数达到0.7以上).
_LEVEL_VERB = re.compile(r"(?:达到|达|提高到|提升到|降至|降到|控制在|不低于|不高于|不超过|保持在|稳定在)$")
_UNITLESS_END = re.compile(r"^(?:以上|以下|左右|[，。；、）]|$)")
# Chinese-numeral counts are targets only as the object of building or having something
# (规划建设一个市级公立中医院, 至少有一所); 强化三个功能区 or 发现一处 are not commitments.
_COMMIT_VERB = re.compile(
    r"(?:建设|新建|建成|设立|设置|有|培育|打造|创建|争创|引进|新增|增加|完成|(?<!构)建|配备)"
    r"(?:分别|各|共)?$")

_CLAUSE_END = "，,；;。！？：:\n\t"
_SENTENCE_END = "。！？\n"
_BOOK = re.compile(r"《[^《》]*》")
_QUOTE = re.compile(r"“[^“”]*”")
_GLOSS = re.compile(r"”[（(][^（）()]*[）)]")     # “五个一”（坚定一个目标…）explains a slogan
_DOC_NO = re.compile(r"〔\d{4}〕\d+号")
_CONCEPT = re.compile(r"^[^，。；、]{0,8}圈")      # 15分钟交通圈, 1小时经济圈
_CATEGORY_TAIL = re.compile(r"^(?:规模|左右)?的")   # 5万人以上规模的水厂, 1000平方公里的河流
_LIST_SUMMARY = re.compile(r"^[^，。；、“”（）]{1,8}的")  # 等四个高铁站的线路
_REWARD_BEFORE = re.compile(r"(?:给予|奖励|补助|补贴|资助)$")
_BASELINE_BEFORE = re.compile(r"由(?:目前|现在|现有|原来)?的?$")
_COUNT_UNITS = re.compile(r"^(?:[万亿千百])?(?:个|家|座|项|处|所|张|台|辆|条|种|套|件|名|位|户|人)$")

_LATIN = re.compile(r"[A-Za-z]")
_LIST_OR_ASIDE = re.compile(r"[、（(]")
_UP_TO_BUILD = re.compile(r"^(?:[^，]*?)(?:建设|新建|完成|培育)")
_OWN_COMPARATOR = re.compile(r"(?:以上|以下|以内|左右)$")
_LEAD_WORDS = re.compile(
    r"^(?:力争|争取|确保|努力|全面|基本|实现|进一步|其中|原则上?|累计|全市|我市|重点|加快|推动|推进|使|让|并|且|和|同时)+")
_TRAIL_WORDS = re.compile(
    r"(?:力争|争取|确保|分别|各|共|均|要|将|再|已|稳定在|保持在|提高到|提升到|提高至|降至|降到|控制在|达到|达|为|"
    r"不低于|不少于|至少有|至少|超过|超|突破|大于|高于|不超过|不高于|低于|小于|约|年均增长|增长)+$")
_COUNT_VERBS = re.compile(
    r"(?:建设|新建|建成|完成|新增|培育|引进|打造|创建|争创|创成|扶持|形成|提升|设置|建立|有|实现|开展|组织|安排|"
    r"推进|推动|增加|配备|改造|整治|争取|规划建设|栽植|种植|重点扶持|引进培育|累计培育)$")


# Procedural limits of 办法/条例: a time limit counted from an event (7个工作日内), a minimum
# frequency (每年至少一次); caps a measure sets (最多不超过六批, 不超过五分之一) are policy parameters.
_TIME_LIMIT_UNITS = ("个工作日", "工作日", "日", "天", "小时", "个月")
_TRIGGER_BEFORE = re.compile(r"(?<!不)超过$")
_FAILURE_CONDITION = re.compile(r"^[^，,。；;]*?(?:不|未|没有)[^。；;]*?的")
_CAP_BEFORE = re.compile(r"(?:不超过|最多|最高|至多|不少于|至少)$")
_POLICY_CUE = re.compile(r"允许|最多|最高|上限|放宽|限额|补助|补贴|奖励")
_FRACTION = re.compile(r"(?P<cmp>不超过|不低于|不少于|最多|至少)?(?P<den>[一二三四五六七八九十]+)分之(?P<num>[一二三四五六七八九十]+)")


def _time_limit(unit: str | None, rest: str) -> bool:
    return bool(unit) and unit.endswith(_TIME_LIMIT_UNITS) and rest.startswith(("内", "以内"))


def _frequency(unit: str | None, before: str) -> bool:
    return unit == "次" and "至少" in before and "每" in before


def _fractions(written: str, text: str, deadlines: Dated) -> list[TargetMention]:
    """不超过五分之一 → 0.2, a unitless share; a cap when a measure allows it."""
    out = []
    for m in _FRACTION.finditer(text):
        den, num = to_number(m.group("den")), to_number(m.group("num"))
        if not den or num is None or not m.group("cmp"):
            continue
        before = text[_clause_start(text, m.start()):m.start()]
        comparator = AT_MOST if m.group("cmp") in ("不超过", "最多") else AT_LEAST
        kind = "policy_parameter" if _POLICY_CUE.search(before + m.group("cmp")) or comparator == AT_MOST else "goal"
        out.append(TargetMention(value=round(num / den, 6), unit="", comparator=comparator,
                                 indicator=_indicator(written, m, None), kind=kind,
                                 text=written[_clause_start(text, m.start()):m.end()],
                                 due=_due(deadlines, text, m.start()), start=m.start(), end=m.end()))
    return out


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _BOOK.finditer(text)]
    spans += [m.span() for m in _GLOSS.finditer(text)]
    spans += [m.span() for m in _DOC_NO.finditer(text)]
    return spans


Spans = tuple[list[int], list[int]]     # starts and ends of disjoint spans, in order


def _spans(spans: list[tuple[int, int]]) -> Spans:
    """Spans merged (overlapping or touching ones joined) and sorted, for `_inside` to bisect:
    a scan per match made a 5 MB paragraph quadratic."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if a >= b:
            continue                    # an empty span holds no position
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [a for a, _ in merged], [b for _, b in merged]


def _inside(pos: int, spans: Spans) -> bool:
    """Is `pos` in one of the spans (a <= pos < b)?

    >>> _inside(5, _spans([(0, 2), (4, 6), (5, 9)])), _inside(3, _spans([(0, 2), (4, 6)]))
    (True, False)
    """
    starts, ends = spans
    k = bisect_right(starts, pos) - 1
    return k >= 0 and pos < ends[k]


@lru_cache(maxsize=64)
def _stops(text: str, ends: str) -> list[int]:
    """Positions of the characters of `ends` in `text`: found once per text, then bisected."""
    return [m.start() for m in _any_of(ends).finditer(text)]


@lru_cache(maxsize=8)
def _any_of(chars: str) -> re.Pattern:
    return re.compile(f"[{re.escape(chars)}]")


def _clause_start(text: str, pos: int, ends: str = _CLAUSE_END) -> int:
    """Index just after the last of `ends` before `pos`, or 0."""
    stops = _stops(text, ends)
    k = bisect_left(stops, pos)
    return stops[k - 1] + 1 if k else 0


def _clause_end(text: str, pos: int, ends: str = _CLAUSE_END) -> int:
    """Index of the first of `ends` at or after `pos`, or len(text)."""
    stops = _stops(text, ends)
    k = bisect_left(stops, pos)
    return stops[k] if k < len(stops) else len(text)


def _comparator(before: str, after: str | None) -> str:
    if after:
        return _AFTER_COMPARATOR[after.strip()]
    if _BEFORE_AT_LEAST.search(before):
        return AT_LEAST
    if _BEFORE_AT_MOST.search(before):
        return AT_MOST
    if _BEFORE_APPROX.search(before):
        return APPROXIMATELY
    return EXACTLY


def _is_chinese(num: str) -> bool:
    return not num[0].isdigit()


def _excluded(text: str, m: re.Match, blocked, quoted) -> bool:
    """True when the number names, qualifies or rewards rather than commits."""
    start, end = m.start(), m.end()
    before = text[_clause_start(text, start):start].rstrip(" \u3000")
    rest = text[end:]
    unit = m.group("unit")
    if _inside(start, blocked) or before.endswith(("第", "每")):
        return True
    if unit in ("批", "万批") and not _CAP_BEFORE.search(before):
        return True     # 一批企业 is "some", not a count; only a cap counts batches (最多不超过六批)
    if _TRIGGER_BEFORE.search(before) and _FAILURE_CONDITION.search(text[end:_clause_end(text, end, "。；;")]):
        return True     # 超过五个工作日不答复…的: the condition of a fallback, not a level
    if _is_chinese(m.group("num")) and (_inside(start, quoted) or not (
            _COMMIT_VERB.search(before) or _CAP_BEFORE.search(before) or _time_limit(unit, rest)
            or _frequency(unit, before))):
        return True
    if unit is None:
        return not (_LEVEL_VERB.search(before) and _UNITLESS_END.match(rest)
                    and not _is_chinese(m.group("num")))
    if _LATIN.match(rest) or _CONCEPT.match(rest):
        return True
    if unit not in ("%", "‰") and _CATEGORY_TAIL.match(rest):
        return True
    if unit.endswith("岁") and rest[:1] and rest[:1] not in _CLAUSE_END + "）)":
        return True     # 80岁以上老年人, 5岁以下儿童: an age names a group
    if before.endswith("等") and _LIST_SUMMARY.match(rest):
        return True
    return bool(_REWARD_BEFORE.search(before) or _BASELINE_BEFORE.search(before))


def _in_relative_clause(text: str, m: re.Match, counts: list[int]) -> bool:
    """服务企业达到30家以上、…的外贸综合服务龙头企业: the number describes the noun
    of an earlier count in the same clause, so it qualifies that count. (`counts`: the
    sorted starts of the counts kept so far.)"""
    clause_start = _clause_start(text, m.start())
    k = bisect_left(counts, clause_start)
    if not (k < len(counts) and counts[k] < m.start()):
        return False
    return "的" in text[m.end():_clause_end(text, m.end())]


def _indicator(text: str, m: re.Match, due: DeadlineMention | None) -> str:
    """What is measured, in the text's words: the noun before a level (覆盖率达到30%),
    or the noun a count is of (完成120个配电台区改造升级 → 配电台区改造升级)."""
    start = _clause_start(text, m.start())
    before = text[start:m.start()]
    if due is not None and start <= due.start < m.start():
        before = text[start:due.start] + text[due.end:m.start()]
    before = _TRAIL_WORDS.sub("", before.strip(" \u3000"))
    before = _LEAD_WORDS.sub("", before).strip("，、 ")
    after = text[m.end():_clause_end(text, m.end())]
    after = _LIST_OR_ASIDE.split(after, maxsplit=1)[0]
    if not before or _COUNT_VERBS.search(before):
        return after[:30] or before
    return _COUNT_VERBS.sub("", _UP_TO_BUILD.sub("", before)) or before


Dated = tuple[list[int], list[tuple[int, DeadlineMention]]]


def _dated(deadlines: list[DeadlineMention]) -> Dated:
    """The deadlines with a date, sorted by start (each with its place in `deadlines`), and
    their starts: what `_due` bisects."""
    by_start = sorted(((i, d) for i, d in enumerate(deadlines) if d.date), key=lambda x: x[1].start)
    return [d.start for _, d in by_start], by_start


def _due(deadlines: Dated, text: str, pos: int) -> DeadlineMention | None:
    """The deadline tied to a number: the nearest one before it in the same sentence,
    else the first one after it in that sentence."""
    s_start, s_end = _clause_start(text, pos, _SENTENCE_END), _clause_end(text, pos, _SENTENCE_END)
    starts, by_start = deadlines
    # the sentence's deadlines, found by bisecting rather than a scan of all (a 5 MB paragraph),
    # back in the order given
    dated = [d for _, d in sorted(by_start[bisect_left(starts, s_start):bisect_left(starts, s_end)])]
    before = [d for d in dated if d.end <= pos]
    if before:
        return before[-1]
    after = [d for d in dated if d.start >= pos]
    return after[0] if after else None


def find_targets(text: str, *, year: int | None,
                 deadlines: list[DeadlineMention] | None = None) -> list[TargetMention]:
    """Every quantitative commitment in `text`, in order.

    `deadlines` are the text's deadline mentions (found here when not given); a target
    takes the one tied to it in its sentence as `due`.

    >>> [(t.value, t.unit, t.comparator) for t in find_targets("2020年，建设5G基站2000个。", year=2020)]
    [(2000.0, '个', 'Exactly')]
    """
    written, text = text, normalize_digits(text)
    if deadlines is None:
        deadlines = find_deadlines(written, year=year)
    blocked = _spans(_blocked_spans(text))
    quoted = _spans([q.span() for q in _QUOTE.finditer(text)])
    date_spans = _spans([(d.start, d.end) for d in deadlines])
    kept: list[re.Match] = []
    counts: list[int] = []      # starts of the kept counts, in order (kept only grows, by position)
    for m in _MENTION.finditer(text):
        if not m.group("num") or _inside(m.start(), date_spans) or _excluded(text, m, blocked, quoted):
            continue
        if _in_relative_clause(text, m, counts):
            continue
        kept.append(m)
        if _COUNT_UNITS.match(m.group("unit") or ""):
            counts.append(m.start())
    dated = _dated(deadlines)
    found = [_mention(written, text, m, dated) for m in kept]
    if "分之" in text:
        taken = [(t.start, t.end) for t in found]
        found += [f for f in _fractions(written, text, dated)
                  if not any(a < f.end and f.start < b for a, b in taken)]
        found.sort(key=lambda t: t.start)
    return _share_trailing_comparator(text, found)


def _share_trailing_comparator(text: str, targets: list[TargetMention]) -> list[TargetMention]:
    """控制在7%、9%以下 / 达到97%、93%以上: a comparator closing a 、-list binds every item."""
    out = list(targets)
    for i in range(len(out) - 2, -1, -1):
        here, nxt = out[i], out[i + 1]
        if (text[here.end:nxt.start].strip() in ("、", "和", "及")
                and here.unit == nxt.unit and here.comparator == EXACTLY
                and not _OWN_COMPARATOR.search(here.text)):
            out[i] = replace(here, comparator=nxt.comparator)
    return out


def _mention(written: str, text: str, m: re.Match, deadlines: Dated) -> TargetMention:
    low = to_number(m.group("num"))
    high = to_number(m.group("num2")) if m.group("num2") else None
    before = text[_clause_start(text, m.start()):m.start()].rstrip(" \u3000")
    due = _due(deadlines, text, m.start())
    unit, rest = m.group("unit") or "", text[m.end():]
    comparator, kind = _comparator(before, m.group("after")), "goal"
    if _time_limit(unit, rest):
        comparator, kind = AT_MOST, "procedural"          # 自收到申请之日起7个工作日内
    elif _frequency(unit, before):
        comparator, kind = AT_LEAST, "procedural"         # 每年…至少全面核查一次
    elif comparator == AT_MOST and _POLICY_CUE.search(before):
        kind = "policy_parameter"                         # 最多不超过六批, 最高补助3000万元
    return TargetMention(
        value=high if high is not None else low,
        unit=unit,
        comparator=comparator,
        kind=kind,
        indicator=_indicator(written, m, due),
        text=written[_clause_start(text, m.start()):m.end()],
        value_low=low if high is not None else None,
        due=due,
        start=m.start(),
        end=m.end(),
    )


_CELL = re.compile(r"^\s*(?P<cmp>≤|≥|<=|>=|<|>|约|不低于|不高于|不超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<tail>以上|以下|左右)?\s*$")
_CELL_COMPARATOR = {"≤": AT_MOST, "<=": AT_MOST, "<": AT_MOST, "不高于": AT_MOST, "不超过": AT_MOST,
                    "≥": AT_LEAST, ">=": AT_LEAST, ">": AT_LEAST, "不低于": AT_LEAST, "约": APPROXIMATELY}


def target_from_cell(cell: str, *, indicator: str, unit: str) -> TargetMention | None:
    """One cell of an indicator table: ≤4.2 → AtMost 4.2, ≥35 → AtLeast 35, 78 → Exactly 78;
    text such as 高于全国平均水平 → None.

    >>> target_from_cell("≤4.2", indicator="婴儿死亡率", unit="‰").comparator
    'AtMost'
    """
    m = _CELL.match(normalize_digits(cell).replace("％", "%").rstrip("%"))
    if not m:
        return None
    comparator = _CELL_COMPARATOR.get(m.group("cmp") or "") or \
        (_AFTER_COMPARATOR[m.group("tail")] if m.group("tail") else EXACTLY)
    return TargetMention(value=float(m.group("num")), unit=unit, comparator=comparator,
                         indicator=indicator, text=cell.strip(), start=0, end=len(cell))
