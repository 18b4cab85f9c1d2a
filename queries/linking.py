"""Cross-plan links read back from a store: conflicts, duplicate groups, a task's related
tasks. Used by `gazettekg report` and api/links.py, so both work on any built store.

Each function runs fixed SPARQL (user values only as bound terms) and returns plain
JSON-ready dicts, most important first.
"""
from __future__ import annotations

from collections import defaultdict

from queries.engines import SelectResult

_SEVERITY = {"high": 0, "medium": 1, "low": 2}

CONFLICTS = """SELECT ?conflict ?kind ?severity ?comment ?lang ?reason ?item ?line ?quote ?doc ?task WHERE {
  ?conflict a gk:Conflict ; gk:conflictKind ?kind ; gk:severity ?severity ; rdfs:comment ?comment ;
            gk:involves ?item .
  BIND(LANG(?comment) AS ?lang)
  OPTIONAL { ?conflict gk:reason ?reason FILTER(LANG(?reason) = LANG(?comment)) }
  OPTIONAL { ?item gk:sourceLine ?line }
  OPTIONAL { ?item gk:sourceText|rdfs:label ?quote }
  OPTIONAL { ?item a gk:Task . BIND(?item AS ?task) }
  OPTIONAL { ?owner gk:hasTarget ?item . ?owner a gk:Task . BIND(?owner AS ?task) }
  OPTIONAL { { ?item gk:inPlan ?plan } UNION { ?plan gk:hasTarget ?item . ?plan a gk:Plan }
             UNION { ?t gk:hasTarget ?item . ?t gk:inPlan ?plan } ?plan gk:docNumber ?doc }
}"""

EVIDENCE = """SELECT ?a ?b ?basis ?score ?term ?relation WHERE {
  ?ev a gk:RelationEvidence ; gk:evidenceFor ?a , ?b ; gk:basis ?basis ; gk:score ?score .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?ev gk:sharedTerm ?term }
  OPTIONAL { ?ev gk:relationKind ?relation }
}"""

LINKED_TASKS = """SELECT ?task ?doc ?path ?line ?label WHERE {
  ?task a gk:Task ; gk:sectionPath ?path ; gk:sourceLine ?line ; rdfs:label ?label .
  FILTER EXISTS { ?task gk:relatedTo ?other }
  OPTIONAL { ?task gk:inPlan/gk:docNumber ?doc }
}"""

RELATED = """SELECT ?task ?other ?basis ?score ?term ?relation ?clause ?clauseTask ?clauseText ?clauseLine
       ?doc ?path ?line ?label WHERE {
  ?task gk:relatedTo ?other .
  ?ev gk:evidenceFor ?task , ?other ; gk:basis ?basis ; gk:score ?score .
  OPTIONAL { ?ev gk:sharedTerm ?term }
  OPTIONAL { ?ev gk:relationKind ?relation }
  OPTIONAL { ?ev gk:quotes ?clause . ?clause gk:clauseOf ?clauseTask ; gk:clauseText ?clauseText ;
             gk:clauseLine ?clauseLine }
  ?other gk:sectionPath ?path ; gk:sourceLine ?line ; rdfs:label ?label .
  OPTIONAL { ?other gk:inPlan/gk:docNumber ?doc }
}"""


def _rows(store, sparql: str, **bindings) -> list[dict]:
    res = store.query(sparql, bindings=bindings or None)
    assert isinstance(res, SelectResult)
    return [{v: (None if t is None else t.value) for v, t in zip(res.variables, row)} for row in res.rows]


