"""The atlas as a GeoPackage (issue 14, item 3), read back by GDAL's own tools.

``ogrinfo`` and ``ogr2ogr`` (Debian's gdal-bin, another GDAL than the one pyogrio bundles)
read the committed geodata/atlas.gpkg and files made from the built atlas: layer names,
feature counts, field types, the SRS, the spatial index, and the features converted back to
GeoJSON. Expectations come from the GeoJSON files beside it, not from numbers written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geodata import DEFAULT_OUTPUT_DIR
from geodata.geopackage import (
    LAYERS,
    UNDATED,
    atlas_geopackage,
    column_types,
    data_date,
    geopackage_bytes,
)
from geodata.outputs import ATLAS, CORRIDORS, GEOPACKAGE, SITES
from tests.campaigns.test_gdal import gdal

COMMITTED = DEFAULT_OUTPUT_DIR / GEOPACKAGE
#: The GeoJSON file holding each layer's features.
LAYER_FILES = {"corridors": CORRIDORS, "sites": SITES}
#: Columns and the type ogrinfo names for them (JSON: GDAL's JSON subtype of String).
EXPECTED_TYPES = {
    "id": "String",
    "name": "String",
    "kind": "String",
    "category": "String",
    "stage": "String",
    "first_source": "String",
    "countries": "String",
    "reported_on": "Date",
    "source_count": "Integer",
    "status": "String(JSON)",
    "sources": "String(JSON)",
    "history": "String(JSON)",
    "located_by": "String(JSON)",
    "figures": "String(JSON)",
}


def layer_summary(path: Path, layer: str) -> str:
    return gdal("ogrinfo", "-ro", "-so", str(path), layer)


def field_types(summary: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+): (\w+(?:\(\w+\))?) \(", summary, flags=re.M))


def features_of(directory: Path, name: str) -> list[dict]:
    return json.loads((directory / name).read_bytes())["features"]


@pytest.fixture(scope="module")
def built_gpkg(built_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GeoPackage a fresh build wrote."""
    return built_data_dir / GEOPACKAGE


def test_the_build_writes_the_geopackage_of_its_atlas(built_data_dir):
    written = (built_data_dir / GEOPACKAGE).read_bytes()
    assert written.startswith(b"SQLite format 3\x00")
    assert written == atlas_geopackage((built_data_dir / ATLAS).read_bytes())  # reproducible


def test_the_committed_geopackage_is_the_committed_atlas():
    assert COMMITTED.read_bytes() == atlas_geopackage((DEFAULT_OUTPUT_DIR / ATLAS).read_bytes())


@pytest.mark.parametrize("path", [COMMITTED, None], ids=["committed", "fresh build"])
def test_ogrinfo_lists_the_two_layers(path, built_gpkg):
    output = gdal("ogrinfo", "-ro", "-so", str(path or built_gpkg))
    assert re.findall(r"^\d+: (\w+) \(([\w ]+)\)", output, flags=re.M) == [
        ("corridors", "Multi Line String"),
        ("sites", "Point"),
    ]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("directory", [DEFAULT_OUTPUT_DIR, None], ids=["committed", "fresh"])
def test_each_layer_has_its_features_typed_columns_and_srs(layer, directory, built_data_dir):
    directory = directory or built_data_dir
    summary = layer_summary(directory / GEOPACKAGE, layer)
    expected = features_of(directory, LAYER_FILES[layer])
    assert f"Feature Count: {len(expected)}\n" in summary
    assert 'ID["EPSG",4326]' in summary
    assert "FID Column = fid" in summary and "Geometry Column = geom" in summary
    types = field_types(summary)
    assert {name: types.get(name) for name in EXPECTED_TYPES} == EXPECTED_TYPES
    if layer == "corridors":
        assert types["length_km"] == "Real"
    # Every property is a column, nothing more.
    assert list(types) == list(dict.fromkeys(p for f in expected for p in f["properties"]))


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_has_a_spatial_index(layer):
    tables = gdal(
        "ogrinfo", "-ro", "-q", str(COMMITTED), "-sql",
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rtree_%'",
    )  # fmt: skip
    assert f"name (String) = rtree_{layer}_geom\n" in tables
    answer = gdal(
        "ogrinfo", "-ro", "-q", str(COMMITTED), "-sql",
        f"SELECT HasSpatialIndex('{layer}', 'geom')",
    )  # fmt: skip
    assert "HasSpatialIndex (Integer) = 1" in answer
    # The index answers: a box around the first feature finds it (GDAL uses the R-tree).
    first = features_of(DEFAULT_OUTPUT_DIR, LAYER_FILES[layer])[0]
    lon, lat = _a_point(first["geometry"])
    near = gdal(
        "ogrinfo", "-ro", "-q", "-spat", f"{lon - 0.01}", f"{lat - 0.01}", f"{lon + 0.01}",
        f"{lat + 0.01}", str(COMMITTED), layer,
    )  # fmt: skip
    assert f"id (String) = {first['id']}\n" in near


