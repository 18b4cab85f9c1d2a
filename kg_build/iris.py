"""The only place that mints instance IRIs.

IRIs are public: researchers save queries and share links to entities, so an IRI
depends only on what it names (a document number, an outline path, a canonical
name), never on build order. Chinese names become pinyin slugs so IRIs stay ASCII.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rdflib import URIRef

from kg_build.numerals import to_number
from kg_build.regions import name_and_siblings
from ontology.namespaces import ID

_CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


_ORDER_NUMBER = re.compile(r"^(.+?)令第(\d+)号$")
_ARTICLE_KINDS = {"章": "ch", "节": "s", "条": "a"}


def _cn_small_int(s: str) -> str:
    """一→1, 十→10, 十二→12, 二十三→23, 一百零五→105 (article numbers pass 99)."""
    if s.isdigit():
        return s
    if "百" in s:
        n = to_number(s)
        return str(int(n)) if n is not None else slug(s)
    if "十" in s:
        tens, _, units = s.partition("十")
        return str((_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(units, 0) if units else 0))
    return "".join(str(_CN_NUM.get(ch, 0)) for ch in s)


@lru_cache(maxsize=None)
def slug(text: str) -> str:
    """ASCII slug: pinyin for Chinese, lower-case alphanumerics otherwise.

    A rare character (outside GB 2312's first level, the 3,755 common ones) is spelt with its
    tone: toneless pinyin would give 淇县 and 杞县, or 漯政 and 洛政, one IRI, and places with
    rare characters in their names are where that happens. A collision that remains between
    common characters merges two labels on one node, which SHACL reports as a Violation.

    >>> slug("市发展和改革委员会"), slug("淇县"), slug("杞县"), slug("漯政"), slug("洛政")
    ('shifazhanhegaigeweiyuanhui', 'qi2xian', 'qi3xian', 'luo4zheng', 'luozheng')
    """
    each = lambda chars: [c for c in chars]
    plain = lazy_pinyin(text, errors=each)
    toned = lazy_pinyin(text, style=Style.TONE3, errors=each) if not _all_common(text) else plain
    s = "".join(t if c > "\u2e7f" and not _common(c) else p for c, p, t in zip(text, plain, toned))
    s = re.sub(r"[^0-9a-zA-Z]+", "-", s).strip("-").lower()
    if not s:
        s = "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return s[:80] if len(s) <= 80 else s[:70] + "-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def _common(char: str) -> bool:
    """In GB 2312's first level (lead bytes B0–D7): the common characters."""
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7


def _all_common(text: str) -> bool:
    return all(c <= "\u2e7f" or _common(c) for c in text)


_DOC_NUMBER = re.compile(r"^(.+?)\s*[〔［\[【(（]\s*(\d{4})\s*[〕］\]】)）]\s*(\d+)\s*号$")


def plan_key(doc_number: str | None, title: str, jurisdiction: str | None = None, *, file_name: str = "") -> str:
    """许政〔2020〕7号 → xuzheng-2020-7; a document without 文号 is keyed by its title and the
    name of the file it was read from (doc-<hash>), so two files never share a key.

    A prefix whose first character reads like another government's of the same level and
    province (信政 of 信阳市, 新政 of 新乡市: both xinzheng) carries the issuer's code:
    xinzheng-411500-2023-26. Only those: every other key keeps its plain spelling.
    """
    if doc_number:
        m = _DOC_NUMBER.match(doc_number)
        if m:
            prefix = slug(m.group(1))
            if jurisdiction and _reads_like_a_sibling(re.sub(r"\s+", "", m.group(1)), jurisdiction):
                prefix += f"-{jurisdiction}"
            return f"{prefix}-{m.group(2)}-{m.group(3)}"
        order = _ORDER_NUMBER.match(doc_number)
        if order:       # 广东省人民政府令第290号 → guangdongshengrenminzhengfu-ling-290
            return f"{slug(order.group(1))}-ling-{order.group(2)}"
        return slug(doc_number)
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name)
    return "doc-" + hashlib.sha1(f"{stem}\0{title}".encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1024)
def _reads_like_a_sibling(prefix: str, jurisdiction: str) -> bool:
    name, siblings = name_and_siblings(jurisdiction)
    first = prefix[:1]
    if not name or name[:1] != first:
        return False        # 豫政 for 河南省: an abbreviation of its own, not the name's first character
    return any(other[:1] != first and slug(other[:1]) == slug(first) for other in siblings)


