"""GDAL as a real OGC API – Features client against a real waitress server.

``ogrinfo`` and ``ogr2ogr`` (Debian's gdal-bin) talk HTTP to the server in a thread; a WSGI
wrapper records every request, which shows that bbox filters reach the server rather than
being applied by GDAL after downloading everything. Missing GDAL tools fail the test with an
install hint: this is the proof that QGIS-like clients can use the service. The names in
Russian, Uzbek and Kazakh are read from the service and from the CSV and KML downloads, on a
small atlas of the tests' own (and on the built one, as far as it has them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
import shapely
from shapely.geometry import shape

from tests.support import samples
from tests.support.live import recorded_server

INSTALL_HINT = (
    "GDAL's command-line tools (ogrinfo, ogr2ogr) are needed for this test: install Debian's "
    "gdal-bin (sudo apt-get install gdal-bin), as .ci/run does."
)
NAME_COLUMNS = ("name_ru", "name_uz", "name_kk")
LAYERS = {"atlas": ("corridor", "site"), "corridors": ("corridor",), "sites": ("site",)}
WKT_TYPES = {"POINT": "Point", "LINESTRING": "LineString", "MULTILINESTRING": "MultiLineString"}
GDAL_ENV = {
    "GDAL_HTTP_TIMEOUT": "30",
    "GDAL_HTTP_MAX_RETRY": "0",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
    "CPL_DEBUG": "OFF",
}


def gdal(tool: str, *args: str) -> str:
    """Run a GDAL tool; its stdout, or a failure showing stderr."""
    executable = shutil.which(tool)
    if executable is None:
        pytest.fail(f"{tool} not found. {INSTALL_HINT}")
    result = subprocess.run(
        [executable, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **GDAL_ENV},
        check=False,
    )
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def service(built_data_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """The OAPIF URL of a live server, and the request URLs it has seen so far."""
    for tool in ("ogrinfo", "ogr2ogr"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found. {INSTALL_HINT}")
    with recorded_server(built_data_dir) as (url, seen):
        yield f"OAPIF:{url}/ogc", seen


def features_by_layer(output: str) -> dict[str, list[dict[str, str]]]:
    """ogrinfo's text report as layer -> features, each its fields and geometry WKT type."""
    layers: dict[str, list[dict[str, str]]] = {}
    for block in re.split(r"^OGRFeature\(", output, flags=re.M)[1:]:
        layer, _, body = block.partition(")")
        fields = dict(re.findall(r"^  (\w+) \([^)]*\) = (.*)$", body, flags=re.M))
        geometry = re.search(r"^  (POINT|LINESTRING|MULTILINESTRING) ", body, flags=re.M)
        fields["geometry"] = WKT_TYPES[geometry.group(1)] if geometry else ""
        layers.setdefault(layer, []).append(fields)
    return layers


def test_ogrinfo_lists_the_three_layers(service):
    url, _ = service
    output = gdal("ogrinfo", "-ro", "-so", url)
    assert re.findall(r"^\d+: (\w+)", output, flags=re.M) == list(LAYERS)
    assert re.search(r"^3: sites .*\(Point\)", output, flags=re.M)


def test_ogrinfo_reads_every_feature_with_its_geometry_and_properties(service, features):
    url, seen = service
    output = gdal("ogrinfo", "-ro", "-al", "-q", url)
    layers = features_by_layer(output)
    assert set(layers) == set(LAYERS)
    for layer, kinds in LAYERS.items():
        expected = [f for f in features if f["properties"]["kind"] in kinds]
        read = layers[layer]
        assert len(read) == len(expected), layer
        for fields, feature in zip(read, expected, strict=True):
            properties = feature["properties"]
            assert fields["id"] == feature["id"]
            assert fields["geometry"] == feature["geometry"]["type"]
            assert fields["name"] == properties["name"]
            assert fields["kind"] == properties["kind"]
            assert fields["category"] == properties["category"]
            assert fields["countries"].startswith(f"({len(properties['countries'])}:")
            if properties["kind"] == "corridor":
                assert float(fields["length_km"]) == properties["length_km"]
            for column in NAME_COLUMNS:
                assert fields.get(column, "(null)") == (properties.get(column) or "(null)")
    assert any(path.startswith("/ogc/collections/atlas/items?") for path in seen)
    russian = [fields["name_ru"] for fields in layers["atlas"] if fields["name_ru"] != "(null)"]
    assert any(re.search("[А-Яа-я]", name) for name in russian)  # Cyrillic read back intact


def test_ogr2ogr_reads_the_properties_exactly(service, features, tmp_path):
    url, _ = service
    out = tmp_path / "corridors.geojson"
    gdal("ogr2ogr", "-f", "GeoJSON", str(out), url, "corridors")
    copied = json.loads(out.read_text(encoding="utf-8"))["features"]
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    assert [f["properties"]["id"] for f in copied] == [f["id"] for f in corridors]
    for copy, corridor in zip(copied, corridors, strict=True):
        assert copy["properties"]["aliases"] == corridor["properties"]["aliases"]
        assert shape(copy["geometry"]).equals_exact(shape(corridor["geometry"]), 1e-9)


