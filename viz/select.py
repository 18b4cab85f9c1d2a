"""Subgraph selection: SPARQL through the store → a `Subgraph` of plain nodes and edges.

Pure with respect to presentation: nothing here knows about HTML, colours or layout.
Each view is one function taking a store (anything with `query(sparql, bindings=…)`,
embedded or remote):

    overview(store)                      plans → tasks → units, regions
    cross(store)                         tasks linked across plans (gk:relatedTo) as duplicates or by
                                         a shared project or indicator, duplicate groups,
                                         gk:Conflict findings and what they involve
    neighbourhood(store, iri, hops, cap) any entity and what lies within `hops` links, capped
    from_triples(store, triples)         the result of a CONSTRUCT or DESCRIBE query

Values a user gives (the entity IRI) are bound as RDF terms. Lists of entities that
came out of the store are sent back in VALUES blocks; they are written with pyoxigraph's
own N-Triples serialisation of a validated NamedNode, which cannot contain `>`, a space,
a quote or a brace, so they cannot change the query's shape.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox

from ontology.namespaces import DCTERMS, GK, ID, RDF, RDFS, SKOS
from queries.engines import GraphResult, SelectResult
from queries.results import compact
from viz.model import Edge, Node, Ref, Subgraph

DEFAULT_HOPS, MAX_HOPS = 1, 3
DEFAULT_CAP, MAX_CAP = 150, 2000
QUERY_NODE_CAP = 5000
_CHUNK = 400  # IRIs per VALUES block

# Classes in the order a capped neighbourhood keeps them: the structure first.
CLASS_ORDER = ("Plan", "Task", "Conflict", "Unit", "Region", "Project", "Indicator", "Target", "Deadline",
               "Gazette", "RelationEvidence")
_RANK = {c: i for i, c in enumerate(CLASS_ORDER)}



@lru_cache(maxsize=1)
def _ontology_labels() -> dict[str, tuple[str, str]]:
    from ontology.namespaces import ontology_graph
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for term, label in ontology_graph().subject_objects(RDFS.label):
        labels[str(term)].setdefault(label.language or "", str(label))
    return {t: (d.get("zh", ""), d.get("en", "")) for t, d in labels.items()}


def term_label(iri: str) -> str:
    """A class, property or individual by its ontology labels, Chinese then English.

    >>> term_label(str(GK.leadUnit)), term_label("http://example.org/x#y")
    ('牵头单位 lead unit', 'y')
    """
    zh, en = _ontology_labels().get(iri, ("", ""))
    return f"{zh} {en}".strip() or local_name(iri)


# Properties that are never edges of a neighbourhood: types, enumerations, link evidence.
_NOT_TRAVERSED = "rdf:type, gk:comparator, gk:conflictKind, gk:evidenceFor"


class EntityNotFound(LookupError):
    """The IRI names nothing in the store."""


# --- small helpers ---------------------------------------------------------------------------

def _rows(store, sparql: str, bindings: dict | None = None) -> list[dict]:
    res = store.query(sparql, bindings=bindings)
    if not isinstance(res, SelectResult):
        raise TypeError("expected a SELECT result")
    return [dict(zip(res.variables, row)) for row in res.rows]


def _values(terms: Iterable[str]) -> str:
    return " ".join(str(ox.NamedNode(t)) for t in terms)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _v(term) -> str | None:
    return None if term is None else term.value


def _key(term) -> str:
    """A node id: the IRI, or _:name for a blank node."""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def short(text: str, limit: int = 14) -> str:
    """The first `limit` characters of `text` on one line, with … when cut.

    >>> short("有力保障城乡供水安全"), short("一二三四五六七八九十甲乙丙丁戊", 14)
    ('有力保障城乡供水安全', '一二三四五六七八九十甲乙丙…')
    """
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[:limit - 1] + "…"


def short_doc(doc_number: str) -> str:
    """The number part of a 文号, for labels: 许政〔2020〕7号 → 7号.

    >>> short_doc("许政〔2020〕7号"), short_doc("no bracket")
    ('7号', 'no bracket')
    """
    return doc_number.rsplit("〕", 1)[-1] or doc_number


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


# --- node details ------------------------------------------------------------------------------

DETAILS = """SELECT ?s ?p ?o ?name ?doc ?heading ?phrase ?date WHERE {
  VALUES ?s { %s }
  ?s ?p ?o .
  FILTER(?p NOT IN (gk:relatedTo, gk:evidenceFor, gk:involves))
  OPTIONAL { ?o skos:prefLabel ?name }
  OPTIONAL { ?o gk:docNumber ?doc }
  OPTIONAL { ?o rdfs:label ?heading }
  OPTIONAL { ?o gk:sourceText ?phrase }
  OPTIONAL { ?o gk:date ?date }
}"""

# The plan(s) an entity belongs to: its own, its owner's (targets, deadlines), or those of
# the commitments a conflict involves. (One path expression: a UNION of groups here is
# evaluated before the VALUES join and takes seconds.) A plan is its own plan (in `_node`).
PLAN_OF = """SELECT DISTINCT ?s ?plan ?doc WHERE {
  VALUES ?s { %s }
  ?s gk:inPlan|^gk:hasTarget|^gk:hasTarget/gk:inPlan|^gk:hasDeadline/gk:inPlan
     |^gk:dueBy/^gk:hasTarget|^gk:dueBy/^gk:hasTarget/gk:inPlan
     |gk:involves/gk:inPlan|gk:involves/^gk:hasTarget|gk:involves/^gk:hasTarget/gk:inPlan ?plan .
  ?plan a gk:Plan .
  OPTIONAL { ?plan gk:docNumber ?doc }
}"""


def _ref_label(row: dict) -> str:
    for key in ("name", "doc", "heading", "phrase"):
        if row.get(key) is not None:
            return row[key].value
    return compact(row["o"].value)


def describe(store, iris: Iterable[str]) -> dict[str, Node]:
    """A Node with label, class, texts, plan, units, regions, deadlines and targets for each IRI.

    Blank nodes and IRIs the store knows nothing about get a bare node of class Resource.
    """
    iris = sorted(set(iris))
    facts: dict[str, list[dict]] = defaultdict(list)
    plans: dict[str, list[Ref]] = defaultdict(list)
    named = [i for i in iris if not i.startswith("_:")]
    for chunk in _chunks(named):
        for row in _rows(store, DETAILS % _values(chunk)):
            facts[row["s"].value].append(row)
        for row in _rows(store, PLAN_OF % _values(chunk)):
            plan = row["plan"].value
            plans[row["s"].value].append(Ref(plan, _v(row["doc"]) or compact(plan)))
    return {i: _node(i, facts.get(i, []), sorted(set(plans.get(i, [])), key=lambda r: r.iri)) for i in iris}


def _node(iri: str, rows: list[dict], plans: list[Ref]) -> Node:
    classes, seen = [], set()
    node = Node(id=iri, cls="Resource", label="", plans=plans)
    single: dict[str, str] = {}
    comments: list[tuple[str, str]] = []
    for row in rows:
        p, o = row["p"].value, row["o"]
        key = (p, _key(o))
        if key in seen:
            continue
        seen.add(key)
        if p == str(RDF.type):
            classes.append(o.value)
        elif isinstance(o, ox.Literal):
            if p == str(RDFS.comment):
                comments.append((o.language or "", o.value))
            elif p in _SINGLE:
                single.setdefault(p, o.value)
            else:
                node.fields.append((_field_name(p), o.value))
        else:
            _object_fact(node, p, o, row)
    node.cls = _class(classes)
    _texts(node, single, comments)
    return node


_SINGLE = {str(p) for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title, GK.docNumber, GK.text, GK.sourceText,
                            GK.sourceLine, GK.endLine, GK.date, GK.sectionPath, GK.fileName)}


def _field_name(p: str) -> str:
    return term_label(p) if p in _ontology_labels() else compact(p)


def _object_fact(node: Node, p: str, o, row: dict) -> None:
    if isinstance(o, ox.BlankNode):
        node.fields.append((_field_name(p), f"_:{o.value}"))
        return
    ref = Ref(o.value, _ref_label(row))
    if p == str(GK.inPlan):
        pass  # the plan comes from PLAN_OF, with the same label
    elif p == str(GK.leadUnit):
        node.lead_units.append(ref)
        if ref not in node.units:
            node.units.append(ref)
    elif p == str(GK.responsibleUnit):
        if ref not in node.units:
            node.units.append(ref)
    elif p == str(GK.region):
        node.regions.append(ref)
    elif p == str(GK.hasDeadline):
        date = _v(row.get("date"))
        node.deadlines.append(f"{ref.label} ({date})" if date and date != ref.label else ref.label)
    elif p == str(GK.hasTarget):
        node.targets.append(ref.label)
    elif o.value in _ontology_labels():  # an enumeration: gk:AtLeast, gk:ValueConflict …
        node.fields.append((_field_name(p), term_label(o.value)))
    else:
        label = ref.label if ref.label != compact(o.value) else compact(o.value)
        node.fields.append((_field_name(p), label))


def _class(types: list[str]) -> str:
    gk = sorted(local_name(t) for t in types if t.startswith(str(GK)))
    if gk:
        return min(gk, key=lambda c: (_RANK.get(c, len(_RANK)), c))
    return "Resource"


def _texts(node: Node, single: dict[str, str], comments: list[tuple[str, str]]) -> None:
    """Label, full title and full text by class."""
    get = lambda p: single.get(str(p))  # noqa: E731
    node.source_line = int(get(GK.sourceLine)) if get(GK.sourceLine) else None
    node.end_line = int(get(GK.endLine)) if get(GK.endLine) else None
    comments.sort(key=lambda c: (c[0] != "zh", c[0], c[1]))
    for key in (GK.sectionPath, GK.date, GK.fileName, GK.docNumber):
        if get(key):
            node.fields.insert(0, (term_label(str(key)), get(key)))
    title = get(SKOS.prefLabel) or get(RDFS.label) or get(DCTERMS.title) or ""
    cls = node.cls
    if cls == "Plan":
        node.title = get(DCTERMS.title) or get(GK.docNumber) or ""
        node.label = get(GK.docNumber) or short(node.title)
    elif cls == "Task":
        node.title = get(RDFS.label) or get(GK.sectionPath) or ""
        node.text = get(GK.text) or ""
        node.label = short(node.title or node.text)
    elif cls in ("Target", "Deadline"):
        node.text = get(GK.sourceText) or ""
        node.title = node.text or get(GK.date) or ""
        node.label = short(node.title, 12)
    elif cls == "Conflict":
        kind = next((v for k, v in node.fields if k == term_label(str(GK.conflictKind))), "冲突")
        node.title = kind.split(" ")[0]
        node.label = node.title
        node.text = "\n\n".join(text for _, text in comments)
        comments = []
    else:
        node.title = title or get(GK.sourceText) or ""
        node.label = short(node.title, 12)
    if cls == "Plan":
        node.plans = [Ref(node.id, node.label)]
    elif cls == "Unit":
        node.units = [Ref(node.id, node.title)]
    elif cls == "Region":
        node.regions = [Ref(node.id, node.title)]
    for lang, text in comments:
        node.fields.append((f"说明 comment{'@' + lang if lang else ''}", text))
    node.fields.sort(key=lambda f: f[0] == term_label(str(SKOS.altLabel)))  # spellings last
    if not node.label:
        node.label = short(local_name(node.id) or node.id, 16)
        node.title = node.title or compact(node.id)


# --- views ----------------------------------------------------------------------------------------

OVERVIEW = """SELECT ?task ?p ?o WHERE {
  ?task a gk:Task ; ?p ?o .
  VALUES ?p { gk:inPlan gk:leadUnit gk:responsibleUnit gk:region }
}"""
ALL_PLANS = "SELECT ?plan WHERE { ?plan a gk:Plan }"


def overview(store) -> Subgraph:
    """Every plan, its tasks, and the units and regions the tasks name."""
    edges = []
    ids = {row["plan"].value for row in _rows(store, ALL_PLANS)}
    for row in _rows(store, OVERVIEW):
        task, p, o = row["task"].value, row["p"].value, row["o"].value
        ids.update((task, o))
        edges.append(Edge(task, o, p, term_label(p)))
    nodes = describe(store, ids)
    for n in nodes.values():
        if n.cls in ("Plan", "Task"):
            n.group = n.plans[0].iri if n.plans else None
    notes = [] if ids else ["这个库里还没有方案。No plans in this store yet: run `gazettekg build`."]
    return Subgraph("overview", "方案总览 Plan overview", list(nodes.values()), edges, notes).finish()


# The cross view draws the links a researcher checks one by one: duplicates (one commitment
# restated) and shared projects or indicators. Text overlaps (one topic, another scope) run
# to a thousand on the sample's 271 tasks; they are browsed through their gk:Topic instead.
RELATED = """SELECT DISTINCT ?a ?b WHERE {
  { ?a gk:relatedTo ?b } UNION { ?b gk:relatedTo ?a }
  FILTER(STR(?a) < STR(?b))
  FILTER(!EXISTS { ?o gk:evidenceFor ?a , ?b ; gk:basis "text" ; gk:relationKind "overlap" }
         || EXISTS { ?e gk:evidenceFor ?a , ?b FILTER NOT EXISTS { ?e gk:basis "text" ; gk:relationKind "overlap" } })
}"""
EVIDENCE = """SELECT ?a ?b ?e ?basis ?score ?term WHERE {
  ?e a gk:RelationEvidence ; gk:evidenceFor ?a , ?b .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?e gk:basis ?basis }
  OPTIONAL { ?e gk:score ?score }
  OPTIONAL { ?e gk:sharedTerm ?term }
}"""
CONFLICTS = """SELECT ?c ?x ?owner WHERE {
  ?c a gk:Conflict .
  OPTIONAL { ?c gk:involves ?x . OPTIONAL { ?owner gk:hasTarget ?x } }
}"""


def cross(store) -> Subgraph:
    """Tasks of different plans linked by gk:relatedTo (duplicate groups clustered together),
    every gk:Conflict with the commitments it involves and the tasks or plans owning them."""
    ids: set[str] = set()
    edges: list[Edge] = []
    related = [(r["a"].value, r["b"].value) for r in _rows(store, RELATED)]
    evidence: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for r in _rows(store, EVIDENCE):
        ev = evidence[(r["a"].value, r["b"].value)].setdefault(r["e"].value, {"terms": set()})
        ev["basis"], ev["score"] = _v(r["basis"]), _v(r["score"])
        if r["term"] is not None:
            ev["terms"].add(r["term"].value)
    for a, b in related:
        ids.update((a, b))
        edges.append(Edge(a, b, str(GK.relatedTo), term_label(str(GK.relatedTo)), "related",
                          _evidence_fields(evidence.get((a, b), {}))))
    for r in _rows(store, CONFLICTS):
        c = r["c"].value
        ids.add(c)
        if r["x"] is not None:
            ids.add(r["x"].value)
            edges.append(Edge(c, r["x"].value, str(GK.involves), term_label(str(GK.involves)), "conflict"))
        if r["owner"] is not None:
            ids.add(r["owner"].value)
            edges.append(Edge(r["owner"].value, r["x"].value, str(GK.hasTarget), term_label(str(GK.hasTarget))))
    nodes = describe(store, ids)
    for n in nodes.values():
        if n.cls == "Task" and n.plans:
            n.label = short(f"{short_doc(n.plans[0].label)}·{n.title or n.text}", 16)
    _duplicate_groups(nodes, related)
    notes = []
    if not related:
        notes.append("这个库里还没有跨方案关联（gk:relatedTo）。No cross-plan links (gk:relatedTo) in this store yet.")
    if not any(n.cls == "Conflict" for n in nodes.values()):
        notes.append("没有冲突发现（gk:Conflict）。No conflict findings (gk:Conflict) in this store.")
    return Subgraph("cross", "跨方案关联与冲突 Cross-plan links and conflicts", list(nodes.values()), edges,
                    notes).finish()


def _evidence_fields(evidence: dict[str, dict]) -> list[tuple[str, str]]:
    out = []
    for _, ev in sorted(evidence.items(), key=lambda kv: (-(float(kv[1]["score"] or 0)), kv[0])):
        terms = "、".join(sorted(ev["terms"]))
        out.append((f"依据 basis: {ev['basis'] or '?'}", f"score {ev['score'] or '?'}" + (f" · {terms}" if terms else "")))
    return out


def _duplicate_groups(nodes: dict[str, Node], related: list[tuple[str, str]]) -> None:
    """Connected components of gk:relatedTo: each is a group of duplicate or overlapping tasks."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in related:
        parent[find(a)] = find(b)
    members: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        members[find(x)].append(x)
    groups = sorted(members.values(), key=lambda m: (-len(m), min(m)))
    for number, group in enumerate(groups, 1):
        plans = {p.iri for m in group for p in nodes[m].plans}
        for m in group:
            nodes[m].group = f"G{number}"
            nodes[m].fields.insert(0, ("重复组 duplicate group", f"G{number} · {len(group)} 项任务 tasks · "
                                                             f"{len(plans)} 个方案 plans"))