def conflicts(store) -> list[dict]:
    rows = _rows(store, CONFLICTS)
    out: dict[str, dict] = {}
    for r in rows:
        c = out.setdefault(r["conflict"], {"id": r["conflict"], "kind": r["kind"].rsplit("#", 1)[-1],
                                           "severity": r["severity"], "comment": {}, "reason": {}, "involves": {}})
        c["comment"][r["lang"] or "zh"] = r["comment"]
        if r["reason"]:
            c["reason"][r["lang"] or "zh"] = r["reason"]
        c["involves"].setdefault(r["item"], {"iri": r["item"], "doc": r["doc"], "task": r["task"],
                                             "line": int(r["line"]) if r["line"] else None, "quote": r["quote"]})
    result = []
    for c in out.values():
        c["involves"] = sorted(c["involves"].values(), key=lambda i: (i["doc"] or "", i["line"] or 0, i["iri"]))
        result.append(c)
    return sorted(result, key=lambda c: (_SEVERITY.get(c["severity"], 3), -len({i["doc"] for i in c["involves"]}), c["id"]))


def duplicate_groups(store) -> list[dict]:
    """Groups of related tasks: those sharing one named project or one indicator, and each
    pair joined by shared wording; duplicates (one commitment restated) first, then groups
    spanning more plans and scoring higher.
    (Not connected components: links chain, and a chain of 40 tasks explains nothing.)"""
    tasks = {r["task"]: {"iri": r["task"], "doc": r["doc"], "path": r["path"], "line": int(r["line"]), "label": r["label"]}
             for r in _rows(store, LINKED_TASKS)}
    groups: dict[tuple, dict] = {}
    for r in _rows(store, EVIDENCE):
        if r["a"] not in tasks or r["b"] not in tasks:
            continue
        if r["basis"] == "text":
            key = ("text", r["a"], r["b"])
        elif r["term"]:
            key = (r["basis"], r["term"])
        else:
            continue
        g = groups.setdefault(key, {"basis": r["basis"], "relation": r["relation"] or "overlap", "shared": [],
                                    "score": 0.0, "tasks": set()})
        if r["relation"] == "duplicate":        # a group is a duplicate when any of its pairs is one
            g["relation"] = "duplicate"
        g["tasks"].update((r["a"], r["b"]))
        g["score"] = max(g["score"], float(r["score"]))
        if r["basis"] != "text" or r["term"]:
            term = r["term"] if r["basis"] == "text" else key[1]
            if term and term not in g["shared"]:
                g["shared"].append(term)
    out = []
    for g in groups.values():
        g["tasks"] = sorted((tasks[t] for t in g["tasks"]), key=lambda t: (t["doc"] or "", t["line"]))
        g["plans"] = len({t["doc"] for t in g["tasks"]})
        out.append(g)
    return sorted(out, key=lambda g: (g["relation"] != "duplicate", -g["plans"], -g["score"], g["basis"],
                                      g["tasks"][0]["iri"], g["shared"]))


def related(store, task_iri: str) -> list[dict]:
    from pyoxigraph import NamedNode
    out: dict[str, dict] = {}
    for r in _rows(store, RELATED, task=NamedNode(task_iri)):
        o = out.setdefault(r["other"], {"iri": r["other"], "doc": r["doc"], "path": r["path"],
                                        "line": int(r["line"]), "label": r["label"], "evidence": {}})
        e = o["evidence"].setdefault(r["basis"], {"basis": r["basis"], "relation": r["relation"] or "overlap",
                                                   "score": float(r["score"]), "terms": [], "quotes": []})
        if r["term"] and r["term"] not in e["terms"]:
            e["terms"].append(r["term"])
        if r["clause"] and r["clause"] not in {q["iri"] for q in e["quotes"]}:
            e["quotes"].append({"iri": r["clause"], "task": r["clauseTask"], "text": r["clauseText"],
                                "line": int(r["clauseLine"])})
    result = []
    for o in out.values():
        for e in o["evidence"].values():
            e["quotes"].sort(key=lambda q: (q["task"] != task_iri, q["line"]))     # this task's clause first
        o["evidence"] = sorted(o["evidence"].values(), key=lambda e: -e["score"])
        o["score"] = o["evidence"][0]["score"]
        result.append(o)
    return sorted(result, key=lambda o: (-o["score"], o["iri"]))
