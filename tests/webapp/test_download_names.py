"""Names in Russian, Uzbek and Kazakh in every download and answer (issue 13, item 2).

A small atlas written by the tests carries names in Cyrillic and Uzbek Latin, some of them
hostile (markup, a spreadsheet formula), and is served by the real app: the CSV, KML and
GeoJSON files of /data, /api/features, the OGC items and the OpenAPI document must all carry
them. The names are test values; the built atlas's own names are checked at the end.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.openapi import schema_validator
from tests.support.samples import feature, write_data_dir
from webapp import create_app
from webapp.downloads.csv import COLUMNS, NAME_COLUMNS
from webapp.model.atlas import AtlasDataError

KML = "{http://www.opengis.net/kml/2.2}"
CLDR = "CLDR 49 (Babel 2.19): exemplar city of Asia/Tashkent"
TASHKENT = {
    "place": "Tashkent",
    "lon": 69.21627,
    "lat": 41.26465,
    "resolved_by": "geonames:1512569",
    "names": {"ru": "Ташкент", "uz": "Toshkent", "kk": "Ташкент"},
    "name_refs": {"ru": CLDR, "uz": CLDR, "kk": CLDR},
}
#: A site named in all three languages, with markup and a formula in its names.
NAMED = feature(
    "site",
    id="named-site",
    name="Named site",
    name_ru="Ташкентский <парк> & «Co»",
    name_uz="Toshkent bogʻi",
    name_kk="=Ташкент саябағы",
    name_refs={"ru": "test reference ru", "uz": "test reference uz", "kk": "test reference kk"},
    located_by=[TASHKENT],
)
#: A corridor named in Russian only.
RUSSIAN_ONLY = feature(
    "corridor",
    name_ru="Север — Юг",
    name_uz=None,
    name_refs={"ru": "test reference ru"},
)
#: A site as the atlas was before names: none of the new properties.
UNNAMED = feature("site", id="unnamed-site")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("names"), [RUSSIAN_ONLY, NAMED, UNNAMED])


@pytest.fixture(scope="module")
def app(data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": data_dir})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def csv_rows(client, name: str) -> dict[str, dict[str, str]]:
    data = client.get(f"/data/{name}").data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel reads Cyrillic right
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return {row["id"]: row for row in reader}


def kml_data(client, name: str) -> dict[str, dict[str, str]]:
    """Each placemark's ExtendedData (name -> value) by feature id, parsed by ElementTree."""
    root = ET.fromstring(client.get(f"/data/{name}").data)
    found = {}
    for placemark in root.iter(f"{KML}Placemark"):
        data = {
            d.get("name", ""): d.findtext(f"{KML}value") or "" for d in placemark.iter(f"{KML}Data")
        }
        found[data["id"]] = data | {"description": placemark.findtext(f"{KML}description") or ""}
    return found


# --- CSV -----------------------------------------------------------------------------------


def test_csv_has_the_name_columns_right_after_name():
    at = COLUMNS.index("name")
    assert COLUMNS[at + 1 : at + 4] == NAME_COLUMNS == ("name_ru", "name_uz", "name_kk")


@pytest.mark.parametrize("name", ["atlas.csv", "sites.csv"])
def test_csv_carries_the_names_in_utf8(client, name):
    raw = client.get(f"/data/{name}").data
    assert "Toshkent bogʻi".encode() in raw and "Ташкентский".encode() in raw
    rows = csv_rows(client, name)
    named = rows["named-site"]
    assert named["name_ru"] == "Ташкентский <парк> & «Co»"
    assert named["name_uz"] == "Toshkent bogʻi"
    assert named["name_kk"] == "'=Ташкент саябағы"  # never run as a formula
    assert [rows["unnamed-site"][c] for c in NAME_COLUMNS] == ["", "", ""]


def test_csv_leaves_a_missing_language_empty(client):
    row = csv_rows(client, "corridors.csv")["test-corridor"]
    assert (row["name_ru"], row["name_uz"], row["name_kk"]) == ("Север — Юг", "", "")


# --- KML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["atlas.kml", "sites.kml"])
def test_kml_extended_data_holds_the_names(client, name):
    placemarks = kml_data(client, name)
    named = placemarks["named-site"]
    assert named["name_ru"] == "Ташкентский <парк> & «Co»"  # escaped in the file, whole here
    assert named["name_uz"] == "Toshkent bogʻi"
    assert named["name_kk"] == "=Ташкент саябағы"
    assert not {"name_ru", "name_uz", "name_kk"} & set(placemarks["unnamed-site"])


def test_kml_balloon_shows_the_names_with_their_language(client):
    placemarks = kml_data(client, "atlas.kml")
    balloon = placemarks["named-site"]["description"]
    assert '<span lang="ru">Ташкентский &lt;парк&gt; &amp; «Co»</span>' in balloon
    assert '<span lang="uz">Toshkent bogʻi</span>' in balloon
    corridor = placemarks["test-corridor"]
    assert corridor["name_ru"] == "Север — Юг" and "name_uz" not in corridor
    assert "lang=" not in placemarks["unnamed-site"]["description"]


