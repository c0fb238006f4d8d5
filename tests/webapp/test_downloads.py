"""Downloads under /data: every file and format, per-feature GeoJSON, caching, the /data page."""

from __future__ import annotations

import csv
import gzip
import html
import io
import re
import xml.etree.ElementTree as ET
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
import shapely
from shapely import wkt
from shapely.geometry import shape

from webapp import create_app
from webapp.downloads.csv import COLUMNS, feature_row
from webapp.downloads.kml import balloon
from webapp.http import mediatypes
from webapp.state import get_state, state_of

KML = "{http://www.opengis.net/kml/2.2}"
SUBSETS = {"atlas": ("corridor", "site"), "corridors": ("corridor",), "sites": ("site",)}
mediatypes.MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml",
}
NAMES = [f"{subset}.{extension}" for subset in SUBSETS for extension in mediatypes.MEDIA_TYPES]


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def subset(features: list[dict], name: str) -> list[dict]:
    return [f for f in features if f["properties"]["kind"] in SUBSETS[name.split(".")[0]]]


# --- every file ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_file_headers(client, app, name):
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    assert response.mimetype == mediatypes.MEDIA_TYPES[name.rsplit(".", 1)[1]]
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])  # strong
    built_at = state_of(app).atlas.built_at
    assert response.headers["Last-Modified"] == format_datetime(built_at, usegmt=True)


