"""Deadlines in task text → DeadlineMention records (pure).

A deadline is a point in time the text commits to, resolved to the last day meant:
2020年8月底前 → 2020-08-31, 到2022年 → 2022-12-31, 今年 → the plan's year-end.
Recurring times (每年, 每月5日), year ranges that date a title, document numbers and
anything inside 《…》 are not deadlines. A window with no calendar end (未来三年内)
is kept with date None, so the caller still sees the commitment.
"""
from __future__ import annotations

import calendar
import re

from kg_build.numerals import (CN_DIGITS, CN_NUMERAL, CN_NUMERAL_CHARS, cn_digits_to_int, normalize_digits,
                               to_number)
from kg_build.records import DeadlineMention

_NUM = rf"(?:\d{{1,2}}|[{CN_DIGITS}十]{{1,3}})"
_YEAR = rf"(?<![\d{CN_DIGITS}])(?:(?P<y>(?:19|20)\d\d)|(?P<ycn>[{CN_DIGITS}]{{4}})|(?P<rel>今|明))\s*年"
# What may follow the year: a day, a month part, a quarter, a half, or the year end.
_TAIL = (
    rf"(?:(?P<m>{_NUM})\s*月(?:份)?\s*(?:(?P<d>{_NUM})\s*日|(?P<mpart>底|末|上旬|中旬|下旬))?"
    r"|(?P<q>第?[一二三四1-4])\s*季度末?"
    r"|(?P<half>上|下)半年"
    r"|(?P<yend>年?底|年?末))"
)
_PREFIX = r"(?:(?P<pre>截至|截止|到|至|在|于)[ \u3000]*)?"
_SUFFIX = r"(?:前|以前|之前)?"

# One pass finds year ranges (to skip or read as their end), dated phrases and
# year-less month/half/quarter phrases; the first alternative that matches wins.
_RANGE = re.compile(
    rf"(?=[12])(?P<y1>(?:19|20)\d\d)\s*年?\s*[—\-–~～至到]\s*(?P<y2>(?:19|20)\d\d)\s*年"
)
# Each pattern opens with a look at its possible first characters: a cheap test that spares
# the alternatives at the many positions where no deadline can start.
_PRE_CHARS = "截到至在于"
_DATED = re.compile(rf"(?=[{_PRE_CHARS}12{CN_DIGITS}今明]){_PREFIX}{_YEAR}\s*{_TAIL}?{_SUFFIX}")
# Without a year only unmistakable phrases count: 6月底前, 年底前, 上半年, 一季度.
_YEARLESS_TAIL = (
    rf"(?:(?P<m>{_NUM})\s*月(?:份)?\s*(?P<mpart>底|末|上旬|中旬|下旬)(?P<d>)"
    r"|(?P<q>第?[一二三四])\s*季度末?"
    r"|(?P<half>上|下)半年"
    r"|(?P<yend>年底|年末|年内))"
)
_YEARLESS = re.compile(rf"(?=[{_PRE_CHARS}\d{CN_DIGITS}十第上下年]){_PREFIX}(?<![\d年月每当同{CN_DIGITS}十])"
                       rf"{_YEARLESS_TAIL}{_SUFFIX}")
# 到“十四五”末: the end of a five-year plan period (the 14th ends in 2025).
_FIVE_YEAR_END = re.compile(
    rf"(?=[{_PRE_CHARS}“十二]){_PREFIX}“?(?P<n>十[一二三四五六七八九]|二十)五”?(?:规划)?(?:期末|末)")
# 未来三年内, 3到5年, 用两年时间: a window counted from now.
_WINDOW = re.compile(
    rf"(?=[未今用通\d{CN_NUMERAL_CHARS}])(?P<lead>未来|今后|用|通过)?"
    rf"(?<![\d{CN_DIGITS}十百千万])(?P<a>\d{{1,2}}|{CN_NUMERAL})"
    rf"(?:\s*(?:到|至|—|-|～)\s*(?P<b>\d{{1,2}}|{CN_NUMERAL}))?\s*年(?P<tail>内|以内|时间)?"
)

_BOOK = re.compile(r"《[^《》]*》")
_ANY_TIME_WORD = re.compile("[年月季末]")
_BRACKETED_RANGE = re.compile(r"[（(][^（）()]*?(?:19|20)\d\d[^（）()]*?[—\-–~～至到][^（）()]*?[）)]")
# Words before a year that make it a baseline or a recurrence, not a commitment.
_BASELINE_BEFORE = re.compile(r"(?:比|较|与|同|以|每|自|从)$")
_BASELINE_AFTER = re.compile(r"^(?:的?基础上|为基|水平|以来|起|开始|本|版|同期|相比)")


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    """Book titles and bracketed year ranges: dates there name a document, not a deadline."""
    spans = [m.span() for m in _BOOK.finditer(text)]
    spans += [m.span() for m in _BRACKETED_RANGE.finditer(text)]
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _iso(year: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12) or not (1 <= day <= _month_end(year, month)):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _resolve_year(m: re.Match, plan_year: int | None) -> int | None:
    if m.group("y"):
        return int(m.group("y"))
    if m.group("ycn"):
        return cn_digits_to_int(m.group("ycn"))
    if m.group("rel") in ("今", "本"):
        return plan_year
    if m.group("rel") == "明":
        return plan_year + 1 if plan_year else None
    return plan_year


