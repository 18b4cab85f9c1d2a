"""A text → its plan documents, by their heads (pure).

Four kinds of head are read (kg_build/data/conventions.toml lists the words):
- an issuing notice (关于印发…的通知, X印发《…》的通知): title, 文号, addressees, 现将《…》印发给你们,
  issuer, date, then the issued document's own title and body — the plan is the issued document;
  a notice that issues several documents at once (《A》《B》) is one plan holding each
  document as a part (`parts`), so the plan keeps its one 文号;
- a document that holds its own measures (国务院关于…的指导意见, …若干措施的通知): its title, a
  文号 on its own line, in parentheses or at the end of the title (or none), addressees, the
  body, and at the end the signature and date;
- a government order (中山市人民政府令 / （第16号））: the order number is its 文号;
- a bare document that starts with its own title and nothing else: one plan titled by it.
A gazette issue's table of contents repeats notice titles with page numbers: not heads.
Each segment says where each of its fields came from (`sources`), for `gazettekg inspect`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_build import conventions as cv
from kg_build.dates import parse_cn_date
from kg_build.outline_markers import heading_level
from kg_build.paragraphs import clean_line

# 文号: issuer abbreviation, year in 〔〕 (or [] ［］ 【】), serial number, 号.
_DOC_NUMBER_BODY = r"[\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号"
DOC_NUMBER = re.compile(r"^([\u4e00-\u9fff]{1,12})\s*[〔［\[【(（]\s*(\d{4})\s*[〕］\]】)）]\s*(\d{1,4})\s*号$")
_DOC_NUMBER_IN_PARENS = re.compile(rf"^[（(]\s*({_DOC_NUMBER_BODY})\s*[）)]$")
_DOC_NUMBER_AT_END = re.compile(rf"\s*[（(]?\s*({_DOC_NUMBER_BODY})\s*[）)]?$")
_NOTICE_END = re.compile(r"的(?:通知|决定|意见|通告|公告)$")
_NOTICE_LAST_CHARS = frozenset("知定见告")     # the last characters _NOTICE_END accepts
_TITLE_LAST_CHARS = frozenset(k[-1] for k in cv.raw()["titles"]["kinds"]) | frozenset("号）)")
_ISSUED_WORDS = re.compile(r"现将|印发给你们|印发你们|予以印发|现予印发")
_BOOK_TITLE = re.compile(r"《([^《》]{2,80})》")
_BODY_START = re.compile(r"^(为|根据|按照|依据|依照|现将|近年来|当前|坚持|以)")
_ADDRESSEES = re.compile(r"^[^。]{2,120}[：:]$")
_DATE_NOTE = re.compile(r"^[（(][^（）()]*\d{4}\s*年[^（）()]*[）)]$")
_PERIOD_LINE = re.compile(r"[（(]\d{4}\s*[—\-–－~～至]+\s*\d{4}年?[）)]")


@dataclass
class DocumentPart:
    """One issued document of a notice that issues several (《A》《B》…印发给你们)."""
    title: str
    line: int                    # its title line
    body_line: int
    end_line: int


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
    kind: str = "notice"         # notice / document / order / untitled
    sources: dict[str, str] = field(default_factory=dict)   # field → where it was read
    parts: list[DocumentPart] = field(default_factory=list)  # further issued documents


@dataclass
class _Head:
    start: int                   # index of the first title line
    title_last: int
    docline: int | None          # index of the line holding the 文号 (or the order number)
    kind: str
    doc_number: str | None = None
    issuer: str | None = None


def _nonblank(lines: list[str], start: int, stop: int) -> list[int]:
    return [i for i in range(max(start, 0), min(stop, len(lines))) if lines[i].strip()]


def _doc_number_line(s: str) -> str | None:
    """The 文号 a whole line states, on its own or in parentheses."""
    if DOC_NUMBER.match(s):
        return s
    m = _DOC_NUMBER_IN_PARENS.match(s)
    return m.group(1) if m else None


def _title_like(s: str) -> bool:
    """A line that can be a document title: short, no full stop, ends with a kind of document."""
    return 4 <= len(s) <= 100 and "。" not in s and not cv.TOC_LINE.search(s) and \
        heading_level(s) is None and bool(cv.TITLE_KIND.search(_DOC_NUMBER_AT_END.sub("", s) or s))


def _walk_back(lines: list[str], i: int, limit: int, ok) -> int:
    """First line of a title broken over several lines and ending at line `i`."""
    start, j = i, i - 1
    while j >= 0 and lines[j].strip() and i - j < limit and ok(lines[j]):
        start = j
        j -= 1
    return start


def _notice_heads(lines: list[str]) -> list[_Head]:
    """Issuing notices: 关于印发…的通知 followed by a 文号 or by 现将…印发给你们."""
    found: list[_Head] = []
    used: set[int] = set()
    for i, raw in enumerate(lines):
        tail = raw.rstrip()
        if not tail or tail[-1] not in _NOTICE_LAST_CHARS:
            continue          # cleaning keeps the last character: this line cannot end a notice title
        s = clean_line(raw)
        if not s or cv.TOC_LINE.search(raw) or i in used or not _NOTICE_END.search(s):
            continue
        start = _walk_back(lines, i, 4, lambda l: not cv.TOC_LINE.search(l) and "。" not in l)
        title = "".join(clean_line(lines[k]) for k in range(start, i + 1))
        if not cv.ISSUING.search(title) and "方案" not in title:
            continue
        nxt = _nonblank(lines, i + 1, i + 6)
        docline = nxt[0] if nxt and _doc_number_line(clean_line(lines[nxt[0]])) else None
        if docline is None and not any(_ISSUED_WORDS.search(lines[k]) for k in nxt[:3]):
            continue
        found.append(_Head(start, i, docline, "notice"))
        used.update(range(start, i + 1))
    return found


def _order_heads(lines: list[str]) -> list[_Head]:
    """Government orders: 中山市人民政府令 then （第16号）; the title line above, if any, starts it."""
    found = []
    for i, raw in enumerate(lines):
        if not raw.rstrip().endswith("令"):
            continue
        s = clean_line(raw)
        m = cv.ORDER_LINE.match(s)
        if not m:
            continue
        nxt = _nonblank(lines, i + 1, i + 4)
        num = cv.ORDER_NUMBER.match(clean_line(lines[nxt[0]])) if nxt else None
        if not num:
            continue
        above = _nonblank(lines, i - 2, i)
        start = above[-1] if above and _title_like(clean_line(lines[above[-1]])) else i
        found.append(_Head(start, i, nxt[0], "order", f"{s}第{num.group('n')}号", m.group("issuer")))
    return found


def _document_heads(lines: list[str], taken: set[int]) -> list[_Head]:
    """Documents that hold their own measures: a title followed by a 文号 or by addressees."""
    found = []
    for i, raw in enumerate(lines):
        tail = raw.rstrip()
        if not tail or tail[-1] not in _TITLE_LAST_CHARS or i in taken or "。" in tail or len(tail) > 150:
            continue          # cleaning keeps the last character: no title kind ends this line
        s = clean_line(raw)
        if not _title_like(s):
            continue
        at_end = _DOC_NUMBER_AT_END.search(s) if s.rstrip("）)").endswith("号") else None
        nxt = _nonblank(lines, i + 1, i + 4)
        first = clean_line(lines[nxt[0]]) if nxt else ""
        docline = nxt[0] if nxt and _doc_number_line(first) else None
        after = clean_line(lines[nxt[1]]) if docline is not None and len(nxt) > 1 else first
        if not (at_end or docline is not None or _ADDRESSEES.match(after)):
            continue
        start = _walk_back(lines, i, 3, lambda l: not _title_like(clean_line(l)) and "。" not in l
                           and len(clean_line(l)) < 40 and not clean_line(l).endswith(("：", ":")))
        number = at_end.group(1) if at_end else (_doc_number_line(first) if docline is not None else None)
        found.append(_Head(start, i, docline, "document", number))
        taken.update(range(start, i + 1))
    return found


def _bare_head(lines: list[str]) -> _Head | None:
    """A text that starts with its own title (关于…的实施意见) and no notice at all."""
    idx = _nonblank(lines, 0, len(lines))
    if not idx:
        return None
    s = clean_line(lines[idx[0]])
    if _title_like(s):
        return _Head(idx[0], idx[0], None, "document")
    return None


def _untitled_head(lines: list[str]) -> _Head | None:
    """No title at all, but numbered items: one plan named by its first line."""
    idx = _nonblank(lines, 0, len(lines))
    if idx and any(heading_level(clean_line(lines[i])) is not None for i in idx):
        return _Head(idx[0], idx[0], None, "untitled")
    return None


def _heads(lines: list[str]) -> list[_Head]:
    heads = _notice_heads(lines)
    taken = {k for h in heads for k in range(h.start, h.title_last + 1)}
    orders = [h for h in _order_heads(lines) if h.title_last not in taken]
    for h in orders:
        taken.update(range(h.start, (h.docline or h.title_last) + 1))
    heads += orders
    heads += _document_heads(lines, taken)
    heads.sort(key=lambda h: h.start)
    if not heads:
        head = _bare_head(lines) or _untitled_head(lines)
        heads = [head] if head else []
    return heads


# Fields of each kind of head --------------------------------------------------------------

def _date_line(s: str) -> str | None:
    d = parse_cn_date(s)
    return d if d and len(s) <= 16 else None


def _notice_fields(lines: list[str], head: _Head, stop: int, seg: PlanSegment) -> None:
    """Issuer and date after the notice text, then the issued document's own title and body."""
    k = (head.docline if head.docline is not None else head.title_last) + 1
    idx = _nonblank(lines, k, stop)
    date_at = None
    for pos, i in enumerate(idx[:12]):
        d = _date_line(clean_line(lines[i]))
        if d:
            seg.issued, date_at = d, pos
            seg.sources["issued"] = f"line {i + 1}: date under the notice"
            if pos > 0 and cv.ISSUER.match(clean_line(lines[idx[pos - 1]])) and seg.issuer is None:
                seg.issuer = clean_line(lines[idx[pos - 1]])
                seg.sources["issuer"] = f"line {idx[pos - 1] + 1}: signature of the notice"
            break
    rest = idx[date_at + 1:] if date_at is not None else idx
    title_parts: list[str] = []
    body = rest[0] if rest else stop
    title_line = rest[0] if rest else None
    for i in rest:
        s = clean_line(lines[i])
        if title_parts and (_BODY_START.match(s) or "。" in s or len(s) > 60):
            body = i
            break
        if not title_parts and ("。" in s or len(s) > 80 or heading_level(s) is not None):
            body = i
            break
        title_parts.append(s)
        body = i + 1
        if cv.TITLE_KIND.search("".join(title_parts)) and not _title_tail_follows(lines, i + 1, stop):
            break
    seg.title = "".join(title_parts) or seg.notice_title
    seg.sources["title"] = (f"line {title_line + 1}: the issued document's own title" if title_parts
                            else "the notice title (no own title found)")
    seg.body_line = body + 1


