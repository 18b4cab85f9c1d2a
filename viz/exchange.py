"""A view's nodes and edges as GraphML or GEXF, for Gephi, yEd, Cytoscape or networkx.

Pure: a Subgraph in, XML text out. Every value goes through `quoteattr`/`escape`, and
attributes are declared with their types, so the files load without warnings in Gephi.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from viz.model import Subgraph

# (key, type, how to read it from a Node)
NODE_ATTRS = (("label", "string", lambda n: n.label), ("class", "string", lambda n: n.cls),
              ("title", "string", lambda n: n.title), ("text", "string", lambda n: n.text),
              ("sourceLine", "int", lambda n: n.source_line), ("group", "string", lambda n: n.group),
              ("plans", "string", lambda n: "；".join(r.label for r in n.plans)))
EDGE_ATTRS = (("label", "string", lambda e: e.label), ("predicate", "string", lambda e: e.predicate),
              ("kind", "string", lambda e: e.kind))


def _values(obj, attrs):
    for key, _, read in attrs:
        value = read(obj)
        if value not in (None, ""):
            yield key, str(value)


def graphml(sub: Subgraph) -> str:
    """GraphML (http://graphml.graphdrawing.org/), directed; node ids are the IRIs.

    >>> from viz.model import Node, Edge, Subgraph
    >>> s = Subgraph("query", "t", [Node("a", "Task", "A&B"), Node("b", "Unit", "U")], [Edge("a", "b", "p", "lead")])
    >>> 'A&amp;B' in graphml(s) and '<edge id="e0" source="a" target="b">' in graphml(s)
    True
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    out += [f'<key id="n_{k}" for="node" attr.name="{k}" attr.type="{t}"/>' for k, t, _ in NODE_ATTRS]
    out += [f'<key id="e_{k}" for="edge" attr.name="{k}" attr.type="{t}"/>' for k, t, _ in EDGE_ATTRS]
    out.append(f'<graph id={quoteattr(sub.view)} edgedefault="directed">')
    for n in sub.nodes:
        data = "".join(f'<data key="n_{k}">{escape(v)}</data>' for k, v in _values(n, NODE_ATTRS))
        out.append(f"<node id={quoteattr(n.id)}>{data}</node>")
    for i, e in enumerate(sub.edges):
        data = "".join(f'<data key="e_{k}">{escape(v)}</data>' for k, v in _values(e, EDGE_ATTRS))
        out.append(f"<edge id=\"e{i}\" source={quoteattr(e.source)} target={quoteattr(e.target)}>{data}</edge>")
    out += ["</graph>", "</graphml>", ""]
    return "\n".join(out)


_GEXF_TYPES = {"string": "string", "int": "integer"}


def gexf(sub: Subgraph) -> str:
    """GEXF 1.3 (https://gexf.net/), Gephi's own format; labels as node/edge labels.

    >>> from viz.model import Node, Subgraph
    >>> '<node id="a" label="A">' in gexf(Subgraph("query", "t", [Node("a", "Task", "A")], []))
    True
    """
    attrs = [a for a in NODE_ATTRS if a[0] != "label"]
    edge_attrs = [a for a in EDGE_ATTRS if a[0] != "label"]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
           f"<meta><creator>gazettekg</creator><description>{escape(sub.title)}</description></meta>",
           '<graph defaultedgetype="directed" mode="static">',
           '<attributes class="node">']
    out += [f'<attribute id="{k}" title="{k}" type="{_GEXF_TYPES[t]}"/>' for k, t, _ in attrs]
    out += ["</attributes>", '<attributes class="edge">']
    out += [f'<attribute id="{k}" title="{k}" type="{_GEXF_TYPES[t]}"/>' for k, t, _ in edge_attrs]
    out += ["</attributes>", "<nodes>"]
    for n in sub.nodes:
        values = "".join(f"<attvalue for={quoteattr(k)} value={quoteattr(v)}/>" for k, v in _values(n, attrs))
        out.append(f"<node id={quoteattr(n.id)} label={quoteattr(n.label)}><attvalues>{values}</attvalues></node>")
    out += ["</nodes>", "<edges>"]
    for i, e in enumerate(sub.edges):
        values = "".join(f"<attvalue for={quoteattr(k)} value={quoteattr(v)}/>" for k, v in _values(e, edge_attrs))
        out.append(f'<edge id="e{i}" source={quoteattr(e.source)} target={quoteattr(e.target)} '
                   f"label={quoteattr(e.label)}><attvalues>{values}</attvalues></edge>")
    out += ["</edges>", "</graph>", "</gexf>", ""]
    return "\n".join(out)
