"""Search in any script (issue 13, item 1): Cyrillic Russian, Kazakh letters, Uzbek Latin with
any apostrophe-like mark and Uzbek Cyrillic find what their Latin spellings find, through the
API, the features table and the OGC items; names in other languages are searchable.

Each form is compared with its Latin spelling's answer on the built atlas, which must hold the
feature that spelling names; the expected sets are the app's own answers, so a change of the
catalogue changes what is expected, not the verdict.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support.samples import feature, write_data_dir
from tests.webapp.test_search_ranking import api_ids, table_ids
from webapp.model.filters import FeatureQuery
from webapp.model.search import FeatureIndex, find_places
from webapp.model.store import FeatureStore
from webapp.model.text import query_terms, search_key, search_skeleton

#: (form, its Latin spelling, a feature that spelling finds).
FORMS = [
    ("Бекабад", "Bekabad", "bekabad-industrial-park"),
    ("Бекобод", "Bekabad", "bekabad-industrial-park"),
    ("Ташкент", "Tashkent", "mephi-tashkent-branch"),
    ("Тошкент", "Tashkent", "mephi-tashkent-branch"),
    ("Toshkent", "Tashkent", "mephi-tashkent-branch"),
    ("Термез", "Termez", "trans-afghan-transport-corridor"),
    ("Алматы", "Almaty", "tiiame-branch-almaty"),
    ("Бухара", "Bukhara", "bukhara-region-russian-uzbek-technopark"),
    ("Buxoro", "Bukhara", "bukhara-region-russian-uzbek-technopark"),
    ("Чирчик", "Chirchik", "auezov-university-chirchik"),
    ("Хоргос", "Khorgos", "xian-khorgos-almaty-saryagash-tashkent-railway-route"),
    ("Қорғас", "Khorgos", "xian-khorgos-almaty-saryagash-tashkent-railway-route"),
    ("Farg'ona", "Fergana", "fergana-logistics-centre-omsk"),
    ("Fargʻona", "Fergana", "fergana-logistics-centre-omsk"),
    ("Qoʻqon", "Qo'qon", "xian-khorgos-almaty-saryagash-tashkent-railway-route"),
]
#: Spellings of one name that differ only in script or apostrophe: the same answer, in order.
SAME_SPELLING = [
    ("Бекабад", "Bekabad"),
    ("Ташкент", "Tashkent"),
    ("Тошкент", "Toshkent"),
    ("Термез", "Termez"),
    ("Алматы", "Almaty"),
    ("Бухара", "Bukhara"),
    ("Чирчик", "Chirchik"),
    ("Хоргос", "Khorgos"),
    ("Fargʻona", "Farg'ona"),
    ("Farg‘ona", "Farg'ona"),
    ("Farg’ona", "Farg'ona"),
    ("Fargʼona", "Farg'ona"),
    ("Fargona", "Farg'ona"),
    ("Qoʻqon", "Qo'qon"),
    ("Қўқон", "Qo'qon"),
]


@pytest.fixture(scope="module")
def client(built_data_dir):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": built_data_dir}).test_client()


def ogc_ids(client, query: str) -> list[str]:
    response = client.get(f"/ogc/collections/atlas/items?q={quote(query)}&limit=1000&f=json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [f["id"] for f in response.json["features"]]


@pytest.mark.parametrize(("form", "latin", "expected"), FORMS)
@pytest.mark.parametrize("found_by", [api_ids, table_ids, ogc_ids])
def test_each_form_finds_what_its_latin_spelling_finds(client, found_by, form, latin, expected):
    found = found_by(client, form)
    assert expected in found_by(client, latin), "the Latin spelling finds the feature"
    assert expected in found
    assert set(found) == set(found_by(client, latin))


@pytest.mark.parametrize(("form", "latin"), SAME_SPELLING)
def test_one_spelling_in_another_script_is_ranked_alike(client, form, latin):
    assert api_ids(client, form) == api_ids(client, latin) != []
    assert table_ids(client, form) == table_ids(client, latin)


def test_an_apostrophe_is_part_of_its_word():
    assert query_terms("Farg'ona") == query_terms("Fargʻona") == ["fargona"]
    assert query_terms("Qoʻqon Farg‘ona") == ["qoqon", "fargona"]


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Қазақстан", "Qazaqstan"),  # Kazakh letters Қ ғ ә …
        ("Әлихан Өтеғали Үшқоңыр Ұлытау", "Alikhan Oteghali Ushqongyr Ulytau"),
        ("Ўзбекистон", "O'zbekiston"),  # Uzbek Cyrillic ў is Uzbek Latin oʻ
        ("Ҳазорасп", "Hazorasp"),
        ("Ələt", "Alat"),  # Azerbaijani ə reads a, as exact_key reads it
    ],
)
def test_regional_letters_key_as_their_latin_spelling(text, latin):
    assert search_key(text) == search_key(latin)
    assert search_skeleton(text) == search_skeleton(latin) != ""


def test_a_country_is_found_by_its_name_in_the_regions_languages(client):
    kazakh = api_ids(client, "Kazakhstan")
    assert kazakh
    for name in ("Казахстан", "Қазақстан"):
        assert sorted(api_ids(client, name)) == sorted(kazakh), name
    assert sorted(api_ids(client, "Китай")) == sorted(api_ids(client, "China")) != []


@pytest.mark.parametrize(("form", "place"), [("Тошкент", "Tashkent"), ("Бекабад", "Bekobod")])
def test_places_are_found_in_cyrillic(client, form, place):
    response = client.get(f"/api/places?q={quote(form)}&limit=1")
    assert response.status_code == 200
    assert [f["properties"]["name"] for f in response.json["features"]] == [place]
    assert find_places(form, 1)[0].name == place


# --- names in other languages (issue 13's contract; a fixture atlas) ----------------------------

REFERENCE = "written by the tests"


def place(name: str, geonameid: int, lon: float, lat: float, **names: str) -> dict:
    """A ``located_by`` place with its names in other languages (issue 13's contract)."""
    return {
        "place": name,
        "lon": lon,
        "lat": lat,
        "resolved_by": f"geonames:{geonameid}",
        "names": names,
        "name_refs": dict.fromkeys(names, REFERENCE),
    }


def named(kind: str, names: dict[str, str], **properties: object) -> dict:
    """A feature with ``name_<language>`` for ``names``' languages, null for the others."""
    flat = {f"name_{language}": names.get(language) for language in ("ru", "uz", "kk")}
    refs = dict.fromkeys(names, REFERENCE)
    return feature(kind, **flat, name_refs=refs, **properties)


NORTH_SOUTH = named(
    "corridor",
    {
        "ru": "Международный транспортный коридор «Север — Юг»",
        "uz": "Shimol — Janub xalqaro transport yoʻlagi",
    },
    id="north-south",
    name="International North–South Transport Corridor",
    description="A corridor.",
    located_by=[
        place("Tashkent", 1512569, 69.2, 41.3, ru="Ташкент", uz="Toshkent", kk="Ташкент"),
        place("Bandar Abbas", 141681, 56.3, 27.2),
    ],
)
TECHNOPARK = named(
    "site",
    {"kk": "Қазақ-орыс технопаркі"},
    id="technopark",
    name="Kazakh–Russian technopark",
    description="A technopark.",
    located_by=[place("Zhanaozen", 607610, 52.8, 43.3, ru="Жанаозен", kk="Жаңаөзен")],
)


@pytest.fixture(scope="module")
def named_index() -> FeatureIndex:
    return FeatureIndex(FeatureStore.from_features([NORTH_SOUTH, TECHNOPARK]))


def found(index: FeatureIndex, text: str) -> list[str]:
    return [index.store.ids[p] for p in index.select_positions(FeatureQuery(text=text)).positions]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Север — Юг", ["north-south"]),  # a feature's Russian name, as written
        ("Sever Yug", ["north-south"]),  # and in Latin letters
        ("Shimol Janub yoʻlagi", ["north-south"]),  # its Uzbek name, with ʻ
        ("технопарк", ["technopark"]),  # a word of its Kazakh name
        ("Жаңаөзен", ["technopark"]),  # its place's Kazakh name
        ("Zhanaozen", ["technopark"]),
        ("Тошкент", ["north-south"]),  # its waypoint's Uzbek name, in Cyrillic
        ("Бандар Аббас", ["north-south"]),  # a place with no names, typed in Cyrillic
        ("Юг Жаңаөзен", []),  # every word must match one feature
    ],
)
def test_names_in_other_languages_are_searchable(named_index, query, expected):
    assert found(named_index, query) == expected


def test_a_name_in_another_language_ranks_as_an_alias(named_index):
    """The Russian name (an alias's grade) before a feature that only mentions the word."""
    mentions = named("site", {}, id="mentions", name="Depot", description="Севера нет.")
    index = FeatureIndex(FeatureStore.from_features([mentions, NORTH_SOUTH]))
    assert found(index, "Север") == ["north-south", "mentions"]


def test_the_api_and_the_table_search_names_in_other_languages(tmp_path):
    from webapp import create_app

    data_dir = write_data_dir(tmp_path, [NORTH_SOUTH, TECHNOPARK])
    client = create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()
    assert api_ids(client, "Север Юг") == ["north-south"]
    assert api_ids(client, "Жаңаөзен") == ["technopark"]
    assert "north-south" in table_ids(client, "Shimol")
