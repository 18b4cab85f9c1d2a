"""A gazette issue → its plan documents, by their notices (pure).

A notice (通知) reads, in order: the notice title (关于印发…的通知, possibly over several
lines), the document number (文号, e.g. 许政〔2020〕7号 — some documents have none),
the addressees, 现将《…》印发给你们, the issuer, the date, then the plan's own title and
its body. The table of contents at the top of an issue repeats the notice titles
followed by a page number; those lines are not notices.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg_build.dates import parse_cn_date
from kg_build.paragraphs import clean_line

# 文号: issuer abbreviation, year in 〔〕 (or [] ［］ 【】), serial number, 号.
DOC_NUMBER = re.compile(r"^([\u4e00-\u9fff]{1,12})\s*[〔［\[【(（]\s*(\d{4})\s*[〕］\]】)）]\s*(\d{1,4})\s*号$")
_NOTICE_END = re.compile(r"的(?:通知|决定|意见|通告|公告)$")
_NOTICE_LAST_CHARS = frozenset("知定见告")     # the last characters _NOTICE_END accepts
_NOTICE_HEAD = re.compile(r"关于(?:印发|转发|下发|颁布)")
_TOC_LINE = re.compile(r"\t\s*\d+\s*$|\.{3,}\s*\d+\s*$|…{2,}\s*\d+\s*$")
_PLAN_TITLE_KINDS = re.compile(r"(方案|计划|规划|意见|措施|办法|纲要|细则|要点)(（[^）]*）)?$")
_ISSUER = re.compile(r"^([\u4e00-\u9fff（）()]{2,30}(人民政府|办公室|办公厅|委员会|政府|厅|局|委|部)|国务院)$")
_BODY_START = re.compile(r"^(为|根据|按照|依据|依照|现将|近年来|当前|坚持|以)")


@dataclass
class PlanSegment:
    doc_number: str | None
    notice_title: str
    issuer: str | None
    issued: str | None
    title: str
    line: int                    # first line of the notice (or of the title if there is none)
    body_line: int               # first line after the plan's own title
    end_line: int                # last line of the plan


def _nonblank(lines: list[str], start: int, stop: int) -> list[int]:
    return [i for i in range(start, min(stop, len(lines))) if lines[i].strip()]


def _notice_starts(lines: list[str]) -> list[tuple[int, int, int | None]]:
    """(first title line, last title line, doc-number line or None) indexes of each notice."""
    found: list[tuple[int, int, int | None]] = []
    used: set[int] = set()
    for i, raw in enumerate(lines):
        tail = raw.rstrip()
        if not tail or tail[-1] not in _NOTICE_LAST_CHARS:
            continue          # cleaning keeps the last character: this line cannot end a notice title
        s = clean_line(raw)
        if not s or _TOC_LINE.search(raw) or i in used:
            continue
        if not _NOTICE_END.search(s):
            continue
        # walk back over the lines of a title broken over several lines
        start = i
        j = i - 1
        while j >= 0 and lines[j].strip() and not _TOC_LINE.search(lines[j]) and i - j < 4:
            start = j
            j -= 1
        title = "".join(clean_line(lines[k]) for k in range(start, i + 1))
        if not _NOTICE_HEAD.search(title) and "方案" not in title:
            continue
        nxt = _nonblank(lines, i + 1, i + 6)
        docline = nxt[0] if nxt and DOC_NUMBER.match(clean_line(lines[nxt[0]])) else None
        if docline is None and not any("现将" in lines[k] or "印发给你们" in lines[k] for k in nxt[:3]):
            continue
        found.append((start, i, docline))
        used.update(range(start, i + 1))
    return found


def _notice_fields(lines: list[str], title_last: int, stop: int, docline: int | None):
    """issuer, issued date, the plan title and where the body begins."""
    issuer = issued = None
    k = (docline if docline is not None else title_last) + 1
    idx = _nonblank(lines, k, stop)
    date_at = None
    for pos, i in enumerate(idx[:12]):
        d = parse_cn_date(clean_line(lines[i]))
        if d and len(clean_line(lines[i])) <= 16:
            issued, date_at = d, pos
            if pos > 0 and _ISSUER.match(clean_line(lines[idx[pos - 1]])):
                issuer = clean_line(lines[idx[pos - 1]])
            break
    rest = idx[date_at + 1:] if date_at is not None else idx
    title_parts: list[str] = []
    body = rest[0] if rest else stop
    for i in rest:
        s = clean_line(lines[i])
        if title_parts and (_BODY_START.match(s) or "。" in s or len(s) > 60):
            body = i
            break
        if not title_parts and ("。" in s or len(s) > 80):
            body = i
            break
        title_parts.append(s)
        body = i + 1
        if _PLAN_TITLE_KINDS.search("".join(title_parts)) and not _looks_like_title_tail(lines, i + 1, stop):
            break
    return issuer, issued, "".join(title_parts), body


def _looks_like_title_tail(lines: list[str], k: int, stop: int) -> bool:
    """A title such as …实施方案 may continue with a period in brackets: （2020—2022年）."""
    nxt = _nonblank(lines, k, stop)
    return bool(nxt) and re.fullmatch(r"[（(]\d{4}\s*[—\-–－~～至]+\s*\d{4}年?[）)]", clean_line(lines[nxt[0]]) or "") is not None


def segment_plans(lines: list[str]) -> list[PlanSegment]:
    """Split an issue's lines into plan segments (line numbers are 1-based)."""
    starts = _notice_starts(lines)
    segments: list[PlanSegment] = []
    for n, (start, title_last, docline) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        notice_title = "".join(clean_line(lines[k]) for k in range(start, title_last + 1))
        doc_number = clean_line(lines[docline]) if docline is not None else None
        issuer, issued, title, body = _notice_fields(lines, title_last, stop, docline)
        last = max(_nonblank(lines, start, stop) or [start])
        segments.append(PlanSegment(doc_number, notice_title, issuer, issued, title or notice_title,
                                    start + 1, body + 1, last + 1))
    return segments
