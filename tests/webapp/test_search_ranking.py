"""Search that lands right (issue 12, item 6): one ranking for the API, the features table and
the map, features at the queried place before those merely named after it, countries, codes,
categories and stages as queries, and the gazetteer lookup behind the map's "zoom to <place>".

The API and the table are asked through the real app; the expected sets are counted from the
built GeoJSON itself, so a change of the catalogue changes what is expected, not the verdict.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.support import hostile
from webapp.api.params import MAX_PLACE_TEXT, MAX_PLACES
from webapp.http.mediatypes import GEOJSON, PROBLEM


@pytest.fixture(scope="module")
def app(built_data_dir):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def by_id(features) -> dict[str, dict]:
    return {f["properties"]["id"]: f["properties"] for f in features}


def api_ids(client, query: str) -> list[str]:
    response = client.get(f"/api/features?q={quote(query)}&limit=1000")
    assert response.status_code == 200, response.json
    return [f["id"] for f in response.json["features"]]


def table_ids(client, query: str) -> list[str]:
    response = client.get(f"/features?q={quote(query)}")
    assert response.status_code == 200
    return re.findall(r'href="/features/([a-z0-9-]+)"', response.get_data(as_text=True))


def in_country(by_id: dict[str, dict], code: str) -> set[str]:
    return {fid for fid, p in by_id.items() if code in p["countries"]}


def located_at(by_id: dict[str, dict], place: str) -> set[str]:
    return {fid for fid, p in by_id.items() if any(w["place"] == place for w in p["located_by"])}


# --- the ranking ---------------------------------------------------------------------------------


def test_tashkent_lists_the_sites_in_tashkent_first_then_corridors_through_it(client, by_id):
    found = api_ids(client, "Tashkent")
    at = located_at(by_id, "Tashkent")
    sites = {fid for fid in at if by_id[fid]["kind"] == "site"}
    assert len(sites) >= 3
    assert set(found[: len(sites)]) == sites
    assert set(found[len(sites) : len(at)]) == at - sites
    assert by_id[found[0]]["located_by"][0]["place"] == "Tashkent"
    # The Tashkent institute's branch in Almaty is named after Tashkent: it comes after them.
    assert "tiiame-branch-almaty" in found
    assert found.index("tiiame-branch-almaty") >= len(at)


def test_ties_are_broken_by_how_well_the_name_matches_then_kind_then_name(client):
    # All three stand in Tashkent: the one whose name starts with it first, then the one with
    # it among its name's words, then the one with it only in an alias.
    assert api_ids(client, "Tashkent")[:3] == [
        "mephi-tashkent-branch",
        "consultative-meeting-heads-of-state-tashkent",
        "innoprom-central-asia",
    ]


@pytest.mark.parametrize("query", ["Kazakhstan", "KZ", "kz", "kazakh"])
def test_a_country_by_name_code_or_people_finds_every_feature_in_it(client, by_id, query):
    kazakh = in_country(by_id, "KZ")
    assert len(kazakh) == 9  # counted from the GeoJSON when issue 12 was filed
    found = api_ids(client, query)
    assert set(found[: len(kazakh)]) == kazakh
    if query.upper() == "KZ":  # a code names the country only
        assert set(found) == kazakh
    # After them, features only named or described with the word (a Kazakh university's branch
    # in Uzbekistan).


def test_kyrgyzstan_finds_its_features(client, by_id):
    kyrgyz = in_country(by_id, "KG")
    assert kyrgyz
    assert set(api_ids(client, "Kyrgyzstan")) == kyrgyz


@pytest.mark.parametrize(
    ("query", "category"),
    [("railway", "rail corridor"), ("rail", "rail corridor"), ("power plant", "power plant")],
)
def test_category_words_find_their_category_first(client, by_id, query, category):
    wanted = {fid for fid, p in by_id.items() if p["category"] == category}
    found = api_ids(client, query)
    assert wanted and wanted <= set(found)
    if query == "power plant":
        assert set(found[: len(wanted)]) == wanted


def test_nuclear_finds_the_nuclear_power_plant_first(client):
    assert api_ids(client, "nuclear")[0] == "uzbekistan-first-nuclear-power-plant"


@pytest.mark.parametrize("stage", ["planned", "under construction", "proposed"])
def test_a_stage_finds_every_feature_at_that_stage(client, by_id, stage):
    wanted = {fid for fid, p in by_id.items() if p["status"]["stage"] == stage}
    assert wanted
    found = api_ids(client, stage)
    assert set(found[: len(wanted)]) == wanted


def test_two_words_combine_a_country_and_a_stage(client, by_id):
    wanted = {
        fid
        for fid, p in by_id.items()
        if "UZ" in p["countries"] and p["status"]["stage"] == "planned"
    }
    assert set(api_ids(client, "Uzbekistan planned")) >= wanted


@pytest.mark.parametrize(
    "query",
    ["Tashkent", "Kazakhstan", "KZ", "Kyrgyzstan", "railway", "nuclear", "planned", "Bekobod"],
)
def test_the_table_lists_in_the_apis_order(client, query):
    assert table_ids(client, query) == api_ids(client, query)


def test_the_table_still_sorts_a_search_by_a_column_when_asked(client):
    by_name = client.get("/features?q=Tashkent&sort=name").get_data(as_text=True)
    ids = re.findall(r'href="/features/([a-z0-9-]+)"', by_name)
    assert set(ids) == set(api_ids(client, "Tashkent")) and ids != api_ids(client, "Tashkent")
    # A form sent again with its search cleared keeps sort=relevance: read as by name.
    assert client.get("/features?q=&sort=relevance").status_code == 200


def test_the_ranking_does_not_change_near_order(client):
    found = client.get("/api/features?q=Tashkent&near=41.31,69.28&radius_km=50").json
    distances = [f["properties"]["distance_km"] for f in found["features"]]
    assert distances == sorted(distances)


# --- /api/places ---------------------------------------------------------------------------------


def test_a_gazetteer_town_that_is_no_feature_is_found_with_coordinates(client, by_id):
    places = {w["place"] for p in by_id.values() for w in p["located_by"]}
    assert "Fergana" not in places  # a logistics centre in Omsk is only named after it
    response = client.get("/api/places?q=Fergana")
    assert response.status_code == 200 and response.mimetype == GEOJSON
    first = response.json["features"][0]
    assert first["properties"]["name"] == "Fergana"
    assert first["properties"]["country_name"] == "Uzbekistan"
    lon, lat = first["geometry"]["coordinates"]
    assert 71 < lon < 72.5 and 40 < lat < 41


def test_places_are_transliteration_insensitive_and_limited(client):
    response = client.get("/api/places?q=Samarqand&limit=2").json
    assert response["numberReturned"] == len(response["features"]) <= 2
    assert response["features"][0]["properties"]["name"] == "Samarkand"


@pytest.mark.parametrize("query", ["Kazakhstan", "KZ", "railway", "planned", "!!!", " "])
def test_a_country_category_stage_or_no_word_names_no_place(client, query):
    # A village called Kazakhstan exists; a reader typing the country does not mean it.
    assert client.get(f"/api/places?q={quote(query)}").json["features"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "q"),
        ("q=", "q"),
        ("q=" + "x" * (MAX_PLACE_TEXT + 1), "q"),
        ("q=a&q=b", "q"),
        ("q=Tashkent&limit=0", "limit"),
        (f"q=Tashkent&limit={MAX_PLACES + 1}", "limit"),
        ("q=Tashkent&limit=-1", "limit"),
        ("q=Tashkent&limit=1e1", "limit"),
        ("q=Tashkent&limit=" + "9" * 40, "limit"),
        ("q=Tashkent&limit=1&limit=2", "limit"),
        ("q=Tashkent&bbox=1,2,3,4", "bbox"),
        ("q=Tashkent&kind=site", "kind"),
    ],
)
def test_bad_place_lookups_are_400_problems_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/places?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert response.json["parameter"] == parameter
    assert response.json["detail"]


@pytest.mark.parametrize(
    "payload",
    [*hostile.PAYLOADS.values(), hostile.CONTROLS, hostile.LONG[:MAX_PLACE_TEXT], "\u0345", "ı"],
)
def test_hostile_place_lookups_are_answered_as_text(client, payload):
    for path in ("/api/places", "/api/features"):
        response = client.get(path, query_string={"q": payload})
        assert response.status_code in (200, 400), (path, payload)
        assert response.mimetype in (GEOJSON, PROBLEM)


def test_the_openapi_document_describes_the_place_lookup(client):
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/places"]["get"]
    names = {document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
             for p in operation["parameters"]}  # fmt: skip
    assert names == {"q", "limit"}
    assert set(operation["responses"]) >= {"200", "400"}