def _last_day(m: re.Match, year: int) -> str | None:
    """The last day the matched tail means within `year`."""
    if m.group("m"):
        month = int(to_number(m.group("m")) or 0)
        if not 1 <= month <= 12:
            return None
        if m.group("d"):
            return _iso(year, month, int(to_number(m.group("d")) or 0))
        part = m.group("mpart")
        day = {"上旬": 10, "中旬": 20}.get(part or "", _month_end(year, month))
        return _iso(year, month, day)
    if m.group("q"):
        quarter = int(to_number(m.group("q").lstrip("第")) or 0)
        return _last_day_of_quarter(year, quarter)
    if m.group("half") == "上":
        return _iso(year, 6, 30)
    return _iso(year, 12, 31)


def _last_day_of_quarter(year: int, quarter: int) -> str | None:
    if not 1 <= quarter <= 4:
        return None
    return _iso(year, quarter * 3, _month_end(year, quarter * 3))


def _is_baseline(text: str, start: int, end: int) -> bool:
    return bool(_BASELINE_BEFORE.search(text[max(0, start - 2):start])
                or _BASELINE_AFTER.match(text[end:end + 4]))


def find_deadlines(text: str, *, year: int | None) -> list[DeadlineMention]:
    """Every deadline phrase in `text`, in order, with the last day it means.

    `year` is the plan's year, used for 今年, 年底前 and 6月底前 without a year.

    >>> [(d.text, d.date) for d in find_deadlines("2020年8月底前完成，今年开工", year=2020)]
    [('2020年8月底前', '2020-08-31'), ('今年', '2020-12-31')]
    """
    if not _ANY_TIME_WORD.search(text):
        return []     # every pattern below needs one of 年 月 季 末
    written, text = text, normalize_digits(text)   # same length: offsets carry over
    blocked = _blocked_spans(text)
    taken: list[tuple[int, int]] = []
    found: list[DeadlineMention] = []

    def add(start: int, end: int, date: str | None) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        found.append(DeadlineMention(text=written[start:end], date=date, start=start, end=end))

    for m in _RANGE.finditer(text):
        if _inside(m.start(), blocked):
            taken.append(m.span())
        else:   # 2020—2022年, in running text: the work is due by the range's end
            add(m.start(), m.end(), _iso(int(m.group("y2")), 12, 31))
    for m in _DATED.finditer(text):
        _add_dated(m, text, year, blocked, add)
    for m in _YEARLESS.finditer(text):
        if year is None or _inside(m.start(), blocked) or _recurring(text, m):
            continue
        add(m.start(), m.end(), _last_day(m, year))
    for m in _FIVE_YEAR_END.finditer(text):
        if not _inside(m.start(), blocked):
            add(m.start(), m.end(), _iso(1955 + 5 * int(to_number(m.group("n")) or 0), 12, 31))
    for m in _WINDOW.finditer(text):
        if _inside(m.start(), blocked) or not (m.group("lead") or m.group("tail") or m.group("b")):
            continue
        if text[m.end():m.end() + 1] in ("来", "级", "期"):   # 三年来 is the past
            continue
        start = m.start("lead") if m.group("lead") in ("未来", "今后") else m.start("a")
        add(start, m.end(), None)
    return sorted(found, key=lambda d: d.start)


def _add_dated(m: re.Match, text: str, plan_year: int | None, blocked, add) -> None:
    start, end = m.span()
    if _inside(m.start(), blocked) or _is_baseline(text, m.start(), m.end()):
        return
    if text[m.end():m.end() + 1] == "度" and not m.group("q"):  # 2020年度 reads as the year
        end = m.end() + 1
    year = _resolve_year(m, plan_year)
    if year is None:
        return
    if m.group("pre") in ("截至", "截止") and plan_year and year < plan_year:
        return   # 截至2019年底 reports the past
    add(start, end, _last_day(m, year))


def _recurring(text: str, m: re.Match) -> bool:
    before = text[max(0, m.start() - 2):m.start()]
    return "每" in before or before.endswith("年度") or before.endswith("当年")


_CN_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d\d|[{CN_DIGITS}]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM}|[{CN_DIGITS}十]{{2,3}})\s*日"
)


def parse_cn_date(s: str) -> str | None:
    """A written calendar date → ISO: 2020年4月24日, 2020 年 4 月 24 日, 二〇二〇年四月二十四日.

    >>> parse_cn_date("二〇二〇年四月二十四日"), parse_cn_date("2020 年 4 月 24 日")
    ('2020-04-24', '2020-04-24')
    """
    m = _CN_DATE.search(normalize_digits(s))
    if not m:
        return None
    year = cn_digits_to_int(m.group("y"))
    month, day = to_number(m.group("m")), to_number(m.group("d"))
    if year is None or month is None or day is None:
        return None
    return _iso(year, int(month), int(day))


# 持续推进 / 按进度推进 / 长期坚持: the commitment runs on; a status, not a date.
_STATUS = re.compile(r"(?:[（(]|[，,；;]|^)\s*(持续推进|长期推进|长期坚持|按进度推进|按年度推进|分年度推进|逐年推进|常态化推进)\s*(?:[）)]|[，,；;。]|$)")


def find_status(text: str) -> str | None:
    """The time status a task states instead of a date, e.g. （持续推进）.

    >>> find_status("推进改革。（持续推进，牵头单位：市发改委）"), find_status("到2020年底完成。")
    ('持续推进', None)
    """
    m = _STATUS.search(text)
    return m.group(1) if m else None
