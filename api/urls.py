"""Where this service shows an entity, its source text and its graph: the one place those
URLs are spelled, for the pages, the findings files and `gazettekg report --format html`.

Pure functions of IRIs; `base` ("" for links inside the service, "http://host:port" for a
report read outside it) is put in front unchanged.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from ontology.namespaces import ID


def entity(iri: str, base: str = "") -> str:
    """The entity's page: /id/… for the project's IRIs, the IRI itself otherwise.

    >>> entity("https://w3id.org/gazettekg/id/task/xuzheng-2020-7/2-2-3")
    '/id/task/xuzheng-2020-7/2-2-3'
    """
    if iri.startswith(str(ID)):
        return base + "/id/" + quote(iri[len(str(ID)):], safe="/:-_.~")
    return iri


def source(iri: str, line: int | None = None, quote_text: str | None = None, base: str = "") -> str:
    """The gazette text where the entity was read (the source view resolves its issue).

    >>> source("https://w3id.org/gazettekg/id/task/x/1", 12)
    '/source?iri=https%3A%2F%2Fw3id.org%2Fgazettekg%2Fid%2Ftask%2Fx%2F1&line=12'
    """
    params = {"iri": iri}
    if line:
        params["line"] = str(line)
    if quote_text:
        params["quote"] = quote_text[:200]
    return f"{base}/source?{urlencode(params)}"


def graph(iri: str, base: str = "", hops: int = 1) -> str:
    """The entity's neighbourhood drawn as a graph."""
    return f"{base}/graph/entity?{urlencode({'iri': iri, 'hops': hops})}"