# --- GeoJSON, the API and OGC --------------------------------------------------------------


def _named(document: dict) -> dict:
    return next(f["properties"] for f in document["features"] if f["id"] == "named-site")


@pytest.mark.parametrize(
    "path",
    [
        "/data/atlas.geojson",
        "/data/sites.geojson",
        "/data/features/named-site.geojson",
        "/api/features",
        "/api/features?kind=site",
        "/ogc/collections/sites/items",
    ],
)
def test_geojson_answers_carry_the_names_and_their_references(client, path):
    properties = _named(json.loads(client.get(path).data))
    for column in NAME_COLUMNS:
        assert properties[column] == NAMED["properties"][column]
    assert properties["name_refs"] == NAMED["properties"]["name_refs"]
    assert properties["located_by"][0]["names"] == TASHKENT["names"]
    assert properties["located_by"][0]["name_refs"] == TASHKENT["name_refs"]


def test_one_ogc_item_carries_the_names(client):
    item = client.get("/ogc/collections/sites/items/named-site").json
    assert item["properties"]["name_uz"] == "Toshkent bogʻi"


def test_openapi_describes_the_names(client, openapi):
    schemas = openapi["components"]["schemas"]
    described = schemas["Properties"]["properties"]
    for column in NAME_COLUMNS:
        assert described[column]["type"] == "string" and described[column]["nullable"]
    assert described["name_refs"]["allOf"] == [{"$ref": "#/components/schemas/ByLanguage"}]
    assert set(schemas["LocatedBy"]["properties"]) >= {"names", "name_refs"}
    assert set(schemas["ByLanguage"]["properties"]) == {"ru", "uz", "kk"}
    for path in ("/api/features", "/ogc/collections/atlas/items"):
        schema_validator(openapi, "FeatureCollection").validate(client.get(path).json)
    validator = schema_validator(openapi, "Properties")
    assert not validator.is_valid(NAMED["properties"] | {"name_ru": 7})
    assert not validator.is_valid(NAMED["properties"] | {"name_uz": ""})


def test_queryables_name_only_what_the_items_filter_by(client):
    """A client may send a filter on a queryable to the server as ``?property=value``
    (OGC API – Features, Part 1, 7.15.5); the items do not filter by name (the text search
    ``q`` finds names), so the names must not be queryables."""
    queryables = client.get("/ogc/collections/sites/queryables").json["properties"]
    assert not set(NAME_COLUMNS) & set(queryables)
    for name in queryables:
        answer = client.get(f"/ogc/collections/sites/items?{name}=x")
        assert answer.status_code == 200 or "Unknown query parameter" not in answer.text
    refused = client.get("/ogc/collections/sites/items?name_ru=x")
    assert refused.status_code == 400 and refused.json["parameter"] == "name_ru"


# --- the data contract ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "properties",
    [
        {"name_ru": "Ташкент"},
        {"name_kk": "Ташкент", "name_refs": {"ru": "a reference for another language"}},
        {"located_by": [TASHKENT | {"name_refs": {"ru": CLDR}}]},
    ],
)
def test_a_name_without_its_reference_is_refused(tmp_path, properties):
    write_data_dir(tmp_path, [feature("site", **properties)])
    with pytest.raises(AtlasDataError, match=r"name of .* has no reference in name_refs"):
        create_app({"DATA_DIR": tmp_path})


# --- the built atlas -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_client(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir}).test_client()


def test_the_built_atlas_names_reach_every_download(built_client, features):
    named = [f for f in features if any(f["properties"].get(c) for c in NAME_COLUMNS)]
    assert named, "the built atlas has no name_ru, name_uz or name_kk"
    rows = csv_rows(built_client, "atlas.csv")
    placemarks = kml_data(built_client, "atlas.kml")
    for f in features:
        for column in NAME_COLUMNS:
            value = f["properties"].get(column) or ""
            assert rows[f["id"]][column].removeprefix("'") == value
            assert placemarks[f["id"]].get(column, "") == value


def test_the_built_atlas_gives_the_north_south_corridor_its_russian_name(built_client, features):
    corridor = "north-south-international-transport-corridor"
    name = next(f["properties"]["name_ru"] for f in features if f["id"] == corridor)
    assert "Север — Юг" in name
    assert csv_rows(built_client, "corridors.csv")[corridor]["name_ru"] == name
    assert kml_data(built_client, "corridors.kml")[corridor]["name_ru"] == name


def test_the_built_atlas_names_tashkent(built_client):
    document = built_client.get("/data/atlas.geojson").json
    names = [
        place["names"]
        for f in document["features"]
        for place in f["properties"]["located_by"]
        if place["place"] == "Tashkent"
    ]
    assert names and all(n.get("ru") == "Ташкент" for n in names)
