"""Outline numbering of Chinese official documents (pure).

Levels, outermost first: 一、 / （一） / 1. 1． 1、 1﹒ / （1）. A heading marker is
recognised only at the start of a paragraph.
"""
from __future__ import annotations

import re

_CN_DIGITS = "零〇一二三四五六七八九十百"
_MARKERS = [
    (1, re.compile(rf"^([{_CN_DIGITS}]+)、")),
    (2, re.compile(rf"^[（(]([{_CN_DIGITS}]+)[）)]")),
    # 1. 1． 1、 1﹒ (U+FE52) — but not a year or a decimal such as 2021年 / 1.5万
    (3, re.compile(r"^(\d{1,3})\s*[.．、﹒](?![\d])")),
    (4, re.compile(r"^[（(](\d{1,3})[）)]")),
]


_FIRST_SENTENCE = re.compile(r"([^。！？]*?)(?:[。！？]|$)")


def heading_level(text: str) -> int | None:
    """Outline level of a paragraph that starts with a numbering marker, else None.

    >>> heading_level("（一）构建便捷畅通的综合交通体系"), heading_level("2. 积极打造"), heading_level("2021年年底")
    (2, 3, None)
    """
    for level, rx in _MARKERS:
        if rx.match(text):
            return level
    return None


def split_marker(text: str) -> tuple[int, str, str] | None:
    """(level, number as printed, rest of the text) for a numbered paragraph."""
    for level, rx in _MARKERS:
        m = rx.match(text)
        if m:
            return level, m.group(1), text[m.end():].lstrip()
    return None


def path_component(level: int, number: str) -> str:
    """Outline path component as in `二.(一).3.(2)`."""
    return f"({number})" if level in (2, 4) else number


def heading_title(rest: str) -> str:
    """The short heading of a numbered paragraph: its first sentence, without the full stop."""
    m = _FIRST_SENTENCE.match(rest)
    title = (m.group(1) if m else rest).strip()
    return title