def _title_tail_follows(lines: list[str], k: int, stop: int) -> bool:
    """A title such as …实施方案 may continue with a period in brackets: （2020—2022年）."""
    nxt = _nonblank(lines, k, stop)
    return bool(nxt) and _PERIOD_LINE.fullmatch(clean_line(lines[nxt[0]]) or "") is not None


def _trailer_start(lines: list[str], first: int, stop: int) -> int:
    """Index where the closing signature block starts (or `stop`): the issuer, the date and
    notes such as （此件公开发布）, each on a short line of its own at the end."""
    idx = _nonblank(lines, first, stop)
    start = stop
    for i in reversed(idx[-5:]):
        s = clean_line(lines[i])
        if len(s) <= 30 and (_date_line(s) or cv.ISSUER.match(s) or cv.TRAILER_NOTE.match(s)):
            start = i
        else:
            break
    return start


def _document_fields(lines: list[str], head: _Head, stop: int, seg: PlanSegment) -> None:
    """A document that holds its own measures: title = notice title; signature at the end."""
    k = (head.docline if head.docline is not None else head.title_last) + 1
    idx = _nonblank(lines, k, stop)
    body = idx[0] if idx else stop
    if idx and _ADDRESSEES.match(clean_line(lines[idx[0]])):
        seg.sources["addressees"] = f"line {idx[0] + 1}"
        body = idx[1] if len(idx) > 1 else stop
    if idx and _DATE_NOTE.match(clean_line(lines[idx[0]])):      # （2021年5月8日…通过）under the title
        seg.issued = parse_cn_date(clean_line(lines[idx[0]]))
        seg.sources["issued"] = f"line {idx[0] + 1}: date note under the title"
        body = idx[1] if len(idx) > 1 else stop
    seg.body_line = body + 1
    trailer = _trailer_start(lines, body, stop)
    for i in _nonblank(lines, trailer, stop):
        s = clean_line(lines[i])
        if _date_line(s) and seg.issued is None:
            seg.issued = _date_line(s)
            seg.sources["issued"] = f"line {i + 1}: date of the signature"
        elif cv.ISSUER.match(s) and seg.issuer is None:
            seg.issuer = s
            seg.sources["issuer"] = f"line {i + 1}: signature"
    if seg.issuer is None and "关于" in seg.notice_title:
        prefix = seg.notice_title.split("关于", 1)[0]
        if prefix and cv.ISSUER.match(prefix):
            seg.issuer = prefix
            seg.sources["issuer"] = f"line {head.start + 1}: the title before 关于"
    last = _nonblank(lines, body, trailer)
    seg.end_line = (last[-1] + 1) if last else seg.body_line


