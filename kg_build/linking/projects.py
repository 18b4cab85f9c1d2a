"""Named projects across plans (pure): one Project per canonical name, every spelling,
the tasks that mention it, and the lists of facilities a clause commits to.

Identity comes from kg_build.projects.canonical_project (瑞贝卡污水处理厂一二期工程 =
瑞贝卡污水处理厂一二期, 魏都区宏源污水处理厂 = 宏源污水处理厂), qualified by the issuing
government as to_rdf qualifies it, so a Project here is the gk:Project node of the graph.
A *facility* drops the phase as well (屯南污水处理厂一期 ~ 屯南污水处理厂): plans that
upgrade "the plant" and "its first phase" talk about the same site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg_build.linking.model import Project, TaskRef
from kg_build.projects import canonical_project
from kg_build.records import PlanRecord

_PHASE = re.compile(r"[一二三四五六七八九十]+期$")
# What a clause does to the facilities it lists; two lists compare only when they share one.
ACTIONS = ("提标改造", "升级改造", "新建", "扩建", "迁建", "改扩建", "建设")


@dataclass(frozen=True)
class FacilityList:
    """Three or more named facilities in one clause (…、…、…进行提标改造)."""
    task: TaskRef
    clause: str
    facilities: tuple[str, ...]     # facility keys, in text order
    names: tuple[str, ...]          # as written
    actions: frozenset[str]


def project_key(name: str, jurisdiction: str | None) -> tuple[str, str]:
    key, label = canonical_project(name)
    return (f"{jurisdiction}-{key}" if jurisdiction else key), label


def facility(key: str) -> str:
    """The site a project belongs to: its key without a phase (…一期, …三期)."""
    return _PHASE.sub("", key)


def projects_of(plans: list[PlanRecord]) -> dict[str, Project]:
    out: dict[str, Project] = {}
    for plan in plans:
        for task in plan.tasks:
            ref = TaskRef(plan.key, task.path, task.line, plan.doc_number)
            for m in task.projects:
                key, label = project_key(m.name, plan.jurisdiction)
                p = out.setdefault(key, Project(key, label))
                p.spellings.add(m.name)
                p.tasks.add(ref)
    return out


def facility_lists(plan: PlanRecord) -> list[FacilityList]:
    out = []
    for task in plan.tasks:
        ref = TaskRef(plan.key, task.path, task.line, plan.doc_number)
        for clause in re.finditer(r"[^。；;]+", task.text):
            inside = [m for m in task.projects if clause.start() <= m.start < clause.end()]
            keys = tuple(dict.fromkeys(facility(project_key(m.name, plan.jurisdiction)[0]) for m in inside))
            if len(keys) < 3:
                continue
            actions = frozenset(a for a in ACTIONS if a in clause.group())
            out.append(FacilityList(ref, clause.group(), keys, tuple(m.name for m in inside), actions))
    return out
