"""Chinese and Arabic numerals → numbers (pure).

Gazettes mix 2020, ２０２０, 二〇二〇, 十二, 一百五十 and 两; extractors call
`to_number` on whatever their patterns captured and get a float or None.
"""
from __future__ import annotations

import re

import cn2an

# Character classes shared by the extractors' patterns.
CN_DIGITS = "〇零一二三四五六七八九两"
CN_NUMERAL_CHARS = CN_DIGITS + "十百千万亿"
CN_NUMERAL = f"[{CN_NUMERAL_CHARS}]+"

_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_DIGIT_BY_CHAR = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_DIGIT_BY_CHAR.update({"零": "0", "两": "2"})
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_DIGITS_ONLY = re.compile(f"[{CN_DIGITS}]+")


_FULLWIDTH_CHAR = re.compile("[０-９．]")


def normalize_digits(text: str) -> str:
    """Full-width digits to ASCII, so one pattern serves both.

    Most texts have none: a search in C is much cheaper than str.translate over CJK text.
    """
    return text.translate(_FULLWIDTH) if _FULLWIDTH_CHAR.search(text) else text


def to_number(s: str) -> float | None:
    """12 → 12.0, 4.2 → 4.2, 十二 → 12.0, 一百五十 → 150.0, 两 → 2.0; else None.

    >>> to_number("一百五十"), to_number("3.5"), to_number("高")
    (150.0, 3.5, None)
    """
    s = normalize_digits(s.strip())
    if not s:
        return None
    if _ARABIC.fullmatch(s):
        return float(s)
    try:
        return float(cn2an.cn2an(s.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def cn_digits_to_int(s: str) -> int | None:
    """Digit-by-digit Chinese years: 二〇二〇 → 2020 (cn2an would read it as a count)."""
    s = normalize_digits(s.strip())
    if s.isdigit():
        return int(s)
    if _DIGITS_ONLY.fullmatch(s):
        return int("".join(_DIGIT_BY_CHAR[c] for c in s))
    return None
