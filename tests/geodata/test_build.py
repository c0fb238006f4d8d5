"""The build end to end on the real catalogue: RFC 7946 output, determinism, traps, atomicity."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from geodata import DEFAULT_OUTPUT_DIR
from geodata.build import build, compile_atlas, stale_outputs
from geodata.catalogue import CORRIDOR_CATEGORIES, SITE_CATEGORIES
from geodata.errors import CatalogueError
from geodata.geometry import geodesic_km
from geodata.outputs import GEOJSON_KINDS
from geodata.sources import SeedLibrary, squash_whitespace
from tests.support.samples import corridor_entry, site_entry

REQUIRED = {
    "id", "name", "aliases", "kind", "category", "countries", "status", "figures",
    "description", "sources", "located_by",
}  # fmt: skip


def _load(path: Path) -> dict:
    def refuse(constant: str):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


@pytest.fixture(scope="module")
def atlas(built_data_dir: Path) -> dict:
    return _load(built_data_dir / "atlas.geojson")


@pytest.fixture(scope="module")
def features(atlas: dict) -> dict[str, dict]:
    return {feature["id"]: feature for feature in atlas["features"]}


def test_required_corridors_and_sites_are_mapped(features):
    corridors = {f["id"] for f in features.values() if f["properties"]["kind"] == "corridor"}
    sites = {f["id"] for f in features.values() if f["properties"]["kind"] == "site"}
    assert len(corridors) >= 6
    assert len(sites) >= 13
    assert len(features) == len(corridors) + len(sites)


def test_outputs_split_the_atlas_by_kind(built_data_dir: Path, atlas: dict):
    corridors = _load(built_data_dir / "corridors.geojson")["features"]
    sites = _load(built_data_dir / "sites.geojson")["features"]
    assert {f["properties"]["kind"] for f in corridors} == {"corridor"}
    assert {f["properties"]["kind"] for f in sites} == {"site"}
    assert corridors + sites == atlas["features"]


@pytest.mark.parametrize("name", list(GEOJSON_KINDS))
def test_rfc7946(built_data_dir: Path, name: str):
    collection = _load(built_data_dir / name)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    west, south, east, north = collection["bbox"]
    for feature in collection["features"]:
        geometry = feature["geometry"]
        assert "crs" not in feature and "crs" not in geometry
        positions = list(_positions(geometry["coordinates"]))
        for lon, lat in positions:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert west <= lon <= east and south <= lat <= north
            for value in (lon, lat):
                assert math.isfinite(value)
                assert len(repr(value).partition(".")[2]) <= 6
        assert shape(geometry).is_valid


def _positions(coordinates):
    if isinstance(coordinates[0], int | float):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def test_longitude_comes_first(features):
    # Tashkent is at 41.3 N 69.2 E: as (lon, lat) the first number is the larger.
    lon, lat = features["innoprom-central-asia"]["geometry"]["coordinates"]
    assert (round(lon), round(lat)) == (69, 41)


def test_every_feature_carries_the_data_model(features):
    for feature in features.values():
        properties = feature["properties"]
        assert properties.keys() >= REQUIRED, feature["id"]
        assert feature["id"] == properties["id"]
        assert properties["sources"], feature["id"]
        kind = properties["kind"]
        allowed = CORRIDOR_CATEGORIES if kind == "corridor" else SITE_CATEGORIES
        assert properties["category"] in allowed
        if kind == "corridor":
            assert feature["geometry"]["type"] in {"LineString", "MultiLineString"}
            assert properties["length_km"] > 100
            assert len(properties["located_by"]) >= 2
        else:
            assert feature["geometry"]["type"] == "Point"
            assert "length_km" not in properties
        for located in properties["located_by"]:
            assert re.fullmatch(r"geonames:\d+|curated:.{10,}", located["resolved_by"])


def test_every_quote_is_verbatim_in_its_seed(features):
    library = SeedLibrary.from_directory(Path(__file__).parents[2] / "seeds")
    for feature in features.values():
        for source in feature["properties"]["sources"]:
            assert library.contains(source["seed"], source["quote"]), feature["id"]
            assert squash_whitespace(source["quote"]) in squash_whitespace(
                library.texts[source["seed"]]
            )


def test_corridor_lines_pass_through_every_waypoint(features):
    for feature in features.values():
        if feature["properties"]["kind"] != "corridor":
            continue
        line = shape(feature["geometry"])
        for waypoint in feature["properties"]["located_by"]:
            assert line.distance(Point(waypoint["lon"], waypoint["lat"])) < 1e-4, waypoint


@pytest.mark.parametrize(
    ("feature_id", "near", "max_km"),
    [
        # Omsk, Russia - not Fergana, Uzbekistan.
        ("fergana-logistics-centre-omsk", (73.37, 54.99), 60),
        # The border crossing by Gulistan - not the village of Atameken near Khorgos.
        ("central-asia-international-industrial-cooperation-centre", (68.78, 40.50), 60),
        ("auezov-university-chirchik", (69.58, 41.47), 5),
        ("bekabad-industrial-park", (69.27, 40.22), 5),
    ],
)
def test_trapped_names_land_in_the_right_place(features, feature_id, near, max_km):
    lon, lat = features[feature_id]["geometry"]["coordinates"]
    assert geodesic_km((lon, lat), near) < max_km


def test_uchkuduq_corridor_starts_at_the_town_of_uchquduq(features):
    start = features["uchkuduq-kyzylorda-corridor"]["properties"]["located_by"][0]
    assert start["resolved_by"] == "geonames:1538231"


def test_rebuild_is_byte_identical(built_data_dir: Path):
    again = compile_atlas()
    for name, content in again.files.items():
        assert (built_data_dir / name).read_bytes() == content


def test_committed_outputs_are_up_to_date():
    assert stale_outputs(DEFAULT_OUTPUT_DIR, compile_atlas().files) == []


def test_stale_outputs_name_what_changed(tmp_path: Path, write_catalogue):
    seeds = Path(__file__).parents[2] / "seeds"
    out = tmp_path / "out"
    build(out, catalogue_path=write_catalogue([site_entry()]), seeds_dir=seeds)
    changed = site_entry(name="Bekabad park")
    files = compile_atlas(write_catalogue([changed, corridor_entry()]), seeds).files
    stale = stale_outputs(out, files)
    assert any(
        "atlas.geojson: added test-corridor; changed bekabad-industrial-park" in s for s in stale
    )
    (out / "sites.geojson").unlink()
    assert any(s.endswith("sites.geojson: missing") for s in stale_outputs(out, files))


def test_a_failed_build_leaves_previous_outputs_intact(tmp_path: Path, write_catalogue):
    seeds = Path(__file__).parents[2] / "seeds"
    out = tmp_path / "out"
    build(out, catalogue_path=write_catalogue([site_entry()]), seeds_dir=seeds)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    broken = site_entry(location={"place": "Chirchik", "country": "UZ"})
    with pytest.raises(CatalogueError, match=r"entry 'bekabad-industrial-park', field 'location'"):
        build(out, catalogue_path=write_catalogue([broken]), seeds_dir=seeds)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_geocoding_problems_name_the_waypoint(tmp_path: Path, write_catalogue):
    seeds = Path(__file__).parents[2] / "seeds"
    route = [
        {"place": "Tashkent", "country": "UZ"},
        {"place": "Uchkuduq", "country": "UZ"},
        {"place": "Nowhereabad", "country": "KZ"},
    ]
    path = write_catalogue([corridor_entry(route=route)])
    with pytest.raises(CatalogueError) as raised:
        compile_atlas(path, seeds)
    problems = raised.value.problems
    assert len(problems) == 2
    assert "field 'route[1]': 'Uchkuduq' matches 2 places" in problems[0]
    assert "field 'route[2]': no GeoNames place matches 'Nowhereabad' in KZ" in problems[1]
