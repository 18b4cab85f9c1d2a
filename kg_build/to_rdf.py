"""GazetteRecord → rdflib Graph: the only module that writes RDF terms for instances.

Literals are normalised here and only here: strings are plain literals (no datatype,
no language), so rdflib, Oxigraph and pySHACL all see the same term (they disagree
on "x" vs "x"^^xsd:string otherwise).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg_build import iris
from kg_build.projects import canonical_project
from kg_build.records import LEAD, DeadlineMention, GazetteRecord, PlanRecord, TargetMention
from kg_build.regions import region_info
from kg_build.units import canonical_unit
from ontology.namespaces import GK


def text(s: str) -> Literal:
    return Literal(s)


@lru_cache(maxsize=4096)
def decimal(v: float) -> Literal:
    d = Decimal(str(v))
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return Literal(s, datatype=XSD.decimal)


def text_in(s: str, lang: str) -> Literal:
    """A language-tagged string: only where a term is written for readers in two languages
    (a conflict's rdfs:comment @zh/@en)."""
    return Literal(s, lang=lang)


@lru_cache(maxsize=4096)
def integer(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD.integer)


@lru_cache(maxsize=4096)
def date(iso: str) -> Literal:
    return Literal(iso, datatype=XSD.date)


class _Labels:
    """prefLabel + every other spelling as altLabel, per entity."""

    def __init__(self):
        self.pref: dict[URIRef, str] = {}
        self.alts: dict[URIRef, set[str]] = defaultdict(set)

    def see(self, node: URIRef, pref: str, spelling: str) -> None:
        self.pref.setdefault(node, pref)
        self.alts[node].add(spelling)

    def emit(self, g: Graph, *classes: URIRef) -> None:
        for node, pref in self.pref.items():
            for cls in classes:
                g.add((node, RDF.type, cls))
            g.add((node, SKOS.prefLabel, text(pref)))
            for alt in sorted(self.alts[node] - {pref}):
                g.add((node, SKOS.altLabel, text(alt)))


def _deadline(g: Graph, node: URIRef, d: DeadlineMention) -> None:
    g.add((node, RDF.type, GK.Deadline))
    g.add((node, GK.date, date(d.date)))
    g.add((node, GK.sourceText, text(d.text)))


_TARGET_KINDS = {"goal": GK.GoalTarget, "policy_parameter": GK.PolicyParameter, "procedural": GK.ProceduralLimit}


def _target(g: Graph, node: URIRef, t: TargetMention, line: int) -> None:
    """A target's own facts. Its gk:indicator comes from kg_build.links_rdf: which Indicator a
    target measures is decided across all plans (kg_build.linking.indicators)."""
    g.add((node, RDF.type, GK.Target))
    g.add((node, GK.value, decimal(t.value)))
    if t.value_low is not None:
        g.add((node, GK.valueLow, decimal(t.value_low)))
    if t.unit:
        g.add((node, GK.unitOfMeasure, text(t.unit)))
    g.add((node, GK.comparator, GK[t.comparator]))
    g.add((node, GK.targetKind, _TARGET_KINDS[t.kind]))
    g.add((node, GK.sourceText, text(t.text)))
    g.add((node, GK.sourceLine, integer(line)))


def _plan(g: Graph, plan: PlanRecord, gazette: URIRef, units_seen: _Labels, regions_seen: _Labels,
          projects_seen: _Labels) -> None:
    p = iris.plan(plan.key)
    g.add((p, RDF.type, GK.Plan))
    if plan.doc_number:
        g.add((p, GK.docNumber, text(plan.doc_number)))
    g.add((p, DCTERMS.title, text(plan.title)))
    g.add((p, GK.noticeTitle, text(plan.notice_title)))
    if plan.issued:
        g.add((p, DCTERMS.issued, date(plan.issued)))
    if plan.issuer:
        key, pref = canonical_unit(plan.issuer)
        u = iris.unit(key, plan.jurisdiction)
        units_seen.see(u, pref, plan.issuer)
        g.add((p, GK.issuedBy, u))
    g.add((p, GK.publishedIn, gazette))
    g.add((p, GK.sourceLine, integer(plan.line)))
    for n, (t, line) in enumerate(zip(plan.targets, plan.target_lines), 1):
        node = iris.plan_target(plan.key, n)
        _target(g, node, t, line)
        g.add((p, GK.hasTarget, node))
        if t.due and t.due.date:
            dn = iris.plan_target_deadline(plan.key, n)
            _deadline(g, dn, t.due)
            g.add((node, GK.dueBy, dn))
    for task in plan.tasks:
        tn = iris.task(plan.key, task.path)
        g.add((tn, RDF.type, GK.Task))
        g.add((tn, GK.inPlan, p))
        g.add((tn, GK.sectionPath, text(task.path)))
        g.add((tn, RDFS.label, text(task.label)))
        g.add((tn, GK.text, text(task.text)))
        g.add((tn, GK.sourceLine, integer(task.line)))
        g.add((tn, GK.endLine, integer(task.end_line)))
        for m in task.units:
            key, pref = canonical_unit(m.name)
            u = iris.unit(key, plan.jurisdiction)
            units_seen.see(u, pref, m.name)
            g.add((tn, GK.leadUnit if m.role == LEAD else GK.responsibleUnit, u))
        for name in task.mentioned_units:
            key, pref = canonical_unit(name)
            u = iris.unit(key, plan.jurisdiction)
            units_seen.see(u, pref, name)
            g.add((tn, GK.mentionedUnit, u))
        if task.status:
            g.add((tn, GK.status, text(task.status)))
        by_date: dict[str, URIRef] = {}
        for n, d in enumerate(task.deadlines, 1):
            dn = iris.task_deadline(tn, n)
            _deadline(g, dn, d)
            g.add((tn, GK.hasDeadline, dn))
            by_date[d.date] = dn
        for n, (t, line) in enumerate(zip(task.targets, task.target_lines), 1):
            node = iris.task_target(tn, n)
            _target(g, node, t, line)
            g.add((tn, GK.hasTarget, node))
            if t.due and t.due.date:
                if t.due.date not in by_date:
                    # a date only a target states still becomes one of the task's deadlines
                    dn = iris.task_deadline(tn, len(by_date) + 1)
                    _deadline(g, dn, t.due)
                    g.add((tn, GK.hasDeadline, dn))
                    by_date[t.due.date] = dn
                g.add((node, GK.dueBy, by_date[t.due.date]))
        for r in task.regions:
            key, pref, code = region_info(r.name, within=plan.jurisdiction)
            rn = iris.region(key)
            regions_seen.see(rn, pref, r.name)
            if code:
                g.add((rn, GK.adminCode, text(code)))
            g.add((tn, GK.region, rn))
        for pr in task.projects:
            key, pref = canonical_project(pr.name)
            key = f"{plan.jurisdiction}-{key}" if plan.jurisdiction else key
            pn = iris.project(key)
            projects_seen.see(pn, pref, pr.name)
            g.add((tn, GK.mentionsProject, pn))


def gazette_graph(record: GazetteRecord) -> Graph:
    """The RDF graph of one gazette issue."""
    g = Graph()
    gz = iris.gazette(record.file_name)
    g.add((gz, RDF.type, GK.Gazette))
    g.add((gz, GK.fileName, text(record.file_name)))
    g.add((gz, GK.sha256, text(record.sha256)))
    if record.title:
        g.add((gz, DCTERMS.title, text(record.title)))
    units_seen, regions_seen, projects_seen = _Labels(), _Labels(), _Labels()
    for plan in record.plans:
        _plan(g, plan, gz, units_seen, regions_seen, projects_seen)
    units_seen.emit(g, GK.Unit)
    regions_seen.emit(g, GK.Region, DCTERMS.Location)   # typed explicitly: consumers need no reasoner
    projects_seen.emit(g, GK.Project)
    return g
