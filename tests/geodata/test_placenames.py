"""Names in Russian, Uzbek and Kazakh: CLDR's exemplar cities, GeoNames alternate names a curator
attributed (checked verbatim against the gazetteer), and the names the build writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geodata import DEFAULT_OUTPUT_DIR
from geodata.errors import CatalogueError
from geodata.placenames import LANGUAGES, PlaceNamer, main, summary, zone_cities

TASHKENT = 1512569
BEKOBOD = 1514402
TASHKENT_NAMES = {"ru": "Ташкент", "uz": "Toshkent", "kk": "Ташкент"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "placenames.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def atlas() -> list[dict]:
    """The committed atlas's features."""
    text = (DEFAULT_OUTPUT_DIR / "atlas.geojson").read_text(encoding="utf-8")
    return json.loads(text)["features"]


def test_tashkent_takes_its_names_from_cldr():
    names = PlaceNamer.load().of_geonames(TASHKENT)
    assert names.names == TASHKENT_NAMES
    for language in LANGUAGES:
        assert names.refs[language].startswith("CLDR ")
        assert names.refs[language].endswith(": exemplar city of Asia/Tashkent")


def test_a_curated_alternate_name_is_cited_to_its_geonames_record(tmp_path):
    namer = PlaceNamer.load(_write(tmp_path, f"places:\n  {BEKOBOD}: {{ru: Бекабад}}\n"))
    names = namer.of_geonames(BEKOBOD)
    assert names.names == {"ru": "Бекабад"}
    assert names.refs == {"ru": f"GeoNames {BEKOBOD} alternate name"}


def test_cldr_comes_before_a_curated_name(tmp_path):
    namer = PlaceNamer.load(_write(tmp_path, f"places:\n  {TASHKENT}: {{ru: Ташкен}}\n"))
    assert namer.of_geonames(TASHKENT).names["ru"] == "Ташкент"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # Ташкентъ is not among the record's alternate names (Ташкент is).
        (
            f"places:\n  {TASHKENT}: {{ru: Ташкентъ}}\n",
            f"id {TASHKENT}, field 'ru': 'Ташкентъ' is not one of the alternate names",
        ),
        # A plausible form GeoNames does not have: only its own strings are accepted.
        (
            f"places:\n  {BEKOBOD}: {{uz: Bekobod Shahri}}\n",
            f"id {BEKOBOD}, field 'uz': 'Bekobod Shahri' is not one of the alternate names",
        ),
        ("places:\n  999999999: {ru: Нигде}\n", "id 999999999: not in the gazetteer"),
        (f"places:\n  {BEKOBOD}: {{fr: Bekabad}}\n", f"id {BEKOBOD}, field 'fr': unknown language"),
        (f"places:\n  {BEKOBOD}: {{kk: Bekabad}}\n", "'Bekabad' is not written in Cyrillic"),
        (f"places:\n  {BEKOBOD}: {{uz: Бекобод}}\n", "'Бекобод' is not written in Latin"),
        ("places:\n  Bekabad: {ru: Бекабад}\n", "id 'Bekabad': expected a GeoNames id"),
        ("- a list\n", "expected a mapping with a 'places' mapping"),
    ],
)
def test_a_wrong_placenames_file_is_refused_naming_file_id_and_field(tmp_path, text, problem):
    path = _write(tmp_path, text)
    with pytest.raises(CatalogueError) as raised:
        PlaceNamer.load(path)
    assert str(path) in str(raised.value)
    assert problem in str(raised.value)


def test_the_committed_placenames_file_verifies():
    PlaceNamer.load()  # raises CatalogueError naming any name not in GeoNames


def _record(geonameid, name, country, zone, population, alternates=()):
    return {
        "geonameid": geonameid,
        "name": name,
        "countrycode": country,
        "timezone": zone,
        "population": population,
        "alternatenames": list(alternates),
    }


def test_a_zone_city_is_its_largest_namesake_in_the_zone_and_territory():
    records = [
        _record(1, "Tashkent", "UZ", "Asia/Tashkent", 2_000_000),
        _record(2, "Tashkent", "UZ", "Asia/Tashkent", 500),  # a village of the same name
        _record(3, "Tashkent", "KZ", "Asia/Tashkent", 9_000_000),  # not the zone's territory
        _record(4, "Toshkent", "UZ", "Asia/Samarkand", 9_000_000, ["Tashkent"]),  # other zone
        _record(5, "Ürümqi", "CN", "Asia/Urumqi", 3_000_000),  # accents do not matter
        _record(6, "Aktau", "KZ", "Asia/Aqtau", 1, ["Aqtau"]),
    ]
    assert zone_cities(records) == {1: "Asia/Tashkent", 5: "Asia/Urumqi", 6: "Asia/Aqtau"}


def _places(features: list[dict], geonameid: int) -> list[dict]:
    wanted = f"geonames:{geonameid}"
    return [
        p for f in features for p in f["properties"]["located_by"] if p["resolved_by"] == wanted
    ]


def test_the_committed_atlas_has_tashkents_names(atlas):
    places = _places(atlas, TASHKENT)
    assert places
    for place in places:
        assert place["names"] == TASHKENT_NAMES
        assert set(place["name_refs"]) == set(LANGUAGES)


def test_the_committed_atlas_names_features_and_curated_places(atlas):
    by_id = {f["id"]: f["properties"] for f in atlas}
    instc = by_id["north-south-international-transport-corridor"]
    assert instc["name_ru"] == "Международный транспортный коридор «Север — Юг»"
    assert "12 September 2000" in instc["name_refs"]["ru"]
    assert instc["name_uz"] is None and "uz" not in instc["name_refs"]
    hairatan = next(
        p
        for p in by_id["trans-afghan-transport-corridor"]["located_by"]
        if p["place"] == "Hairatan"
    )
    assert hairatan["names"] == {"ru": "Хайратон"}
    assert "Хайратон" in hairatan["name_refs"]["ru"]


def test_every_name_has_a_reference_and_nothing_else_does(atlas):
    for feature in atlas:
        properties = feature["properties"]
        named = {lang for lang in LANGUAGES if properties[f"name_{lang}"] is not None}
        assert set(properties["name_refs"]) == named, feature["id"]
        for place in properties["located_by"]:
            assert set(place["names"]) == set(place["name_refs"]) <= set(LANGUAGES)


def test_the_summary_counts_names_by_language_and_source(atlas, tmp_path, capsys):
    counts = summary(atlas)
    assert counts["features"] == len(atlas)
    assert counts["place_names"]["ru"]["CLDR"] >= 10
    assert counts["place_names"]["kk"]["GeoNames"] >= 10
    assert counts["feature_names"]["ru"] == {"curated": 4}
    path = tmp_path / "atlas.geojson"
    path.write_text(json.dumps({"features": atlas}), encoding="utf-8")
    assert main(["--summary", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "features with a ru name: 4 of 22 (4 curated)" in printed
    assert f"places with a uz name: {sum(counts['place_names']['uz'].values())} of" in printed
