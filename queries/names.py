"""Find units, regions and projects by any spelling or part of a name, and suggest the
nearest names when nothing matches. Used by /api/search, the library's name parameters
(REST and the query page's forms) and `gazettekg find`.

A name is looked up as typed, as `kg_build.units.canonical_unit` spells it (市发改委 →
市发展和改革委员会), and under the names bodies had before the 2018 institutional reform
(市环保局 → 市生态环境局). Matching is plain text over the names the graph holds
(skos:prefLabel and skos:altLabel): exact, then part of a name, then similar names as
suggestions. `match()` is pure; `candidates()` reads the store.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

# Former names → today's, for search only (not for extraction: an old gazette that says
# 环保局 means the body of its day). Origin: 国务院机构改革方案 (2018) and the provincial
# and municipal reform plans that follow it; each row is the name part that changed.
FORMER_NAMES = (
    ("环境保护局", "生态环境局"), ("环保局", "生态环境局"), ("环保厅", "生态环境厅"),
    ("国土资源局", "自然资源和规划局"), ("国土局", "自然资源和规划局"), ("规划局", "自然资源和规划局"),
    ("卫计委", "卫生健康委员会"), ("卫生和计划生育委员会", "卫生健康委员会"), ("卫生局", "卫生健康委员会"),
    ("安监局", "应急管理局"), ("安全生产监督管理局", "应急管理局"),
    ("文广新局", "文化广电和旅游局"), ("旅游局", "文化广电和旅游局"), ("文化局", "文化广电和旅游局"),
    ("农业局", "农业农村局"), ("农委", "农业农村局"),
    ("工商局", "市场监督管理局"), ("质监局", "市场监督管理局"), ("食药监局", "市场监督管理局"),
    ("城乡建设局", "住房和城乡建设局"), ("建委", "住房和城乡建设局"),
)
KINDS = {"unit": "gk:Unit", "region": "gk:Region", "project": "gk:Project"}

CANDIDATES = """SELECT ?entity ?kind ?name ?alt WHERE {
  VALUES ?kind { gk:Unit gk:Region gk:Project }
  ?entity a ?kind ; skos:prefLabel ?name . OPTIONAL { ?entity skos:altLabel ?alt } }"""


@dataclass
class Named:
    iri: str
    kind: str                      # unit · region · project
    label: str
    alt: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.label, *self.alt]


@dataclass
class Hit:
    iri: str
    kind: str
    label: str
    alt: list[str]
    match: str                     # exact · alias · part · similar
    score: float
    via: str                       # the spelling that matched

    def as_dict(self) -> dict:
        return {"iri": self.iri, "kind": self.kind, "label": self.label, "altLabels": self.alt,
                "match": self.match, "score": round(self.score, 3), "via": self.via}


def variants(text: str) -> list[str]:
    """The ways a typed name may be spelled in the graph, the typed one first.

    >>> variants("市环保局")
    ['市环保局', '市生态环境局']
    >>> variants("市发改委")
    ['市发改委', '市发展和改革委员会']
    """
    from kg_build.units import canonical_unit
    text = "".join(text.split())
    out = [text]
    for v in (canonical_unit(text)[0],) + tuple(text.replace(old, new) for old, new in FORMER_NAMES if old in text):
        for w in (v, canonical_unit(v)[0]):
            if w and w not in out:
                out.append(w)
    return out


def match(text: str, entities: list[Named], *, kind: str | None = None, limit: int = 20) -> tuple[list[Hit], list[Hit]]:
    """(matches, suggestions) for a typed name: suggestions only when nothing matches.

    >>> es = [Named("u1", "unit", "市生态环境局"), Named("u2", "unit", "市发展和改革委员会", ["市发改委"])]
    >>> [h.iri for h in match("生态环境局", es)[0]], match("市环保局", es)[0][0].match
    (['u1'], 'alias')
    >>> match("市发改", es)[0][0].iri, match("市生态局", es)[1][0].label
    ('u2', '市生态环境局')
    """
    pool = [e for e in entities if kind in (None, e.kind)]
    forms = variants(text)
    if not forms[0]:
        return [], []
    hits: dict[str, Hit] = {}

    def offer(e: Named, how: str, score: float, via: str) -> None:
        if e.iri not in hits or hits[e.iri].score < score:
            hits[e.iri] = Hit(e.iri, e.kind, e.label, e.alt, how, score, via)

    for e in pool:
        for name in e.names():
            for i, form in enumerate(forms):
                if name == form:
                    offer(e, "exact" if i == 0 else "alias", 1.0 if i == 0 else 0.95, name)
                elif len(form) >= 2 and form in name:
                    offer(e, "part", 0.6 + 0.3 * len(form) / len(name), name)
    found = sorted(hits.values(), key=lambda h: (-h.score, h.label, h.iri))[:limit]
    if found:
        return found, []
    near: dict[str, Hit] = {}
    for e in pool:
        for name in e.names():
            score = max(difflib.SequenceMatcher(None, form, name).ratio() for form in forms)
            if score >= 0.5 and (e.iri not in near or near[e.iri].score < score):
                near[e.iri] = Hit(e.iri, e.kind, e.label, e.alt, "similar", score, name)
    return [], sorted(near.values(), key=lambda h: (-h.score, h.label, h.iri))[:5]


def candidates(store) -> list[Named]:
    """Every unit, region and project with its names."""
    out: dict[str, Named] = {}
    res = store.query(CANDIDATES)
    for entity, kind, name, alt in res.rows:
        e = out.setdefault(entity.value, Named(entity.value, kind.value.rsplit("#", 1)[1].lower(), name.value))
        if alt is not None and alt.value not in e.alt and alt.value != e.label:
            e.alt.append(alt.value)
    return sorted(out.values(), key=lambda e: e.iri)


# library query parameters that name an entity: parameter → kind
NAME_PARAMS = {"unit": "unit", "region": "region", "project": "project"}


def suggest_for_params(store, params: dict[str, str]) -> dict[str, list[dict]]:
    """For each name parameter given, the entities it may have meant (matches by alias or
    part, else similar names): what to show when a library query found nothing."""
    wanted = {k: v for k, v in params.items() if k in NAME_PARAMS and v}
    if not wanted:
        return {}
    pool = candidates(store)
    out = {}
    for name, value in wanted.items():
        found, near = match(value, pool, kind=NAME_PARAMS[name], limit=5)
        hits = [h for h in found if h.label != value] or near
        if hits:
            out[name] = [h.as_dict() for h in hits]
    return out