def path_slug(path: str) -> str:
    """二.(一).3.(2) → 2-1-3-2 ; 二.(二).2.p3 → 2-2-2-p3."""
    out = []
    for comp in path.split("."):
        comp = comp.strip("()（）")
        kind = _ARTICLE_KINDS.get(comp[-1:]) if comp.startswith("第") else None
        if kind:                                   # 第二章 → ch2, 第八条 → a8, 第一节 → s1
            out.append(kind + _cn_small_int(comp[1:-1]))
        elif comp[:1] in "pcbd" and comp[1:].isdigit():   # paragraph, circled, bullet, document part
            out.append(comp)
        else:
            out.append(_cn_small_int(comp))
    return "-".join(out) or "0"


def gazette(file_name: str) -> URIRef:
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name)
    return ID[f"gazette/{slug(stem)}"]


def plan(key: str) -> URIRef:
    return ID[f"plan/{key}"]


def task(key: str, path: str) -> URIRef:
    return ID[f"task/{key}/{path_slug(path)}"]


def task_deadline(task_iri: URIRef, n: int) -> URIRef:
    return URIRef(str(task_iri).replace("/task/", "/deadline/", 1) + f"/{n}")


def task_target(task_iri: URIRef, n: int) -> URIRef:
    return URIRef(str(task_iri).replace("/task/", "/target/", 1) + f"/{n}")


def plan_target(key: str, n: int) -> URIRef:
    return ID[f"target/{key}/goal/{n}"]


def plan_target_deadline(key: str, n: int) -> URIRef:
    return ID[f"deadline/{key}/goal/{n}"]


def unit(canonical_name: str, jurisdiction: str | None = None) -> URIRef:
    """A body named relative to its government (市发改委, 各县…政府) is qualified by that
    government's GB/T 2260 code, so 市发展和改革委员会 of two cities are two units."""
    if jurisdiction and canonical_name.startswith(("市", "各", "县", "区")):
        return ID[f"unit/{jurisdiction}/{slug(canonical_name)}"]
    if jurisdiction and canonical_name.startswith("省"):
        return ID[f"unit/{jurisdiction[:2]}0000/{slug(canonical_name)}"]
    return ID[f"unit/{slug(canonical_name)}"]


def region(key: str) -> URIRef:
    return ID[f"region/{key if key.isdigit() else slug(key)}"]


def indicator(name: str, scope: str = "") -> URIRef:
    """indicator/<label>, or indicator/<label>/<scope> when the measure is of one area
    (中心城区污水处理率 and 县城污水处理率 are two indicators)."""
    return ID[f"indicator/{slug(name)}" + (f"/{slug(scope)}" if scope else "")]


def conflict(kind: str, subject: str) -> URIRef:
    """conflict/<kind>/<what it is about>, e.g. conflict/value/gaoxinjishuqiyeshuliang-2022-..."""
    return ID[f"conflict/{kind}/{slug(subject)}"]


def evidence(a: URIRef, b: URIRef, basis: str) -> URIRef:
    """evidence/<plan>/<path>/<plan>/<path>/<basis>: why task a and task b are related."""
    part = lambda iri: str(iri).split("/task/", 1)[1]
    return ID[f"evidence/{part(a)}/{part(b)}/{basis}"]


def topic(label: str) -> URIRef:
    """topic/<pinyin>-<hash>: a key term shared across plans. Topics are short words and
    homophones among them are common (时限 and 实现 are both shixian, tones included), so the
    slug carries six hex digits of the label's SHA-1.

    >>> topic("时限") != topic("实现"), str(topic("黑臭水体")).rsplit("/", 1)[1][:14]
    (True, 'heichoushuiti-')
    """
    return ID[f"topic/{slug(label)}-{hashlib.sha1(label.encode('utf-8')).hexdigest()[:6]}"]


def clause(task_iri: URIRef, n: int) -> URIRef:
    """clause/<plan>/<path>/<n>: the task's n-th clause (1-based, in text order)."""
    return ID[f"clause/{str(task_iri).split('/task/', 1)[1]}/{n}"]


def project(canonical_name: str) -> URIRef:
    return ID[f"project/{slug(canonical_name)}"]


def short_id(iri: str) -> str:
    """The part after id: — what a researcher reads in a report (task/xuzheng-2020-7/2-1-3)."""
    base = str(ID)
    return iri[len(base):] if iri.startswith(base) else iri


def issue_graph(file_name: str) -> URIRef:
    """The named graph holding one gazette issue: graph/gazette/<the gazette's slug>.

    >>> str(issue_graph("xuchang-gazette-2020-02.txt")).rsplit("/id/", 1)[1]
    'graph/gazette/xuchang-gazette-2020-02'
    """
    return ID["graph/" + short_id(str(gazette(file_name)))]


# Collection-wide graphs, recomputed from every issue on each build: the units, regions and
# projects that several issues name (kept out of the issue graphs so that no triple is in
# two graphs, which a union default graph would count twice), and the cross-plan links.
ENTITIES_GRAPH = ID["graph/entities"]
LINKS_GRAPH = ID["graph/links"]