NEIGHBOURS = """SELECT DISTINCT ?n ?m ?mc WHERE {
  VALUES ?n { %s }
  { ?n ?p ?m . FILTER(isIRI(?m)) } UNION { ?m ?p ?n . FILTER(isIRI(?m)) }
  FILTER(?p NOT IN (""" + _NOT_TRAVERSED + """))
  OPTIONAL { ?m a ?mc . FILTER(STRSTARTS(STR(?mc), STR(gk:))) }
}"""
DEGREE = """SELECT ?n (COUNT(DISTINCT ?m) AS ?k) WHERE {
  VALUES ?n { %s }
  { ?n ?p ?m . FILTER(isIRI(?m)) } UNION { ?m ?p ?n . FILTER(isIRI(?m)) }
  FILTER(?p NOT IN (""" + _NOT_TRAVERSED + """))
} GROUP BY ?n"""
EDGES_AMONG = """SELECT ?s ?p ?o WHERE {
  VALUES ?s { %s }
  VALUES ?o { %s }
  ?s ?p ?o .
  FILTER(?p NOT IN (""" + _NOT_TRAVERSED + """))
}"""
EXISTS = "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } } LIMIT 1"


def neighbourhood(store, iri: str, *, hops: int = DEFAULT_HOPS, cap: int = DEFAULT_CAP) -> Subgraph:
    """The entity `iri` and everything within `hops` links of it (both directions), at most `cap`
    nodes: nearer first, then by class (plans and tasks before targets), then by IRI.

    `hidden` counts what lies within `hops` but was cut; each node's `more` counts its
    neighbours in the store that are not shown, so a viewer can offer to expand it.
    """
    hops = max(1, min(int(hops), MAX_HOPS))
    cap = max(2, min(int(cap), MAX_CAP))
    seed = ox.NamedNode(iri)  # raises ValueError for text that is not an IRI
    if not _rows(store, EXISTS, {"s": seed}):
        raise EntityNotFound(f"{iri}: no such entity in the store")
    shown, frontier, cut = [iri], [iri], set()
    for _ in range(hops):
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(frontier)):
            for r in _rows(store, NEIGHBOURS % _values(chunk)):
                m = r["m"].value
                rank = _RANK.get(local_name(r["mc"].value), len(_RANK)) if r["mc"] is not None else len(_RANK) + 1
                found[m] = min(rank, found.get(m, rank))
        known = set(shown)
        frontier = []
        for m in sorted((m for m in found if m not in known), key=lambda m: (found[m], m)):
            if len(shown) < cap:
                shown.append(m)
                frontier.append(m)
            else:
                cut.add(m)
        if not frontier:
            break
    nodes = describe(store, shown)
    edges = _edges_among(store, shown)
    sub = Subgraph("entity", f"{nodes[iri].label} · 邻域 neighbourhood", list(nodes.values()), edges,
                   seed=iri, hops=hops, cap=cap, hidden=len(cut)).finish()
    _count_more(store, sub)
    if cut:
        sub.notes.append(f"还有 {len(cut)} 个节点未显示（上限 {cap}）。{len(cut)} more within {hops} "
                         f"hop{'s' if hops > 1 else ''} not shown (cap {cap}).")
    return sub


