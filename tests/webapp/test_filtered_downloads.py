"""The GeoPackage download and the downloads of a /features selection (issue 14, item 3).

A selection file must hold what ``/api/features`` answers for the same query (the ids, in order,
and every property, the as-of ones included), keep the downloads' ETag, gzip and Range
behaviour, be named after what was selected, and refuse bad parameters with a 400 that says
why. The GeoPackages are read by ogrinfo (Debian's GDAL, not the one that wrote them).
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from geodata.outputs import GEOPACKAGE
from tests.campaigns.test_gdal import gdal
from webapp import create_app
from webapp.api.params import MAX_LIMIT
from webapp.downloads.selection import SELECTION_LIMIT

GPKG_TYPE = "application/geopackage+sqlite3"
#: Queries of the table, as its links write them; as_of in three of them.
QUERIES = [
    "",
    "kind=site",
    "kind=site&country=UZ",
    "kind=corridor",
    "status=operational",
    "q=Tashkent",
    "category=technopark,industrial%20park",
    "as_of=2024-08",
    "as_of=2025&kind=site",
    "as_of=2027-01-01&status=operational",
]
FORMATS = ("geojson", "csv", "gpkg")


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def api_answer(client, query: str) -> dict:
    response = client.get(f"/api/features?{query}&limit={MAX_LIMIT}")
    assert response.status_code == 200
    return response.json


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_selection_is_at_most_one_api_page():
    assert SELECTION_LIMIT == MAX_LIMIT


# --- equal to the API -------------------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_the_geojson_selection_is_the_apis_answer(client, query):
    expected = api_answer(client, query)
    response = client.get(f"/data/selection.geojson?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    selection = response.json
    assert selection["type"] == "FeatureCollection"
    assert [f["id"] for f in selection["features"]] == [f["id"] for f in expected["features"]]
    assert selection["features"] == expected["features"]  # every property, geometry too
    assert selection["numberMatched"] == expected["numberMatched"]
    assert selection["numberReturned"] == len(selection["features"])
    (link,) = selection["links"]
    assert link["rel"] == "alternate"
    assert (
        client.get(link["href"].removeprefix("http://localhost")).json["features"]
        == (expected["features"])
    )


def test_as_of_selections_carry_the_stage_then(client, features):
    answer = client.get("/data/selection.geojson?as_of=2024-08").json
    assert answer["features"], "something was reported by August 2024"
    assert len(answer["features"]) < len(features)  # not everything was
    for feature in answer["features"]:
        properties = feature["properties"]
        assert properties["as_of"]["date"] == "2024-08-31"
        assert properties["stage"] == properties["as_of"]["stage"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_csv_selection_has_the_apis_features_and_stages(client, query):
    expected = api_answer(client, query)["features"]
    data = client.get(f"/data/selection.csv?{query}").data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row["id"] for row in rows] == [f["id"] for f in expected]
    for row, feature in zip(rows, expected, strict=True):
        properties = feature["properties"]
        assert row["stage"] == properties["stage"]
        assert row["status"] == properties["status"]["stage"]  # as reported
        assert row["reported_on"] == (properties["reported_on"] or "")
        assert row["source_count"] == str(properties["source_count"])
        assert row["first_source"] == (properties["first_source"] or "")


@pytest.mark.parametrize("query", ["", "kind=site&country=UZ", "as_of=2025", "q=Tashkent"])
def test_ogrinfo_reads_the_gpkg_selection_with_its_count(client, query, tmp_path):
    expected = api_answer(client, query)["features"]
    response = client.get(f"/data/selection.gpkg?{query}")
    assert response.status_code == 200
    assert response.mimetype == GPKG_TYPE
    path = write(tmp_path, "selection.gpkg", response.data)
    for layer, kind in (("corridors", "corridor"), ("sites", "site")):
        summary = gdal("ogrinfo", "-ro", "-so", str(path), layer)
        count = sum(f["properties"]["kind"] == kind for f in expected)
        assert f"Feature Count: {count}\n" in summary
        assert re.search(r"^stage: String ", summary, flags=re.M)
    out = tmp_path / "sites.geojson"
    gdal("ogr2ogr", "-f", "GeoJSON", str(out), str(path), "sites")
    read = [f["properties"] for f in json.loads(out.read_text())["features"]]
    sites = [f["properties"] for f in expected if f["properties"]["kind"] == "site"]
    assert [(p["id"], p["stage"]) for p in read] == [(p["id"], p["stage"]) for p in sites]
    if "as_of" in query:
        assert all(p["as_of"] == s["as_of"] for p, s in zip(read, sites, strict=True))


# --- the atlas's GeoPackage ---------------------------------------------------------------------


def test_the_geopackage_download_is_the_built_file(client, built_data_dir):
    response = client.get("/data/atlas.gpkg")
    assert response.status_code == 200
    assert response.mimetype == GPKG_TYPE
    assert response.headers["Content-Disposition"] == "attachment; filename=atlas.gpkg"
    assert response.data == (built_data_dir / GEOPACKAGE).read_bytes()


def test_the_data_page_lists_the_geopackage_and_the_selections(client):
    page = client.get("/data").text
    assert 'href="/data/atlas.gpkg"' in page
    assert '<h2 id="geopackage">GeoPackage</h2>' in page
    assert "/data/selection.gpkg?kind=site&amp;country=UZ" in page


# --- caching, ranges, names -----------------------------------------------------------------


DOWNLOADS = [
    "/data/atlas.gpkg",
    *(f"/data/selection.{f}?kind=site&country=UZ" for f in FORMATS),
    "/data/selection.gpkg?as_of=2025",
]


@pytest.mark.parametrize("url", DOWNLOADS)
def test_etag_revalidation_and_gzip(client, app, url):
    plain = client.get(url)
    etag = plain.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong, as every other download's
    assert plain.headers["Last-Modified"]
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(url).data == plain.data  # the same bytes again
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != etag
    again = {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    assert client.get(url, headers=again).status_code == 304


@pytest.mark.parametrize("url", DOWNLOADS)
def test_ranges(client, url):
    whole = client.get(url).data
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.data == whole[100:200]
    tail = client.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.data == whole[-16:]
    beyond = client.get(url, headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416
    etag = client.get(url).headers["ETag"]
    resumed = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.data == whole[:10]
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.data == whole


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "atlas-selection"),
        ("kind=site&country=uz", "atlas-selection-kind-site-country-uz"),
        ("as_of=2025&status=operational", "atlas-selection-status-operational-as-of-2025-12-31"),
        ("q=Ташкент", "atlas-selection-q-tashkent"),
        ("q=%22%3E%3Cscript%3E", "atlas-selection-q-script"),
        ("q=" + "x" * 150, "atlas-selection-q-" + "x" * 62),
    ],
)
@pytest.mark.parametrize("extension", FORMATS)
def test_file_names_say_what_was_selected(client, query, name, extension):
    response = client.get(f"/data/selection.{extension}?{query}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename={name}.{extension}"


# --- bad requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=castle", "Unknown kind 'castle'"),
        ("status=built", "Unknown status 'built'"),
        ("country=Uzbekistan", "not a two-letter ISO 3166-1 code"),
        ("as_of=2025-13", "as_of"),
        ("as_of=1800", "as_of"),
        ("as_of=2025&as_of=2026", "as_of may be given once"),
        ("q=" + "x" * 201, "q must be text of 1 to 200 characters"),
        ("limit=5", "Unknown query parameter 'limit'"),
        ("sort=name", "Unknown query parameter 'sort'"),
    ],
)
@pytest.mark.parametrize("extension", FORMATS)
def test_bad_parameters_are_400s_that_say_why(client, query, message, extension):
    response = client.get(f"/data/selection.{extension}?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.text)


def test_unknown_selection_formats_are_404s(client):
    response = client.get("/data/selection.kml?kind=site")
    assert response.status_code == 404
    assert "selection.gpkg" in response.text


@pytest.mark.parametrize("query", ["kind=", "status=", "q=", "as_of="])
def test_an_empty_value_is_refused_as_the_api_refuses_it(client, query):
    assert client.get(f"/data/selection.geojson?{query}").status_code == 400
    assert client.get(f"/api/features?{query}").status_code == 400


# --- the table's links ----------------------------------------------------------------------


def links_of(page: str) -> dict[str, str]:
    block = re.search(r'<p class="selection-downloads">(.*?)</p>', page, flags=re.S)
    assert block is not None, "the table has no selection downloads"
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', block.group(1))]
    return {urlsplit(h).path: h for h in hrefs}


@pytest.mark.parametrize(
    "query", ["kind=site&country=UZ&sort=length&order=desc", "as_of=2025&status=", "q=Tashkent"]
)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_table_links_to_its_selection_and_the_api(client, query, lang):
    page = client.get(f"/features?{query}&lang={lang}").text
    links = links_of(page)
    assert set(links) == {f"/data/selection.{f}" for f in FORMATS} | {"/api/features"}
    wanted = {k: v for k, v in parse_qs(query).items() if k not in ("sort", "order")}
    api = parse_qs(urlsplit(links["/api/features"]).query)
    assert api.pop("limit") == [str(MAX_LIMIT)]
    for href in links.values():
        params = parse_qs(urlsplit(href).query)
        params.pop("limit", None)
        assert set(params) == set(wanted)  # the table's filters, not its sort or page
    answer = client.get(links["/api/features"]).json
    selection = client.get(links["/data/selection.geojson"]).json
    assert selection["features"] == answer["features"]
    shown = re.findall(r'<tr data-id="([^"]+)">', page)
    assert sorted(shown) == sorted(f["id"] for f in answer["features"])
    label = "Скачать эту выборку:" if lang == "ru" else "Download this selection:"
    assert label in page


def test_an_empty_table_offers_no_download(client):
    page = client.get("/features?q=nothing-is-called-this").text
    assert "selection-downloads" not in page
