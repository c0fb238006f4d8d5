"""OWSLib, the Python client of OGC APIs, against a real waitress server: the landing page,
conformance, collections, queryables, bbox and limit queries and a single item, as a Python
user of the service would read them. A recording wrapper shows what OWSLib asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from owslib.ogcapi.features import Features
from shapely.geometry import box, shape

from tests.support.live import recorded_server


@pytest.fixture(scope="module")
def service(built_data_dir: Path) -> Iterator[tuple[Features, list[str]]]:
    """An OWSLib client of a live server's /ogc, and the paths the server has seen."""
    with recorded_server(built_data_dir) as (url, seen):
        yield Features(f"{url}/ogc", timeout=30), seen


@pytest.fixture(scope="module")
def built(built_data_dir: Path) -> dict[str, list[dict]]:
    features = json.loads((built_data_dir / "atlas.geojson").read_bytes())["features"]
    return {
        "atlas": features,
        "corridors": [f for f in features if f["properties"]["kind"] == "corridor"],
        "sites": [f for f in features if f["properties"]["kind"] == "site"],
    }


def test_owslib_opens_the_landing_page_it_asks_for_with_a_slash(service):
    client, seen = service
    assert any(link["rel"] == "conformance" for link in client.links)
    assert "/ogc/?" in seen  # OWSLib asks for the service URL with a trailing slash


def test_conformance_and_collections(service):
    client, _ = service
    classes = client.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert client.feature_collections() == ["atlas", "corridors", "sites"]
    sites = client.collection("sites")
    assert sites["id"] == "sites" and len(sites["extent"]["spatial"]["bbox"][0]) == 4


def test_queryables(service):
    client, _ = service
    queryables = client.collection_queryables("sites")
    assert {"category", "country", "status"} <= set(queryables["properties"])


@pytest.mark.parametrize("collection", ["atlas", "corridors", "sites"])
def test_every_item_of_a_collection_in_pages(service, built, collection):
    client, _ = service
    ids, offset = [], 0
    while True:
        page = client.collection_items(collection, limit=5, offset=offset)
        assert page["numberReturned"] == len(page["features"]) <= 5
        ids += [f["id"] for f in page["features"]]
        offset += 5
        if offset >= page["numberMatched"]:
            break
    assert sorted(ids) == sorted(f["id"] for f in built[collection])


def test_a_bbox_query_is_answered_by_the_server(service, built):
    client, seen = service
    area = (66.0, 37.0, 72.0, 42.0)
    page = client.collection_items("sites", bbox=list(area), limit=100)
    expected = {f["id"] for f in built["sites"] if shape(f["geometry"]).intersects(box(*area))}
    assert {f["id"] for f in page["features"]} == expected and expected
    assert any("bbox=66" in path for path in seen)


def test_a_single_item(service):
    client, _ = service
    item = client.collection_item("sites", "bekabad-industrial-park")
    assert item["id"] == "bekabad-industrial-park"
    assert item["properties"]["name"] and item["geometry"]["type"] == "Point"
