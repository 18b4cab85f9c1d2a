"""Plain records that linking produces: references to tasks and targets, indicators,
projects, relations and conflicts. No rdflib here; links_rdf.py turns them into RDF.

A reference names what it points at the way iris.py does (plan key, outline path,
1-based target number), so the writer mints the same IRIs as to_rdf.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


# References, quotes and relations are named tuples, not frozen dataclasses: linking makes
# hundreds of thousands of them and keys dicts by the references millions of times at scale,
# and a tuple is built, hashed and compared in C (a frozen dataclass's __init__, __hash__
# and __eq__ are Python calls).
class TaskRef(NamedTuple):
    plan_key: str
    path: str
    line: int
    doc_number: str | None = None


class TargetRef(NamedTuple):
    plan_key: str
    path: str | None      # None: a plan-level goal (主要目标), numbered like iris.plan_target
    n: int                # 1-based position in the task's (or plan's) target list
    line: int


@dataclass(frozen=True)
class Claim:
    """One target read as a comparable commitment."""
    target: TargetRef
    task: TaskRef | None
    doc_number: str | None
    indicator: str         # Indicator.key
    wording: str           # the raw indicator phrase of the text
    scope: str             # "" for the whole jurisdiction, else 中心城区, 县城, a region …
    horizon: int | None    # due year: stated, or the plan's end year when the plan names a period
    explicit: bool         # True when the text ties this number to its year
    kind: str              # stock | increment | annual | growth
    value: float
    value_low: float | None
    unit: str
    comparator: str
    text: str              # the phrase as written
    chain: str             # claims sharing a chain come from one enumeration (97%、93%): never compared
    steady: bool = False   # 稳定/保持/持续: a level to keep, not a milestone
    jurisdiction: str | None = None   # the issuing government (GB/T 2260): cities never conflict


@dataclass
class Indicator:
    key: str               # label@scope
    label: str             # canonical label, scope included (中心城区污水处理率)
    spellings: set[str] = field(default_factory=set)


@dataclass
class Project:
    key: str               # jurisdiction-qualified canonical key (as to_rdf's gk:Project IRIs)
    label: str
    spellings: set[str] = field(default_factory=set)
    tasks: set[TaskRef] = field(default_factory=set)


class Quote(NamedTuple):
    """A clause of a task, as evidence: the words and the line they start on."""
    task: TaskRef
    n: int                 # 1-based position among the task's clauses (its IRI)
    text: str
    line: int


class Relation(NamedTuple):
    a: TaskRef             # a < b, so a pair has one spelling
    b: TaskRef
    basis: str             # project | indicator | text
    score: float           # 0..1
    shared: tuple[str, ...]   # whole words or lexicon terms (words.py), heaviest first
    kind: str = "overlap"  # duplicate: one commitment restated | overlap: same topic, different scope
    quotes: tuple[Quote, ...] = ()   # the clause of a and the clause of b that match


@dataclass
class Topic:
    """A key term shared by commitments of two or more plans (黑臭水体, 厕所革命), with every
    clause of the collection that names it."""
    label: str
    mentions: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class Side:
    """One side of a conflict: a target (value/deadline) or a task (a list of facilities)."""
    task: TaskRef | None
    target: TargetRef | None
    doc_number: str | None
    line: int
    quote: str
    what: str              # the number or date or list this side states


@dataclass(frozen=True)
class Conflict:
    key: str               # stable: what the conflict is about (kind + subject)
    kind: str              # ValueConflict | DeadlineConflict | ScopeConflict | InternalConflict
    severity: str          # high | medium | low: how incompatible (conflicts.py, README "Severity")
    subject: str           # the indicator or project label
    sides: tuple[Side, ...]
    comment_zh: str
    comment_en: str
    reason_zh: str = ""    # why the statements can or cannot both hold
    reason_en: str = ""


@dataclass
class LinkResult:
    indicators: dict[str, Indicator]
    claims: list[Claim]
    projects: dict[str, Project]
    relations: list[Relation]
    conflicts: list[Conflict]
    topics: dict[str, Topic] = field(default_factory=dict)
    dropped: int = 0       # relations left out by the cap on links between reissued copies of a plan

    def related(self, task: TaskRef) -> list[Relation]:
        return [r for r in self.relations if task in (r.a, r.b)]
