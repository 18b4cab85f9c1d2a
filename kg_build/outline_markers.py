"""Outline numbering of Chinese official documents (pure).

Levels, outermost first: 第X章 / 第X节 / 一、 / 第X条 / （一） / 1. 1． 1、 1﹒ / （1） ⑴ / ① /
dash bullets (— ● ·). Levels only order the markers: a marker closes every open heading of
its own or a deeper level. A marker is recognised only at the start of a paragraph.
"""
from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = "零〇一二三四五六七八九十百"
CHAPTER, SECTION, PART, ARTICLE, ITEM, NUMBERED, SUBITEM, CIRCLED, BULLET = 0, 0.5, 1, 1.5, 2, 3, 4, 5, 6
_MARKERS = [
    (CHAPTER, re.compile(rf"^第([{_CN_DIGITS}\d]+)(?:章(?![程节])|部分)")),
    (SECTION, re.compile(rf"^第([{_CN_DIGITS}\d]+)节")),
    (PART, re.compile(rf"^([{_CN_DIGITS}]+)、")),
    (ARTICLE, re.compile(rf"^第([{_CN_DIGITS}\d]+)条(?![例款件])")),
    (ITEM, re.compile(rf"^[（(]([{_CN_DIGITS}]+)[）)]")),
    # 1. 1． 1、 1﹒ (U+FE52) — but not a year or a decimal such as 2021年 / 1.5万
    (NUMBERED, re.compile(r"^(\d{1,3})\s*[.．、﹒](?![\d])")),
    (SUBITEM, re.compile(r"^[（(](\d{1,3})[）)]|^([\u2474-\u2487])|^(\d{1,2})[）)](?![\d%])")),   # （1） ⑴ 1）
    (CIRCLED, re.compile(r"^([\u2460-\u2473])")),                          # ① … ⑳
    (BULLET, re.compile(r"^(?:——|—|－|-|●|•|·|▲|■|◆)(?=\s*[\u4e00-\u9fff“《（])")),
]
# pkulaw prints a chapter heading and the chapter's first article on one line:
# 第二章　规划建设　　第八条　州数据资源主管部门应当…
GLUED_ARTICLE = re.compile(rf"^第[{_CN_DIGITS}\d]+章[^。；]{{1,30}}?(?=第[{_CN_DIGITS}\d]+条)")

_FIRST_SENTENCE = re.compile(r"([^。！？]*?)(?:[。！？]|$)")


def heading_level(text: str) -> float | None:
    """Outline level of a paragraph that starts with a numbering marker, else None.

    >>> heading_level("（一）构建便捷畅通的综合交通体系"), heading_level("2. 积极打造"), heading_level("2021年年底")
    (2, 3, None)
    >>> heading_level("第八条州数据资源主管部门应当…"), heading_level("①加快建设")
    (1.5, 5)
    """
    if not text:
        return None
    for level, rx in _MARKERS:
        if rx.match(text):
            return level
    return None


def split_marker(text: str) -> tuple[float, str, str] | None:
    """(level, number as printed, rest of the text) for a numbered paragraph; a bullet's
    number is "" (its place among its siblings numbers it)."""
    for level, rx in _MARKERS:
        m = rx.match(text)
        if m:
            number = next((g for g in m.groups() if g), "")
            return level, number, text[m.end():].lstrip()
    return None


def _number(number: str) -> str:
    if len(number) == 1 and not number.isascii() and unicodedata.numeric(number, None) is not None \
            and number not in _CN_DIGITS:
        return str(int(unicodedata.numeric(number)))          # ① → 1, ⑴ → 1
    return number


def path_component(level: float, number: str) -> str:
    """Outline path component as in `二.(一).3.(2)`, `第二章.第八条`, `①`."""
    if level == CHAPTER:
        return f"第{number}章"      # 第一部分 nests like a chapter; its path reads 第一章 the same way
    if level == SECTION:
        return f"第{number}节"
    if level == ARTICLE:
        return f"第{number}条"
    if level in (ITEM, SUBITEM):
        return f"({_number(number)})"
    if level == CIRCLED:
        return f"c{_number(number)}"
    if level == BULLET:
        return f"b{number}"
    return number


def heading_title(rest: str) -> str:
    """The short heading of a numbered paragraph: its first sentence, without the full stop."""
    m = _FIRST_SENTENCE.match(rest)
    title = (m.group(1) if m else rest).strip()
    return title