def _issued_parts(lines: list[str], seg: PlanSegment, head: _Head) -> None:
    """A notice that issues 《A》《B》: find B's own title line in the body and split there."""
    k = (head.docline if head.docline is not None else head.title_last) + 1
    notice_text = seg.notice_title + "".join(clean_line(lines[i]) for i in _nonblank(lines, k, seg.body_line - 1)
                                             if _ISSUED_WORDS.search(lines[i]))
    books = list(dict.fromkeys(_BOOK_TITLE.findall(notice_text)))
    if len(books) < 2:
        return
    starts = []
    for book in books[1:]:
        for i in _nonblank(lines, seg.body_line - 1, seg.end_line):
            if clean_line(lines[i]) == book:
                starts.append((book, i))
                break
    if not starts:
        return
    bounds = [i for _, i in starts] + [seg.end_line]
    seg.parts = [DocumentPart(book, i + 1, i + 2, bounds[n + 1] if n + 1 < len(starts) else seg.end_line)
                 for n, (book, i) in enumerate(starts)]
    seg.sources["parts"] = "; ".join(f"《{p.title}》 at line {p.line}" for p in seg.parts)


def segment_plans(lines: list[str]) -> list[PlanSegment]:
    """Split a text's lines into plan segments (line numbers are 1-based)."""
    heads = _heads(lines)
    segments: list[PlanSegment] = []
    for n, head in enumerate(heads):
        stop = heads[n + 1].start if n + 1 < len(heads) else len(lines)
        title = "".join(clean_line(lines[k]) for k in range(head.start, head.title_last + 1))
        number = head.doc_number
        if number is None and head.docline is not None:
            number = _doc_number_line(clean_line(lines[head.docline]))
        if number and head.kind == "document" and title.rstrip("）)").endswith("号"):
            title = _DOC_NUMBER_AT_END.sub("", title)
        last = max(_nonblank(lines, head.start, stop) or [head.start])
        seg = PlanSegment(number, title, head.issuer, None, title, head.start + 1, head.title_last + 2, last + 1,
                          kind=head.kind)
        seg.sources["kind"] = {"notice": "an issuing notice (印发…的通知)", "document": "a document holding its own text",
                               "order": "a government order (政府令)", "untitled": "no title: numbered items only"}[head.kind]
        seg.sources["notice_title"] = f"lines {head.start + 1}-{head.title_last + 1}"
        if number:
            where = head.docline + 1 if head.docline is not None else head.title_last + 1
            seg.sources["doc_number"] = f"line {where}"
        if head.issuer:
            seg.sources["issuer"] = f"line {head.title_last + 1}: the order's issuer"
        if head.kind in ("notice", "order"):
            _notice_fields(lines, head, stop, seg)
            if head.kind == "notice":
                _issued_parts(lines, seg, head)
            else:
                seg.end_line = max(_nonblank(lines, seg.body_line - 1, _trailer_start(lines, seg.body_line - 1, stop))
                                   or [seg.body_line - 1]) + 1
        else:
            _document_fields(lines, head, stop, seg)
            seg.sources["title"] = f"line {head.start + 1}: the document's title line"
        segments.append(seg)
    return segments