def test_bbox_filter_is_applied_by_the_server(service, features):
    url, seen = service
    bbox = (66.0, 37.0, 72.0, 42.0)
    seen.clear()
    output = gdal("ogrinfo", "-ro", "-q", "-spat", *(f"{v:g}" for v in bbox), url, "sites")
    box = shapely.box(*bbox)
    expected = [
        f["id"]
        for f in features
        if f["properties"]["kind"] == "site" and shape(f["geometry"]).intersects(box)
    ]
    read = features_by_layer(output)["sites"]
    assert [fields["id"] for fields in read] == expected
    assert 0 < len(expected) < sum(f["properties"]["kind"] == "site" for f in features)
    asked = [
        parse_qs(urlsplit(path).query)
        for path in seen
        if path.startswith("/ogc/collections/sites/items?")
    ]
    bboxes = [[float(v) for v in query["bbox"][0].split(",")] for query in asked if "bbox" in query]
    assert bboxes and all(b == pytest.approx(list(bbox)) for b in bboxes)


def test_ogr2ogr_copies_a_collection_into_a_geopackage(service, features, tmp_path):
    url, _ = service
    out = tmp_path / "sites.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(out), url, "sites")
    summary = gdal("ogrinfo", "-ro", "-so", str(out), "sites")
    sites = sum(f["properties"]["kind"] == "site" for f in features)
    assert f"Feature Count: {sites}" in summary
    assert "Geometry: Point" in summary


# --- names in the region's languages -------------------------------------------------------

REFERENCES = {"ru": "test reference", "uz": "test reference", "kk": "test reference"}
#: Test values, in the scripts the atlas's names use.
NAMES = {"name_ru": "Ташкент «Юг»", "name_uz": "Toshkent bogʻi", "name_kk": "Қорғас"}


@pytest.fixture(scope="module")
def named_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The base URL of a live server over a small atlas whose first site has names in every
    language, and the request URLs it has seen."""
    sites = [
        samples.feature("site", id="named-site", name="Named site", **NAMES, name_refs=REFERENCES),
        samples.feature("site", id="unnamed-site", name="Unnamed site"),
    ]
    data_dir = samples.write_data_dir(
        tmp_path_factory.mktemp("named"), [samples.feature("corridor"), *sites]
    )
    with recorded_server(data_dir) as served:
        yield served


def test_ogrinfo_lists_the_name_fields_and_reads_cyrillic(named_service):
    url, _ = named_service
    summary = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{url}/ogc", "sites")
    for column in NAME_COLUMNS:
        assert re.search(rf"^{column}: String ", summary, flags=re.M), summary
    output = gdal("ogrinfo", "-ro", "-q", f"OAPIF:{url}/ogc", "sites")
    read = {f["id"]: f for f in features_by_layer(output)["sites"]}
    assert {column: read["named-site"][column] for column in NAME_COLUMNS} == NAMES
    assert read["unnamed-site"].get("name_ru", "(null)") == "(null)"


def test_a_name_filter_is_applied_by_gdal_not_sent_to_the_server(named_service):
    """A filter on a name works in GDAL, which applies it itself: the items do not filter by
    name (``?name_ru=…`` is refused), so nothing about names may reach the server."""
    url, seen = named_service
    seen.clear()
    where = f"name_ru = '{NAMES['name_ru']}'"
    output = gdal("ogrinfo", "-ro", "-q", "-where", where, f"OAPIF:{url}/ogc", "sites")
    assert [f["id"] for f in features_by_layer(output)["sites"]] == ["named-site"]
    assert seen and not any("name_ru" in path for path in seen)


@pytest.mark.parametrize("name", ["sites.csv", "sites.kml"])
def test_ogrinfo_reads_the_names_of_a_download(named_service, tmp_path, name):
    url, _ = named_service
    path = tmp_path / name
    with urlopen(f"{url}/data/{name}") as answer:
        path.write_bytes(answer.read())
    output = gdal("ogrinfo", "-ro", "-al", "-q", str(path))
    read = {f["id"]: f for fs in features_by_layer(output).values() for f in fs}
    assert {column: read["named-site"][column] for column in NAME_COLUMNS} == NAMES
    assert not read["unnamed-site"].get("name_ru")


# --- flat properties: QGIS styles by stage without expressions (issue 14) --------------------


@pytest.mark.parametrize("name", ["atlas.geojson", "atlas.csv", "atlas.kml", "atlas.gpkg"])
def test_every_download_has_stage_as_a_plain_string_field(service, features, tmp_path, name):
    url = service[0].removeprefix("OAPIF:").removesuffix("/ogc")
    path = tmp_path / name
    with urlopen(f"{url}/data/{name}") as answer:
        path.write_bytes(answer.read())
    # The CSV's types as GDAL guesses them (QGIS does the same), the others' as declared.
    options = ["-oo", "AUTODETECT_TYPE=YES"] if name.endswith(".csv") else []
    summary = gdal("ogrinfo", "-ro", "-so", "-al", *options, str(path))
    assert set(re.findall(r"^stage: (\S+) ", summary, flags=re.M)) == {"String"}
    assert set(re.findall(r"^source_count: (\S+) ", summary, flags=re.M)) <= {"Integer", "String"}
    if not name.endswith(".kml"):  # KML's ExtendedData is text
        assert set(re.findall(r"^source_count: (\S+) ", summary, flags=re.M)) == {"Integer"}
    output = gdal("ogrinfo", "-ro", "-al", "-q", *options, str(path))
    read = {f["id"]: f for fs in features_by_layer(output).values() for f in fs}
    assert {fid: f["stage"] for fid, f in read.items()} == {
        f["id"]: f["properties"]["stage"] for f in features
    }
    for feature in features:
        properties = feature["properties"]
        assert read[feature["id"]]["source_count"] == str(properties["source_count"])
        if name != "atlas.kml":
            assert read[feature["id"]]["first_source"] == (properties["first_source"] or "(null)")
