"""Lines → paragraphs, with page-break artefacts repaired (pure).

Gazettes are converted from paginated PDF: a sentence cut by a page break ends up in
two blank-separated paragraphs ("…港区" / "至鄢陵…"), and a unit note may be orphaned
("区〕政府〔管委会〕", "（责任单位：…）" alone). A paragraph keeps the original line of each
of its pieces so any character can be traced back to its source line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_build.outline_markers import heading_level

# A paragraph that ends with one of these is complete; anything else was cut by a page break.
_TERMINAL = "。！？；：）)」”\"』】…"
_UNIT_NOTE_START = re.compile(r"^[（(]\s*(牵头|责任|配合|主责|协办|牵头考核)")
# English connectives left inside Chinese sentences by the PDF conversion.
_STRAY_ENGLISH = {"and": "和", "or": "或"}
_SPACE = re.compile(r"\s")
_SPACE_RUN = re.compile(r"\s+")
_WIDE_SPACE = re.compile(r"[^\S\x00-\x7f]")     # whitespace beyond ASCII (\xa0, \u2002 …)
_LAYOUT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_DIGIT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[0-9])|(?<=[0-9])\s+(?=[^\x00-\x7f])")
_STRAY_RE = re.compile(r"(?<=[\u4e00-\u9fff，、])\s*\b(and|or)\b\s*(?=[\u4e00-\u9fff])")


@dataclass
class Paragraph:
    text: str                      # repaired text, whitespace inside Chinese removed
    line: int                      # 1-based line where it starts
    end_line: int
    pieces: list[tuple[int, int]] = field(default_factory=list)   # (offset in text, source line)

    def line_at(self, offset: int) -> int:
        """Source line of the character at `offset`."""
        line = self.line
        for start, src in self.pieces:
            if start <= offset:
                line = src
            else:
                break
        return line


def clean_line(raw: str) -> str:
    """Remove layout whitespace (full-width spaces, spaces between CJK characters)."""
    s = raw.replace("\u3000", " ").strip()
    if not _SPACE.search(s):
        return s          # nothing to remove, and no stray English word without a space
    # Spaces between two CJK characters or CJK and punctuation are layout, not content;
    # spaces between Latin words (5G NB-IoT, "i 许昌") are kept.
    s = _drop_layout_spaces(s) if not _WIDE_SPACE.search(s) else _DIGIT_SPACE.sub("", _LAYOUT_SPACE.sub("", s))
    if "and" in s or "or" in s:
        s = _STRAY_RE.sub(lambda m: _STRAY_ENGLISH[m.group(1)], s)
    return s


def _drop_layout_spaces(s: str) -> str:
    """_LAYOUT_SPACE then _DIGIT_SPACE in one pass over the runs of ASCII whitespace.

    With ASCII whitespace only, each pattern can match a run only as a whole, by the two
    characters around it: a run goes between two wide (non-ASCII) characters, or between a
    wide character and an ASCII digit in either order.
    """
    out, last = [], 0
    for m in _SPACE_RUN.finditer(s):
        a, b = m.span()
        before, after = s[a - 1] if a else "", s[b] if b < len(s) else ""
        wide_before, wide_after = before > "\x7f", after > "\x7f"
        if (wide_before and (wide_after or "0" <= after <= "9")) or ("0" <= before <= "9" and wide_after):
            out.append(s[last:a])
            last = b
    out.append(s[last:])
    return "".join(out)


def lines_are_paragraphs(lines: list[str]) -> bool:
    """Whether a text puts each paragraph on one line, with few or no blank lines between
    (web and database exports: the State Council corpus, pkulaw), rather than wrapping
    paragraphs over lines separated by blank lines (gazettes converted from PDF, the sample).

    >>> lines_are_paragraphs(["一、总体要求", "（一）指导思想。以…为指导。", "（二）发展目标。"])
    True
    >>> lines_are_paragraphs(["一、总体要求", "", "为贯彻落实", "有关精神。", ""])
    False
    """
    blank = sum(1 for l in lines if not l.strip())
    return blank < 0.25 * (len(lines) - blank)


def split_paragraphs(lines: list[str], first_line: int = 1, *, one_per_line: bool = False) -> list[Paragraph]:
    """Blank-line separated paragraphs of `lines` (line numbers from `first_line`), unrepaired;
    with `one_per_line`, every non-blank line is a paragraph of its own.

    Table rows (lines holding tabs) are kept one per paragraph.
    """
    out: list[Paragraph] = []
    cur: Paragraph | None = None
    for i, raw in enumerate(lines):
        n = first_line + i
        if not raw.strip():
            cur = None
            continue
        if "\t" in raw:
            out.append(Paragraph(raw.rstrip("\n"), n, n, [(0, n)]))
            cur = None
            continue
        text = clean_line(raw)
        if cur is None or one_per_line:
            cur = Paragraph(text, n, n, [(0, n)])
            out.append(cur)
        else:
            cur.pieces.append((len(cur.text), n))
            cur.text += text
            cur.end_line = n
    return out


def _is_cut(prev: Paragraph, nxt: Paragraph) -> bool:
    """Whether `nxt` continues `prev` across a page break."""
    if "\t" in prev.text or "\t" in nxt.text:
        return False
    if _UNIT_NOTE_START.match(nxt.text):
        return True           # a unit note never stands alone
    if heading_level(nxt.text) is not None:
        return False
    if prev.text.endswith(tuple(_TERMINAL)):
        return False
    if heading_level(prev.text) is not None and "。" not in prev.text:
        return False          # a bare heading such as （一）指导思想 is complete as it is
    if _unbalanced(prev.text):
        return True
    return len(prev.text) >= 20   # short unterminated lines are titles and signatures


def _unbalanced(s: str) -> bool:
    return s.count("（") > s.count("）") or s.count("〔") > s.count("〕") or s.count("“") > s.count("”")


def _is_orphan_tail(p: Paragraph) -> bool:
    """A short fragment that closes brackets it never opened (区〕政府〔管委会〕): the tail of a
    unit list that the PDF conversion printed twice."""
    t = p.text
    return len(t) <= 20 and "\t" not in t and (t.count("〕") > t.count("〔") or t.count("）") > t.count("（")) \
        and heading_level(t) is None      # 1）建设道路。（…） is an item, not a tail


def join_page_breaks(paras: list[Paragraph]) -> list[Paragraph]:
    """Merge paragraphs that a page break split; drop repeated orphan tails."""
    out: list[Paragraph] = []
    for p in paras:
        if out and _is_orphan_tail(p) and not _is_cut(out[-1], p):
            continue
        if out and _is_cut(out[-1], p):
            prev = out[-1]
            base = len(prev.text)
            prev.pieces.extend((base + off, src) for off, src in p.pieces)
            prev.text += p.text
            prev.end_line = p.end_line
        else:
            out.append(Paragraph(p.text, p.line, p.end_line, list(p.pieces)))
    return out
