"""What a view is made of: plain nodes and edges, no RDF library types and no HTML.

`select` fills them from the store, `layout` gives them positions, `render` draws them.
Every text field holds the value exactly as it is in the graph; escaping is the
renderer's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ref:
    """Another entity named on a node (its plan, a unit, a region): IRI and label."""
    iri: str
    label: str


@dataclass
class Node:
    id: str                                   # the IRI, or "_:name" for a blank node
    cls: str                                  # local name of its gk: class (Task, Unit …) or "Resource"
    label: str                                # short label drawn on the graph
    title: str = ""                           # the full name (plan title, task heading, prefLabel)
    text: str = ""                            # the full text (task text, conflict comment, target phrase)
    source_line: int | None = None
    end_line: int | None = None
    plans: list[Ref] = field(default_factory=list)         # the plan(s) it belongs to
    units: list[Ref] = field(default_factory=list)         # lead and responsible units (a unit: itself)
    lead_units: list[Ref] = field(default_factory=list)
    regions: list[Ref] = field(default_factory=list)       # regions it names (a region: itself)
    deadlines: list[str] = field(default_factory=list)     # "2020年8月底前 (2020-08-31)"
    targets: list[str] = field(default_factory=list)       # target phrases as written
    fields: list[tuple[str, str]] = field(default_factory=list)  # other (property, value) pairs
    group: str | None = None                  # cluster key: duplicate group, plan …
    degree: int = 0                           # edges in this view
    more: int = 0                             # neighbours in the store not shown in this view
    x: float | None = None
    y: float | None = None


@dataclass
class Edge:
    source: str
    target: str
    predicate: str                            # IRI of the property (or of the strongest one when merged)
    label: str                                # short name of the relation
    kind: str = "structure"                   # structure · related · conflict
    fields: list[tuple[str, str]] = field(default_factory=list)  # evidence of a gk:relatedTo link


@dataclass
class Subgraph:
    view: str                                 # overview · cross · entity · query
    title: str
    nodes: list[Node]
    edges: list[Edge]
    notes: list[str] = field(default_factory=list)  # shown above the graph, e.g. why it is empty
    hidden: int = 0                           # nodes selected by the view's rule but cut by the cap
    cap: int | None = None
    seed: str | None = None                   # the entity of a neighbourhood view
    hops: int | None = None

    def node_ids(self) -> set[str]:
        return {n.id for n in self.nodes}

    def finish(self) -> "Subgraph":
        """Drop edges to absent nodes and duplicates, count degrees, sort for stable output."""
        ids = self.node_ids()
        seen, edges = set(), []
        for e in self.edges:
            key = (e.source, e.target, e.predicate)
            if e.source in ids and e.target in ids and e.source != e.target and key not in seen:
                seen.add(key)
                edges.append(e)
        degree = dict.fromkeys(ids, 0)
        for e in edges:
            degree[e.source] += 1
            degree[e.target] += 1
        for n in self.nodes:
            n.degree = degree[n.id]
        self.nodes.sort(key=lambda n: n.id)
        self.edges = sorted(edges, key=lambda e: (e.source, e.target, e.predicate))
        return self
