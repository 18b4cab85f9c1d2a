"""Commitments that disagree (pure). Found by grouping, never by comparing all pairs:

- ValueConflict: claims on one indicator, scope, horizon, kind and unit with different
  values (高新技术企业 ≥300 vs ≈500 by 2022). Across plans a horizon may come from the
  plan's period; within one plan both numbers must be tied to their year, and numbers of
  one enumeration (97%、93%) are never compared.
- DeadlineConflict: the same number for the same indicator due in different years in
  different plans (the same milestone, two dates). A level to keep (稳定, 保持, 100%) is
  not a milestone.
- ScopeConflict: two plans list the same named facilities for the same action but
  not the same list (which plants get 提标改造).
- InternalConflict: a value conflict whose statements are all in one plan (its text and
  its attachment table): an inconsistency of one document, not two plans disagreeing.
Not conflicts: different horizons with different numbers (a 2020 milestone and a 2025
total), different scopes (中心城区 vs 县城: different indicators), a number repeated.

Severity says how incompatible the statements are, and every conflict says why (reason_zh,
reason_en). Values: each statement is read as a range (≥300 → [300, ∞), ≈500 → [450, 550],
=3 → [3, 3], 1—2 → [1, 2]); when all ranges meet, every statement can hold at once (300以上
and 500左右: 500 is above 300) and the divergence is listed as low; when they do not meet,
it is high, or medium when the nearest ends are within 10 %. Deadlines: the same number due
in different years can both be met (reach it by the earlier one), so the severity grows with
the gap (≥3 years high, 2 medium, 1 low). Lists: two lists of facilities for the same
action that each hold some the other lacks, or a stated count that the other list does not
match, are medium; one list inside the other (an addition, not a contradiction) is low.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict

from kg_build.linking.model import Claim, Conflict, Side
from kg_build.linking.projects import ACTIONS, FacilityList
from kg_build.records import APPROXIMATELY, AT_LEAST, AT_MOST

_SAME = 0.02        # relative difference under which two numbers are one number
_ABOUT = 0.1        # 左右 / 约: within 10 %
_NEAR = 0.1         # disjoint ranges whose nearest ends are this close: medium, not high
_CMP_ZH = {AT_LEAST: "以上", AT_MOST: "以下", APPROXIMATELY: "左右"}
_CMP_EN = {AT_LEAST: "at least ", AT_MOST: "at most ", APPROXIMATELY: "about "}
MAX_QUOTED = 6


def _order(c: Claim) -> tuple:
    return c.target.plan_key, c.target.path or "", c.target.n


def _num(v: float) -> str:
    return f"{v:g}"


def _stated(c: Claim) -> tuple[str, str]:
    zh = f"{_num(c.value)}{c.unit}{_CMP_ZH.get(c.comparator, '')}"
    en = f"{_CMP_EN.get(c.comparator, '')}{_num(c.value)} {c.unit}".strip()
    return zh, en


def _value_key(v: float) -> float:
    return float(f"{v:.3g}")


def _side(c: Claim, what: str) -> Side:
    return Side(c.task, c.target, c.doc_number, c.target.line, c.text, what)


def _where(s: Side) -> tuple[str, str]:
    doc = s.doc_number or (s.target.plan_key if s.target else s.task.plan_key)
    return f"{doc}第{s.line}行", f"{doc} line {s.line}"


def _comment(subject: str, sides: list[Side], zh_head: str, en_head: str) -> tuple[str, str]:
    shown = sides[:MAX_QUOTED]
    zh = "；".join(f"{_where(s)[0]}“{s.quote}”（{s.what}）" for s in shown)
    en = "; ".join(f"{_where(s)[1]} “{s.quote}” ({s.what})" for s in shown)
    if len(sides) > MAX_QUOTED:
        zh += f"；另有{len(sides) - MAX_QUOTED}处"
        en += f"; and {len(sides) - MAX_QUOTED} more"
    return f"{zh_head}：{zh}。", f"{en_head}: {en}."


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > _SAME * max(abs(a), abs(b), 1e-9)


def _value_conflicting(group: list[Claim]) -> list[Claim]:
    """The claims of one group that take part in a disagreement; [] when they agree."""
    cross = [c for c in group if c.horizon is not None]
    plans = {c.target.plan_key for c in cross}
    values = sorted({_value_key(c.value) for c in cross})
    involved: set[Claim] = set()
    if len(plans) >= 2 and any(_differ(values[0], v) for v in values):
        involved.update(cross)
    by_plan: dict[str, list[Claim]] = defaultdict(list)
    for c in group:
        if c.explicit:
            by_plan[c.target.plan_key].append(c)
    for claims in by_plan.values():
        firsts = {}
        for c in claims:            # one claim per enumeration and line: lists never disagree with themselves
            firsts.setdefault((c.chain, c.target.line), c)
        own = list(firsts.values())
        lines = {c.target.line for c in own}
        if len(lines) >= 2 and len({_value_key(c.value) for c in own}) >= 2 and \
                any(_differ(own[0].value, c.value) for c in own):
            involved.update(own)
    return sorted(involved, key=_order)


def _range(c: Claim) -> tuple[float, float]:
    """The values a statement allows: ≥v → [v, ∞), ≤v → (-∞, v], ≈v → v ± 10 %, else v (or low—v)."""
    low = c.value_low if c.value_low is not None else c.value
    if c.comparator == AT_LEAST:
        return low, math.inf
    if c.comparator == AT_MOST:
        return -math.inf, c.value
    if c.comparator == APPROXIMATELY:
        return low * (1 - _ABOUT), c.value * (1 + _ABOUT)
    return low, c.value


def _value_severity(involved: list[Claim]) -> tuple[str, str, str]:
    """(severity, reason_zh, reason_en) of statements of one indicator and year."""
    ranges = [_range(c) for c in involved]
    lo, hi = max(r[0] for r in ranges), min(r[1] for r in ranges)
    said = "、".join(dict.fromkeys(_stated(c)[0] for c in involved))
    said_en = ", ".join(dict.fromkeys(_stated(c)[1] for c in involved))
    if lo <= hi * (1 + _SAME):
        at = _num(lo) if lo > -math.inf else _num(hi)
        return ("low", f"{said}可以同时成立（例如{at}{involved[0].unit}即满足各方），属表述差异而非不相容，列出供核对",
                f"{said_en} can all hold at once (e.g. {at} {involved[0].unit} meets every statement): "
                "a divergence worth checking, not an incompatibility")
    gap = (lo - hi) / max(abs(lo), 1e-9)
    severity = "medium" if gap < _NEAR else "high"
    return (severity, f"{said}的取值范围互不相交，不能同时实现",
            f"the ranges {said_en} do not overlap: they cannot all be met")


def _in(key: str, jurisdiction: str | None) -> str:
    """A conflict's key names the government whose plans disagree: two cities may disagree on
    the same indicator, and their conflicts must not share an IRI."""
    return key if jurisdiction is None else f"{key}@{jurisdiction}"


def value_conflicts(claims: list[Claim], labels: dict[str, str]) -> list[Conflict]:
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in claims:
        # two cities' plans measure two cities: only one government's commitments can disagree
        groups[(c.indicator, c.horizon, c.kind, c.unit, c.jurisdiction)].append(c)
    out = []
    for (indicator, horizon, kind, unit, where), group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if horizon is None:
            continue
        involved = _value_conflicting(group)
        if not involved:
            continue
        subject = labels[indicator]
        sides = [_side(c, _stated(c)[0]) for c in involved]
        internal = len({c.target.plan_key for c in involved}) == 1
        severity, why_zh, why_en = _value_severity(involved)
        if internal:
            why_zh = "同一方案内（正文与附件表）数值不一致：" + why_zh
            why_en = "within one plan (its text and its attachment table): " + why_en
            head_zh, head_en = f"{subject}（{horizon}年）在同一方案内数值不一致", f"{subject} by {horizon}: one plan gives different values"
        else:
            head_zh, head_en = f"{subject}（{horizon}年）数值不一致", f"{subject} by {horizon}: the plans give different values"
        zh, en = _comment(subject, sides, head_zh, head_en)
        out.append(Conflict(_in(f"{'internal' if internal else 'value'}/{indicator}/{horizon}/{kind}/{unit}", where),
                            "InternalConflict" if internal else "ValueConflict", severity, subject, tuple(sides),
                            zh + why_zh + "。", en + " " + why_en[0].upper() + why_en[1:] + ".", why_zh, why_en))
    return out


def deadline_conflicts(claims: list[Claim], labels: dict[str, str]) -> list[Conflict]:
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.explicit and c.horizon is not None and not c.steady and not (c.unit in ("%", "％") and c.value >= 100):
            groups[(c.indicator, c.kind, c.unit, _value_key(c.value), c.jurisdiction)].append(c)
    out = []
    for (indicator, kind, unit, value, where), group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        years = {c.horizon for c in group}
        plans = {c.target.plan_key for c in group}
        if len(years) < 2 or len(plans) < 2:
            continue
        by_year = defaultdict(set)
        for c in group:
            by_year[c.horizon].add(c.target.plan_key)
        if not any(by_year[y] - by_year[z] for y in years for z in years if y != z):
            continue        # every plan gives every year: a schedule, not a disagreement
        subject = labels[indicator]
        sides = [_side(c, f"{c.horizon}年") for c in sorted(group, key=_order)]
        gap = max(years) - min(years)
        zh, en = _comment(subject, sides, f"{subject}达到{_num(value)}{unit}的时限不一致",
                          f"{subject} reaching {_num(value)} {unit}: the plans give different years")
        why_zh = (f"同一目标值定在相差{gap}年的不同年份：按最早的{min(years)}年完成即可同时满足，"
                  f"但各方案的进度安排不一致")
        why_en = (f"the same value is due in years {gap} apart: meeting it by {min(years)} satisfies both, "
                  "but the plans schedule the milestone differently")
        out.append(Conflict(_in(f"deadline/{indicator}/{kind}/{unit}/{_num(value)}", where), "DeadlineConflict",
                            "high" if gap >= 3 else "medium" if gap >= 2 else "low", subject, tuple(sides),
                            zh + why_zh + "。", en + " " + why_en[0].upper() + why_en[1:] + ".", why_zh, why_en))
    return out


def _bare(facility_key: str) -> str:
    """411000-宏源污水处理厂 → 宏源污水处理厂: the jurisdiction is for identity, not for reading."""
    return re.sub(r"^\d+-", "", facility_key)


_COUNT = re.compile(r"(?:等|共|计)?(\d+)\s*(?:座|个|家|处|所|条)")


def _stated_count(fl: FacilityList) -> int | None:
    """The count a clause gives its list (…等6座污水处理厂 → 6), if any."""
    m = _COUNT.search(fl.clause, fl.clause.find(fl.names[-1]) + len(fl.names[-1])) if fl.names else None
    return int(m.group(1)) if m else None


def _list_severity(a: FacilityList, b: FacilityList, only_a: list[str], only_b: list[str]) -> tuple[str, str, str]:
    counts = [(fl, _stated_count(fl)) for fl in (a, b)]
    miscount = [(fl, n) for fl, n in counts if n is not None and n != len((b if fl is a else a).facilities)]
    if only_a and only_b:
        zh = "两份名单各有对方没有的设施，承担的范围不同"
        en = "each list names facilities the other lacks: the plans commit to different sets"
        severity = "medium"
    else:
        zh = "一份名单包含另一份，多出的设施是补充而非矛盾"
        en = "one list contains the other: the extra facilities add to it rather than contradict it"
        severity = "low"
    if miscount:
        fl, n = miscount[0]
        other = b if fl is a else a
        zh += f"；{fl.task.doc_number or fl.task.plan_key}写明{n}座，而{other.task.doc_number or other.task.plan_key}列出{len(other.facilities)}座"
        en += f"; {fl.task.doc_number or fl.task.plan_key} states {n}, {other.task.doc_number or other.task.plan_key} lists {len(other.facilities)}"
        severity = "medium"
    return severity, zh, en


def list_conflicts(lists: list[FacilityList]) -> list[Conflict]:
    """Two lists from different plans sharing two or more facilities and an action, but not equal."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, fl in enumerate(lists):
        for f in fl.facilities:
            postings[f].append(i)
    pairs = set()
    for f in sorted(postings):
        items = postings[f]
        for k, i in enumerate(items):
            for j in items[k + 1:k + 9]:     # sorted neighbourhood keeps long postings linear
                pairs.add((i, j))
    out = []
    for i, j in sorted(pairs):
        a, b = lists[i], lists[j]
        shared = [f for f in a.facilities if f in b.facilities]
        actions = a.actions & b.actions
        if a.task.plan_key == b.task.plan_key or len(shared) < 2 or not actions or set(a.facilities) == set(b.facilities):
            continue
        only_a = [_bare(f) for f in a.facilities if f not in b.facilities]
        only_b = [_bare(f) for f in b.facilities if f not in a.facilities]
        # the most specific action: the longest, then the first in ACTIONS (a frozenset's own
        # order changes with the process's string hashing, and the output must not)
        action = max(actions, key=lambda x: (len(x), -ACTIONS.index(x)))
        sides = [Side(fl.task, None, fl.task.doc_number,
                      fl.task.line, "、".join(fl.names), "、".join(fl.names)) for fl in (a, b)]
        zh = (f"{action}的设施名单不一致：{_where(sides[0])[0]}列出“{sides[0].quote}”，{_where(sides[1])[0]}列出"
              f"“{sides[1].quote}”；仅前者有{'、'.join(only_a) or '无'}，仅后者有{'、'.join(only_b) or '无'}。")
        en = (f"The lists of facilities for {action} differ: {_where(sides[0])[1]} lists “{sides[0].quote}”, "
              f"{_where(sides[1])[1]} lists “{sides[1].quote}”; only the first names {'、'.join(only_a) or 'none'}, "
              f"only the second {'、'.join(only_b) or 'none'}.")
        severity, why_zh, why_en = _list_severity(a, b, only_a, only_b)
        out.append(Conflict(f"scope/{a.task.plan_key}/{a.task.path}/{b.task.plan_key}/{b.task.path}", "ScopeConflict",
                            severity, "、".join(_bare(f) for f in shared), tuple(sides),
                            zh + why_zh + "。", en + " " + why_en[0].upper() + why_en[1:] + ".", why_zh, why_en))
    return out