def _a_point(geometry: dict) -> tuple[float, float]:
    coordinates = geometry["coordinates"]
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates[0], coordinates[1]


@pytest.mark.parametrize("layer", LAYERS)
def test_ogr2ogr_converts_it_back_to_the_atlas(layer, tmp_path):
    out = tmp_path / f"{layer}.geojson"
    gdal("ogr2ogr", "-f", "GeoJSON", str(out), str(COMMITTED), layer)
    copied = json.loads(out.read_text(encoding="utf-8"))["features"]
    expected = features_of(DEFAULT_OUTPUT_DIR, LAYER_FILES[layer])
    assert [f["properties"]["id"] for f in copied] == [f["id"] for f in expected]
    for copy, feature in zip(copied, expected, strict=True):
        got, want = copy["properties"], feature["properties"]
        for name in ("stage", "reported_on", "source_count", "first_source", "name"):
            assert got.get(name) == want.get(name), (feature["id"], name)
        # JSON columns come back as the nested values themselves.
        for name in ("status", "sources", "history"):
            assert got[name] == want[name], (feature["id"], name)
        assert got["countries"] == ", ".join(want["countries"])


def test_an_empty_selection_still_has_both_layers(tmp_path):
    path = tmp_path / "empty.gpkg"
    path.write_bytes(geopackage_bytes([]))
    for layer in LAYERS:
        summary = layer_summary(path, layer)
        assert "Feature Count: 0\n" in summary
        assert field_types(summary)["stage"] == "String"


def test_the_timestamp_is_the_datas_date_not_the_clock(tmp_path):
    features = features_of(DEFAULT_OUTPUT_DIR, ATLAS)
    path = tmp_path / "atlas.gpkg"
    path.write_bytes(geopackage_bytes(features))
    changes = gdal(
        "ogrinfo", "-ro", "-q", str(path), "-sql", "SELECT last_change FROM gpkg_contents"
    )  # fmt: skip
    stamps = re.findall(r"last_change \(DateTime\) = (.+)", changes)
    assert stamps == [f"{data_date(features).replace('-', '/')} 00:00:00+00"] * len(LAYERS)
    assert data_date(features) != UNDATED
    assert data_date([]) == UNDATED


def test_column_types_follow_the_values_and_the_known_names():
    features = [
        {"properties": {"a": 1, "b": 1.5, "c": "x", "d": [1], "length_km": 120, "e": None}},
        {"properties": {"a": None, "b": 2, "c": None, "d": {"k": 1}, "length_km": None}},
    ]
    assert column_types(features) == {
        "a": "Integer",
        "b": "Real",
        "c": "String",
        "d": "JSON",
        "length_km": "Real",
        "e": "String",
    }


def test_a_lone_linestring_corridor_becomes_a_multilinestring(tmp_path):
    """A selection of one corridor drawn as a single line (a regression: promoting it by hand
    took its coordinates for a list of lines)."""
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[66.9, 39.6], [69.2, 41.3]]},
        "properties": {"id": "a-line", "kind": "corridor", "stage": "planned"},
    }
    path = write_gpkg(tmp_path, [line])
    output = gdal("ogrinfo", "-ro", "-q", str(path), "corridors")
    assert "MULTILINESTRING ((66.9 39.6,69.2 41.3))" in output
    assert "id (String) = a-line" in output


def write_gpkg(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "selection.gpkg"
    path.write_bytes(geopackage_bytes(features))
    return path
