"""Name search (issue 13): units, regions and projects by any alias or part of a name, with
suggestions when a name matches nothing — in the API, the library, the CLI and the forms."""
from __future__ import annotations

import pytest

from gazettekg.cli import main
from queries import names
from tests.test_api_sparql import make_client

EPB = "https://w3id.org/gazettekg/id/unit/411000/shishengtaihuanjingju"  # 市生态环境局


@pytest.fixture(scope="module")
def client(sample_store):
    with make_client(sample_store) as c:
        yield c


@pytest.mark.parametrize("typed,how", [("市生态环境局", "exact"), ("市环保局", "alias"), ("生态环境局", "part"),
                                       ("市环境保护局", "alias")])
def test_a_unit_is_found_by_any_spelling(client, typed, how):
    got = client.get("/api/search", params={"q": typed, "kind": "unit"}).json()
    assert got["matches"][0]["iri"] == EPB and got["matches"][0]["match"] == how


def test_abbreviations_regions_and_projects(client, sample_store):
    pool = names.candidates(sample_store)
    assert {e.kind for e in pool} == {"unit", "region", "project"}
    found, _ = names.match("市发改委", pool, kind="unit")
    assert found[0].label == "市发展和改革委员会"
    assert names.match("魏都", pool, kind="region")[0][0].label == "魏都区"
    assert any("污水处理厂" in h.label for h in names.match("污水处理厂", pool, kind="project")[0])


def test_nothing_found_gives_suggestions(client):
    got = client.get("/api/search", params={"q": "市环境局"}).json()
    assert got["count"] == 0 and got["suggestions"][0]["label"] == "市生态环境局"
    assert client.get("/api/search", params={"q": "x", "kind": "animal"}).status_code == 400


def test_an_empty_library_answer_says_what_the_name_may_mean(client):
    r = client.get("/api/queries/unit_tasks", params={"unit": "市环保局"}).json()
    assert r["results"]["bindings"] == []
    assert r["suggestions"]["unit"][0]["label"] == "市生态环境局"
    hit = client.get("/api/queries/unit_tasks", params={"unit": "市生态环境局"}).json()
    assert hit["results"]["bindings"] and "suggestions" not in hit


def test_cli_find_and_query_hint(sample_store, capsys):
    assert main(["find", "市环保局", "--store", str(sample_store.path)]) == 0
    assert f"unit\t市生态环境局\talias\t{EPB}" in capsys.readouterr().out
    assert main(["query", "unit_tasks", "--param", "unit=市环保局", "--store", str(sample_store.path)]) == 0
    assert "did you mean 市生态环境局?" in capsys.readouterr().err