def _edges_among(store, iris: list[str]) -> list[Edge]:
    edges = []
    for a in _chunks(sorted(iris)):
        for b in _chunks(sorted(iris)):
            for r in _rows(store, EDGES_AMONG % (_values(a), _values(b))):
                p = r["p"].value
                edges.append(Edge(r["s"].value, r["o"].value, p, term_label(p),
                                  "related" if p == str(GK.relatedTo) else
                                  "conflict" if p == str(GK.involves) else "structure"))
    return edges


def _count_more(store, sub: Subgraph) -> None:
    shown_neighbours: dict[str, set[str]] = defaultdict(set)
    for e in sub.edges:
        shown_neighbours[e.source].add(e.target)
        shown_neighbours[e.target].add(e.source)
    total = {}
    for chunk in _chunks(sorted(sub.node_ids())):
        for r in _rows(store, DEGREE % _values(chunk)):
            total[r["n"].value] = int(r["k"].value)
    for n in sub.nodes:
        n.more = max(0, total.get(n.id, 0) - len(shown_neighbours[n.id]))


def from_triples(store, triples: list, *, title: str = "查询结果 Query result",
                 cap: int = QUERY_NODE_CAP, truncated: bool = False) -> Subgraph:
    """The graph a CONSTRUCT or DESCRIBE query returned: every IRI or blank node a triple links
    is a node; rdf:type sets a node's class, literals become its fields. Labels, texts and
    classes the result leaves out are looked up in the store."""
    types: dict[str, list[str]] = defaultdict(list)
    literals: dict[str, list[tuple[str, str]]] = defaultdict(list)
    edges, order = [], {}
    for t in triples:
        s, p, o = _key(t.subject), t.predicate.value, t.object
        order.setdefault(s, len(order))
        if p == str(RDF.type) and isinstance(o, ox.NamedNode):
            types[s].append(o.value)
        elif isinstance(o, ox.Literal):
            literals[s].append((p, o.value))
        else:
            order.setdefault(_key(o), len(order))
            edges.append(Edge(s, _key(o), p, term_label(p),
                              "related" if p == str(GK.relatedTo) else
                              "conflict" if p == str(GK.involves) else "structure"))
    linked = {e.source for e in edges} | {e.target for e in edges}
    ids = sorted(set(order) & (linked | set(types) | set(literals)), key=order.get)
    notes = []
    if len(ids) > cap:
        notes.append(f"结果有 {len(ids)} 个节点，只显示前 {cap} 个。The result has {len(ids)} nodes; the first {cap} are shown.")
    hidden = max(0, len(ids) - cap)
    ids = ids[:cap]
    nodes = describe(store, ids)
    for i, node in nodes.items():
        if types.get(i):
            node.cls = _class(types[i])
        known = {v for _, v in node.fields} | {node.title, node.text, node.label}
        for p, value in literals.get(i, []):
            if value not in known:
                node.fields.append((compact(p), value))
            if node.label == short(local_name(i) or i, 16) and p in (str(RDFS.label), str(SKOS.prefLabel),
                                                                     str(DCTERMS.title)):
                node.title, node.label = value, short(value, 12)
    if truncated:
        notes.append("查询结果被截断。The query's result was cut at the service's row limit.")
    if not ids:
        notes.append("查询没有返回可画的三元组。The query returned no triples to draw.")
    return Subgraph("query", title, list(nodes.values()), edges, notes, hidden=hidden).finish()


def construct(store, sparql: str) -> Subgraph:
    """Run a CONSTRUCT or DESCRIBE query on the store and select its graph."""
    res = store.query(sparql)
    if not isinstance(res, GraphResult):
        raise ValueError("a graph view needs a CONSTRUCT or DESCRIBE query; this one answers a table")
    return from_triples(store, res.triples)
