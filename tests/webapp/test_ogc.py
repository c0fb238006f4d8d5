"""OGC API – Features (Part 1: Core) under /ogc, over the real build.

Every JSON answer is also validated against the schema the OpenAPI document declares for it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from shapely.geometry import shape

from tests.support.openapi import schema_validator
from webapp import create_app

GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
COLLECTIONS = {"atlas": ("corridor", "site"), "corridors": ("corridor",), "sites": ("site",)}


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def get_json(client, url: str, mimetype: str = "application/json") -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.mimetype == mimetype
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"]
    return response.json


def links_by_rel(document: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


def test_landing_page_links(client, openapi):
    landing = get_json(client, "/ogc")
    schema_validator(openapi, "LandingPage").validate(landing)
    links = links_by_rel(landing)
    assert links["self"]["href"] == "http://localhost/ogc"
    assert links["service-desc"] == {
        "href": "http://localhost/ogc/api",
        "rel": "service-desc",
        "type": OPENAPI,
        "title": "API definition",
    }
    assert links["conformance"]["href"] == "http://localhost/ogc/conformance"
    assert links["data"]["href"] == "http://localhost/ogc/collections"
    assert links["service-doc"]["type"] == "text/html"
    assert client.get(links["service-doc"]["href"]).status_code == 200


def test_conformance_classes(client, openapi):
    document = get_json(client, "/ogc/conformance")
    schema_validator(openapi, "Conformance").validate(document)
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert set(document["conformsTo"]) == {base + c for c in ("core", "geojson", "oas30", "html")}


def test_api_definition_is_the_openapi_document(client, openapi):
    response = client.get("/ogc/api")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == OPENAPI
    assert response.json == openapi


def _bounds(features, kinds):
    geometries = [shape(f["geometry"]) for f in features if f["properties"]["kind"] in kinds]
    return shapely.GeometryCollection(geometries).bounds


def test_collections_with_crs84_extents(client, openapi, features):
    document = get_json(client, "/ogc/collections")
    schema_validator(openapi, "Collections").validate(document)
    assert [c["id"] for c in document["collections"]] == list(COLLECTIONS)
    for collection in document["collections"]:
        kinds = COLLECTIONS[collection["id"]]
        spatial = collection["extent"]["spatial"]
        assert spatial["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        assert spatial["bbox"][0] == pytest.approx(_bounds(features, kinds), abs=1e-6)
        links = links_by_rel(collection)
        assert links["items"]["type"] == GEOJSON
        assert (
            links["items"]["href"] == f"http://localhost/ogc/collections/{collection['id']}/items"
        )
        assert get_json(client, f"/ogc/collections/{collection['id']}") == collection


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_items_hold_the_collections_features(client, openapi, features, collection):
    document = get_json(client, f"/ogc/collections/{collection}/items", GEOJSON)
    schema_validator(openapi, "FeatureCollection").validate(document)
    expected = [f for f in features if f["properties"]["kind"] in COLLECTIONS[collection]]
    assert document["features"] == expected
    assert document["numberMatched"] == document["numberReturned"] == len(expected)
    assert document["timeStamp"].endswith("Z")
    links = links_by_rel(document)
    assert links["collection"]["href"] == f"http://localhost/ogc/collections/{collection}"
    for feature in document["features"]:
        assert feature["geometry"]["type"] in (
            ("Point",)
            if feature["properties"]["kind"] == "site"
            else ("LineString", "MultiLineString")
        )


def test_paging_follows_next_links(client, features):
    sites = [f["id"] for f in features if f["properties"]["kind"] == "site"]
    seen, url = [], "/ogc/collections/sites/items?limit=3"
    while url:
        document = get_json(client, url, GEOJSON)
        assert document["numberMatched"] == len(sites)
        assert document["numberReturned"] == len(document["features"]) <= 3
        seen += [f["id"] for f in document["features"]]
        links = links_by_rel(document)
        url = links["next"]["href"] if "next" in links else None
    assert seen == sites


@pytest.mark.parametrize("limit", ["10000", "10001", "123456789"])
def test_large_limits_are_clamped(client, features, limit):
    document = get_json(client, f"/ogc/collections/atlas/items?limit={limit}", GEOJSON)
    assert document["numberReturned"] == len(features)
    self_href = links_by_rel(document)["self"]["href"]
    assert parse_qs(urlsplit(self_href).query)["limit"] == ["10000"]


def test_bbox_and_property_filters(client, features):
    box = shapely.box(66, 37, 72, 42)
    expected = [
        f["id"]
        for f in features
        if f["properties"]["kind"] == "site" and shape(f["geometry"]).intersects(box)
    ]
    document = get_json(client, "/ogc/collections/sites/items?bbox=66,37,72,42", GEOJSON)
    assert [f["id"] for f in document["features"]] == expected
    assert parse_qs(urlsplit(links_by_rel(document)["self"]["href"]).query)["bbox"] == [
        "66,37,72,42"
    ]
    planned = get_json(client, "/ogc/collections/sites/items?status=planned&country=UZ", GEOJSON)
    assert planned["features"]
    assert all(f["properties"]["status"]["stage"] == "planned" for f in planned["features"])


@pytest.mark.parametrize(
    "query", ["f=json", "f=geojson", "datetime=2025-01-01T00:00:00Z", "datetime=../2030-01-01"]
)
def test_accepted_items_parameters(client, features, query):
    document = get_json(client, f"/ogc/collections/atlas/items?{query}", GEOJSON)
    assert document["numberMatched"] == len(features)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/ogc/collections/sites/items?limit=0", "limit"),
        ("/ogc/collections/sites/items?limit=abc", "limit"),
        ("/ogc/collections/sites/items?offset=-2", "offset"),
        ("/ogc/collections/sites/items?bbox=1,2,3", "bbox"),
        ("/ogc/collections/sites/items?bbox-crs=EPSG:4326", "bbox-crs"),
        ("/ogc/collections/sites/items?near=41,69", "near"),
        ("/ogc/collections/sites/items?kind=site", "kind"),
        ("/ogc/collections/sites/items?f=xml", "f"),
        ("/ogc/collections/sites/items?datetime=yesterday", "datetime"),
        ("/ogc/collections/sites/items?as_of=20255", "as_of"),
        ("/ogc/collections/sites/items/bekabad-industrial-park?as_of=abc", "as_of"),
        ("/ogc/collections/sites/items?foo=bar", "foo"),
        ("/ogc?foo=1", "foo"),
        ("/ogc?f=xml", "f"),
        ("/ogc/conformance?f=geojson", "f"),
        ("/ogc/collections?limit=1", "limit"),
        ("/ogc/collections/sites?bbox=1,2,3,4", "bbox"),
        ("/ogc/collections/sites/items/bekabad-industrial-park?f=csv", "f"),
    ],
)
def test_bad_parameters_are_400(client, openapi, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    schema_validator(openapi, "Problem").validate(response.json)
    assert response.json["parameter"] == parameter


def test_one_item(client, openapi, features):
    site = next(f for f in features if f["properties"]["kind"] == "site")
    for collection in ("atlas", "sites"):
        document = get_json(client, f"/ogc/collections/{collection}/items/{site['id']}", GEOJSON)
        schema_validator(openapi, "Feature").validate(document)
        links = links_by_rel(document)
        assert {k: v for k, v in document.items() if k != "links"} == site
        assert links["self"]["href"].endswith(f"/ogc/collections/{collection}/items/{site['id']}")
        assert links["collection"]["href"].endswith(f"/ogc/collections/{collection}")


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/roads",
        "/ogc/collections/roads/items",
        "/ogc/collections/roads/items/x",
        "/ogc/collections/sites/items/no-such-feature",
        "/ogc/collections/corridors/items/bekabad-industrial-park",  # a site, not a corridor
        "/ogc/nope",
        "/ogc/collections/sites/items/x/y",
    ],
)
def test_unknown_resources_are_json_404s(client, openapi, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    schema_validator(openapi, "Problem").validate(response.json)


def test_answers_revalidate(client):
    first = client.get("/ogc/collections/sites/items")
    again = client.get(
        "/ogc/collections/sites/items", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


def test_crs84_may_be_named(client, features):
    crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    url = f"/ogc/collections/atlas/items?crs={crs84}&bbox-crs={crs84}&bbox=-180,-90,180,90"
    assert get_json(client, url, GEOJSON)["numberMatched"] == len(features)
    response = client.get("/ogc/collections/atlas/items?crs=EPSG:3857")
    assert response.status_code == 400 and response.json["allowed"] == [crs84]