@pytest.mark.parametrize("name", NAMES)
def test_revalidation(client, name):
    first = client.get(f"/data/{name}")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(f"/data/{name}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/data/{name}", headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert client.get(f"/data/{name}", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"/data/{name}", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert client.get(f"/data/{name}", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(f"/data/{name}", headers=both).status_code == 200
    assert client.get(f"/data/{name}", headers={"If-Modified-Since": "garbage"}).status_code == 200


@pytest.mark.parametrize("name", NAMES)
def test_gzip_is_precompressed(client, app, name):
    plain = client.get(f"/data/{name}")
    zipped = client.get(f"/data/{name}", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    prebuilt = state_of(app).part("downloads").files[name].representation
    assert zipped.data == prebuilt.gzipped  # the bytes made at app creation, not recompressed
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    revalidated = client.get(
        f"/data/{name}",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert revalidated.status_code == 304
    refused = client.get(f"/data/{name}", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    assert refused.data == plain.data


@pytest.mark.parametrize("name", ["atlas.geojson", "corridors.geojson", "sites.geojson"])
def test_geojson_is_the_built_file(client, built_data_dir, name):
    assert client.get(f"/data/{name}").data == (built_data_dir / name).read_bytes()


# --- CSV -----------------------------------------------------------------------------------


def read_csv(client, name: str) -> list[dict[str, str]]:
    data = client.get(f"/data/{name}").data
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.mark.parametrize("name", ["atlas.csv", "corridors.csv", "sites.csv"])
def test_csv_has_a_row_per_feature(client, features, name):
    rows = read_csv(client, name)
    expected = subset(features, name)
    assert [row["id"] for row in rows] == [f["id"] for f in expected]
    for row, feature in zip(rows, expected, strict=True):
        p = feature["properties"]
        assert row["name"] == p["name"]
        assert row["kind"] == p["kind"] and row["category"] == p["category"]
        assert row["aliases"] == " | ".join(p["aliases"])
        assert row["countries"] == " | ".join(p["countries"])
        assert row["status"] == p["status"]["stage"]
        assert row["description"] == p["description"]
        cited = row["sources"].split(" | ")
        assert len(cited) == len(p["sources"]) and "seed" not in row["sources"]
        for cell, source in zip(cited, p["sources"], strict=True):  # “quote” — Headline, …
            assert cell.startswith(f"“{source['quote']}” — {source['title']}")
        geometry = wkt.loads(row["wkt"])
        assert geometry.equals_exact(shape(feature["geometry"]), tolerance=1e-6)
        if p["kind"] == "site":
            lon, lat = feature["geometry"]["coordinates"]
            assert (float(row["lon"]), float(row["lat"])) == (lon, lat)
            nearest = p.get("nearest_corridor")
            if nearest:
                assert row["nearest_corridor"] == nearest["name"]
                assert row["nearest_corridor_id"] == nearest["id"]
                assert float(row["nearest_corridor_km"]) == nearest["distance_km"]
            assert row["sites_within_100km_count"] == ""
        else:
            assert row["lon"] == row["lat"] == ""
            assert float(row["length_km"]) == p["length_km"]
            near = p.get("sites_within_100km", [])
            assert row["sites_within_100km"] == " | ".join(
                f"{s['name']} ({s['distance_km']} km)" for s in near
            )
            assert int(row["sites_within_100km_count"]) == p["sites_within_100km_count"]
            assert row["waypoints"].split(" | ") == [w["place"] for w in p["located_by"]]


def test_csv_dates_and_figures_are_readable(client, features):
    rows = {row["id"]: row for row in read_csv(client, "atlas.csv")}
    with_figures = [f for f in features if f["properties"]["figures"]]
    with_dates = [f for f in features if f["properties"]["status"]["dates"]]
    assert with_figures and with_dates
    for feature in with_figures:
        for figure in feature["properties"]["figures"]:
            assert f"{figure['label']}: " in rows[feature["id"]]["figures"]
    for feature in with_dates:
        for date in feature["properties"]["status"]["dates"]:
            assert f"{date['event']}: {date['when']}" in rows[feature["id"]]["dates"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    feature = {
        "type": "Feature",
        "id": "x",
        "geometry": {"type": "Point", "coordinates": [69.0, 41.0]},
        "properties": {
            "id": "x",
            "name": '=HYPERLINK("http://evil.example","click")',
            "kind": "site",
            "category": "technopark",
            "description": "@SUM(1+1)",
            "aliases": ["+1", "-1", "plain"],
        },
    }
    row = feature_row(feature)
    assert row["name"].startswith("'=")
    assert row["description"].startswith("'@")
    assert row["aliases"].startswith("'+1")
    assert row["lon"] == 69.0


def _cut_corridor() -> dict:
    """A corridor with 1,234 sites within 100 km, of which the nearest two are listed."""
    return {
        "type": "Feature",
        "id": "c",
        "geometry": {"type": "LineString", "coordinates": [[69.0, 41.0], [70.0, 41.0]]},
        "properties": {
            "id": "c",
            "name": "C",
            "kind": "corridor",
            "category": "rail corridor",
            "length_km": 84.0,
            "sites_within_100km": [
                {"id": "a", "name": "A <park>", "distance_km": 1.5},
                {"id": "b", "name": "B", "distance_km": 2.0},
            ],
            "sites_within_100km_count": 1234,
        },
    }


def test_csv_counts_the_sites_a_corridor_does_not_name():
    row = feature_row(_cut_corridor())
    assert row["sites_within_100km"] == "A <park> (1.5 km) | B (2.0 km)"
    assert row["sites_within_100km_count"] == 1234
    position = COLUMNS.index("sites_within_100km")
    assert COLUMNS[position + 1] == "sites_within_100km_count"


# --- KML -----------------------------------------------------------------------------------


def _placemarks(client, name: str) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(client.get(f"/data/{name}").data)
    assert root.tag == f"{KML}kml"
    document = root.find(f"{KML}Document")
    assert document is not None
    return document, document.findall(f".//{KML}Placemark")


def _data(placemark: ET.Element) -> dict[str, str]:
    return {
        d.get("name"): d.findtext(f"{KML}value") or ""
        for d in placemark.iter(f"{KML}Data")  # type: ignore[misc]
    }


def _coordinates(element: ET.Element) -> list[list[float]]:
    text = element.findtext(f"{KML}coordinates") or ""
    return [[float(v) for v in point.split(",")] for point in text.split()]


@pytest.mark.parametrize("name", ["atlas.kml", "corridors.kml", "sites.kml"])
def test_kml_has_a_styled_placemark_per_feature(client, features, name):
    document, placemarks = _placemarks(client, name)
    expected = {f["id"]: f for f in subset(features, name)}
    styles = {style.get("id") for style in document.findall(f"{KML}Style")}
    assert sorted(_data(p)["id"] for p in placemarks) == sorted(expected)
    for placemark in placemarks:
        feature = expected[_data(placemark)["id"]]
        assert placemark.findtext(f"{KML}name") == feature["properties"]["name"]
        assert (placemark.findtext(f"{KML}styleUrl") or "").removeprefix("#") in styles
        description = placemark.findtext(f"{KML}description") or ""
        first = feature["properties"]["sources"][0]
        assert html.escape(f"“{first['quote']}” — {first['title']}") in description
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            point = placemark.find(f"{KML}Point")
            assert point is not None
            assert _coordinates(point) == [geometry["coordinates"]]
        else:
            lines = placemark.findall(f".//{KML}LineString")
            parts = geometry["coordinates"]
            parts = [parts] if geometry["type"] == "LineString" else parts
            assert [_coordinates(line) for line in lines] == parts
            multi = placemark.find(f"{KML}MultiGeometry")
            assert (multi is not None) == (geometry["type"] == "MultiLineString")
            assert all(line.findtext(f"{KML}tessellate") == "1" for line in lines)


def test_kml_colours_follow_the_map(client, features):
    from webapp.style import corridor_colour, site_colour

    document, _ = _placemarks(client, "atlas.kml")
    colours = {s.get("id"): s.findtext(f".//{KML}color") for s in document.findall(f"{KML}Style")}
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    for index, corridor in enumerate(corridors):
        rgb = corridor_colour(index)
        assert colours[f"corridor-{corridor['id']}"] == f"ff{rgb[5:7]}{rgb[3:5]}{rgb[1:3]}"
    technopark = site_colour("technopark")
    assert colours["site-technopark"] == f"ff{technopark[5:7]}{technopark[3:5]}{technopark[1:3]}"


def test_kml_balloons_escape_the_text():
    properties = {
        "id": "x",
        "name": "n",
        "kind": "site",
        "category": "technopark",
        "description": "</description><script>alert(1)</script>",
        "sources": [{"seed": "s.txt", "quote": 'a "quote" & <b>bold</b>'}],
    }
    html = balloon(properties)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_kml_balloon_counts_the_sites_a_corridor_does_not_name():
    cut = _cut_corridor()["properties"]
    html = balloon(cut)
    assert (
        "<p>1,234 sites within 100 km; the nearest 2: A &lt;park&gt; (1.5 km), B (2.0 km)</p>"
        in html
    )
    whole = cut | {"sites_within_100km_count": 2}
    assert "<p>Sites within 100 km: A &lt;park&gt; (1.5 km), B (2.0 km)</p>" in balloon(whole)


# --- one feature ---------------------------------------------------------------------------


def test_every_feature_has_its_own_geojson(client, features):
    for feature in features:
        response = client.get(f"/data/features/{feature['id']}.geojson")
        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename={feature['id']}.geojson"
        )
        document = response.json
        assert document["type"] == "FeatureCollection"
        assert document["features"] == [feature]
        bounds = shape(feature["geometry"]).bounds
        assert document["bbox"] == pytest.approx(bounds, abs=1e-6)
        again = client.get(
            f"/data/features/{feature['id']}.geojson",
            headers={"If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304


# --- the /data page ------------------------------------------------------------------------


def test_data_page_lists_every_download(client, app, features):
    response = client.get("/data")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.text
    assert 'class="site-nav"' in page  # extends base.html
    downloads = state_of(app).part("downloads").files
    for name in NAMES:
        download = downloads[name]
        assert f'href="/data/{name}"' in page
        assert f'data-bytes="{len(client.get(f"/data/{name}").data)}"' in page
        assert f'data-bytes="{download.gzip_size}"' in page
        assert download.features == len(subset(features, name))
    for feature in features:
        assert f'href="/data/features/{feature["id"]}.geojson"' in page
    for text in ["GeoNames", "CC BY 4.0", "Natural Earth", "public domain", "source articles"]:
        assert text in page
    assert "<script>" not in page


def test_downloads_are_prebuilt_once_per_app(app):
    data = state_of(app).part("downloads")
    with app.test_request_context():
        assert get_state().part("downloads") is data
    assert all(d.representation.gzipped for d in data.files.values())
    assert shapely.box(*state_of(app).part("api").bbox(("site",))).is_valid
