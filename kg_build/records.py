"""Plain records that extraction produces: no rdflib, no I/O.

Every record that a researcher may want to trace back carries `line`, the 1-based
line of the input file where it starts. Mentions found inside a piece of text carry
`start`/`end`, character offsets into that text, so callers can map them to lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Comparator names are the local names of the gk: individuals.
AT_LEAST = "AtLeast"
AT_MOST = "AtMost"
EXACTLY = "Exactly"
APPROXIMATELY = "Approximately"
COMPARATORS = (AT_LEAST, AT_MOST, EXACTLY, APPROXIMATELY)

LEAD = "lead"
RESPONSIBLE = "responsible"


@dataclass(frozen=True)
class DeadlineMention:
    text: str            # the phrase exactly as written, e.g. 2020年8月底前
    date: str | None     # ISO date of the last day meant; None for windows with no calendar end
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class TargetMention:
    value: float                 # upper bound for a range (1—2家 → 2)
    unit: str                    # as written: %, 个, 家, 万亩, 万吨/日 …
    comparator: str              # one of COMPARATORS
    indicator: str               # what is measured, in the text's own words
    text: str                    # the phrase as written
    value_low: float | None = None
    due: DeadlineMention | None = None
    start: int = 0
    end: int = 0
    kind: str = "goal"           # goal / policy_parameter (最高3000万元, 给予50%补助) / procedural (7个工作日内)


@dataclass(frozen=True)
class UnitMention:
    name: str            # as written, whitespace removed
    role: str            # LEAD or RESPONSIBLE


@dataclass(frozen=True)
class RegionMention:
    name: str            # as written (长葛, 长葛市, 许昌市区 → 市区)
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class ProjectMention:
    name: str
    start: int = 0
    end: int = 0


@dataclass
class TaskRecord:
    path: str                    # outline position, e.g. 二.(一).3
    label: str                   # short heading
    text: str                    # full repaired text
    line: int
    end_line: int
    units: list[UnitMention] = field(default_factory=list)
    deadlines: list[DeadlineMention] = field(default_factory=list)
    targets: list[TargetMention] = field(default_factory=list)
    regions: list[RegionMention] = field(default_factory=list)
    projects: list[ProjectMention] = field(default_factory=list)
    target_lines: list[int] = field(default_factory=list)   # parallel to targets
    mentioned_units: list[str] = field(default_factory=list)  # bodies named only in the prose (由X会同Y…)
    scope: list[str] = field(default_factory=list)            # a note's 适用范围 (浙江自贸试验区)
    status: str | None = None    # 持续推进 / 按进度推进: an ongoing commitment, not a date


@dataclass
class PlanRecord:
    doc_number: str | None       # 许政〔2020〕7号, or None for a document without one
    notice_title: str            # 关于印发…的通知
    title: str                   # the plan's own title
    issuer: str | None
    issued: str | None           # ISO date of the notice
    line: int                    # where the notice starts
    end_line: int
    tasks: list[TaskRecord] = field(default_factory=list)
    targets: list[TargetMention] = field(default_factory=list)       # goal-section targets
    target_lines: list[int] = field(default_factory=list)            # parallel to targets
    key: str = ""                # stable identifier used in IRIs (xuzheng-2020-7)
    jurisdiction: str | None = None   # GB/T 2260 code of the issuing government (411000)
    kind: str = "notice"         # notice / document / order / untitled: how the plan was found
    sources: dict[str, str] = field(default_factory=dict)   # field → where it was read (line, rule)
    titles: list[str] = field(default_factory=list)         # further documents a notice issues with it


@dataclass
class GazetteRecord:
    file_name: str
    sha256: str
    title: str | None
    plans: list[PlanRecord] = field(default_factory=list)
