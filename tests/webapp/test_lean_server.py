"""The server's large-atlas paths over the real seed build: what keeps it lean at 100,000 features.

The limits that switch these paths on (rows a table page, features listed on /data, bytes
below which downloads are made in memory, characters of cached pages) are lowered so the seed
atlas takes them; the 100,000-feature figures are bench/RESULTS.md's.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from webapp import create_app
from webapp.model.atlas import AtlasDataError, load_atlas
from webapp.model.filebody import FileBody
from webapp.pages import table as pages
from webapp.state import state_of

ROW = re.compile(r'<tr data-id="([^"]+)"')


def rows(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return ROW.findall(response.text)


@pytest.fixture
def copied_data_dir(built_data_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_data_dir, tmp_path / "data"))


# --- the table, a page at a time ----------------------------------------------------------------


@pytest.fixture
def paged_client(built_data_dir: Path):
    """A client of an app whose table shows 5 rows a page."""
    limits = {"table_page_size": 5}
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits}).test_client()


def test_the_table_is_paged_and_the_pages_together_are_the_whole_sorted_table(client, paged_client):
    whole = rows(client, "/features?sort=length&order=desc")
    client = paged_client
    seen = []
    for number in range(1, 6):
        url = f"/features?sort=length&order=desc&page={number}"
        shown = rows(client, url)
        assert len(shown) == (5 if number < 5 else len(whole) - 20)
        seen += shown
    assert seen == whole
    text = client.get("/features?sort=length&order=desc&page=2").text
    assert f"{len(whole)} of {len(whole)} features; rows 6–10 (page 2 of 5)" in text
    assert re.search(r'href="[^"]*page=1[^"]*" rel="prev"', text)
    assert re.search(r'href="[^"]*page=3[^"]*" rel="next"', text)


def test_filters_page_the_matching_rows_only(paged_client):
    client = paged_client
    text = client.get("/features?kind=corridor").text
    assert "6 of 22 features; rows 1–5 (page 1 of 2)" in text
    assert len(rows(client, "/features?kind=corridor&page=2")) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "pages start at 1"),
        ("page=-1", "one whole number"),
        ("page=two", "one whole number"),
        ("page=1&page=2", "one whole number"),
        ("page=99", "There is no page 99"),
        ("page=9999999999", "pages start at 1"),
    ],
)
def test_a_page_that_does_not_exist_is_a_400_naming_it(client, query, message):
    response = client.get(f"/features?{query}")
    assert response.status_code == 400
    assert message in response.text


# --- downloads kept on disk -------------------------------------------------------------------


@pytest.fixture
def disk_client(built_data_dir: Path):
    limits = {"eager_download_bytes": 0, "listed_downloads": 3}
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits}).test_client()


def test_the_data_page_does_not_make_files_or_list_every_feature(disk_client, built_data_dir):
    text = disk_client.get("/data").text
    assert text.count("made at its first download") == 10  # CSV, KML, GeoPackage
    assert 'class="plain-list feature-downloads"' not in text
    assert "lists all 22" in text
    disk_client.get("/data/sites.csv")
    assert disk_client.get("/data").text.count("made at its first download") == 9


@pytest.mark.parametrize("name", ["atlas.geojson", "corridors.geojson", "sites.geojson"])
def test_geojson_files_are_streamed_from_disk_byte_for_byte(disk_client, built_data_dir, name):
    expected = (built_data_dir / name).read_bytes()
    plain = disk_client.get(f"/data/{name}")
    assert plain.status_code == 200
    downloads = state_of(disk_client.application).part("downloads")
    assert isinstance(downloads.files[name].representation.body, FileBody)
    assert plain.data == expected
    assert plain.headers["Content-Length"] == str(len(expected))
    packed = disk_client.get(f"/data/{name}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == expected
    assert packed.headers["Content-Length"] == str(len(packed.data))
    again = disk_client.get(f"/data/{name}", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = disk_client.head(f"/data/{name}")
    assert head.data == b"" and head.headers["Content-Length"] == str(len(expected))


@pytest.mark.parametrize("name", ["atlas.csv", "sites.kml"])
def test_derived_files_on_disk_equal_those_made_in_memory(disk_client, client, name):
    on_disk = disk_client.get(f"/data/{name}")
    in_memory = client.get(f"/data/{name}")
    assert on_disk.data == in_memory.data
    assert on_disk.headers["ETag"] == in_memory.headers["ETag"]


def test_a_file_body_reads_chunks_and_slices():
    body = FileBody.spool([b"a" * 300_000, b"b" * 10])
    chunks = list(body)
    assert len(chunks) == 2 and len(body) == 300_010
    assert body[299_998:300_002] == b"aabb"
    assert gzip.decompress(body.gzip().read()) == body.read()


# --- the loaded data --------------------------------------------------------------------------


def test_a_build_replacing_the_files_changes_nothing_the_running_server_serves(
    copied_data_dir: Path,
):
    client = create_app({"TESTING": True, "DATA_DIR": copied_data_dir}).test_client()
    before = {
        path: client.get(path).data
        for path in ("/data/atlas.geojson", "/features/bekabad-industrial-park", "/healthz")
    }
    for name in ("atlas.geojson", "corridors.geojson", "sites.geojson"):
        path = copied_data_dir / name
        replacement = path.with_suffix(".new")
        replacement.write_text('{"type": "FeatureCollection", "features": []}\n')
        os.replace(replacement, path)  # as the build does
    client.application.wsgi_app.clear()  # the replayed answers: render every page again
    health = client.get("/healthz").json
    assert health.pop("data_on_disk") == "changed"  # it says so, and serves what it loaded
    assert health == {
        k: v for k, v in json.loads(before.pop("/healthz")).items() if k != "data_on_disk"
    }
    for path, body in before.items():
        assert client.get(path).data == body, path


def test_a_feature_breaking_the_contract_is_named_with_its_file_and_number(
    copied_data_dir: Path,
):
    path = copied_data_dir / "atlas.geojson"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    third = json.loads(lines[3].rstrip().removesuffix(","))
    third["properties"]["kind"] = "harbour"
    lines[3] = json.dumps(third, separators=(",", ":")) + ",\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(AtlasDataError, match=rf"atlas\.geojson, feature 3 \('{third['id']}'\)"):
        load_atlas(copied_data_dir)


def test_an_unfinished_file_is_refused(copied_data_dir: Path):
    path = copied_data_dir / "atlas.geojson"
    path.write_bytes(path.read_bytes().rsplit(b"\n]}", 1)[0])
    with pytest.raises(AtlasDataError, match=r"atlas\.geojson does not follow the data contract"):
        load_atlas(copied_data_dir)


def test_the_atlas_keeps_few_validated_features(built_data_dir: Path):
    limits = {"feature_models": 5}
    app = create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits})
    client = app.test_client()
    atlas = state_of(app).atlas
    for feature_id in atlas.store.ids:
        assert client.get(f"/features/{feature_id}").status_code == 200
    assert len(atlas._recent) == 5
    assert atlas.feature("bekabad-industrial-park") is atlas.feature("bekabad-industrial-park")


def test_replayed_pages_are_bounded_by_their_size(built_data_dir: Path):
    limits = {"replay_bytes": 100_000}
    app = create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits})
    client = app.test_client()
    sizes = [len(client.get(f"/features/{i}").data) for i in state_of(app).atlas.store.ids]
    cache = app.wsgi_app
    assert sum(sizes) > 100_000
    assert 1 <= len(cache) < 22
    assert cache.bytes_kept <= 100_000


def test_many_feature_ids_are_described_by_their_pattern_not_listed(built_data_dir):
    limits = {"openapi_enum_ids": 5}
    client = create_app(
        {"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits}
    ).test_client()
    parameters = client.get("/api/openapi.json").json["components"]["parameters"]
    schema = parameters["featureId"]["schema"]
    assert "enum" not in schema
    assert re.fullmatch(schema["pattern"].strip("^$"), schema["example"])
    assert client.get(f"/ogc/collections/atlas/items/{schema['example']}").status_code == 200


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("sort", ["name", "kind", "category", "countries", "status", "length"])
def test_the_table_order_follows_its_rules(app, sort, order):
    """Ties keep name order (then id) either way; features without a length come last."""
    stages = ["proposed", "planned", "under construction", "operational", "completed"]
    store = state_of(app).atlas.store
    features = [store.feature(p)["properties"] for p in range(len(store))]
    keys = {
        "name": lambda p: p["name"].casefold(),
        "kind": lambda p: p["kind"],
        "category": lambda p: p["category"].casefold(),
        "countries": lambda p: tuple(p["countries"]),
        "status": lambda p: stages.index(p["status"]["stage"]) if p.get("status") else 99,
        "length": lambda p: p.get("length_km") or 0.0,
    }
    expected = sorted(features, key=lambda p: (p["name"].casefold(), p["id"]))
    if sort == "length":
        measured = [p for p in expected if p.get("length_km") is not None]
        measured.sort(key=keys["length"], reverse=order == "desc")
        expected = measured + [p for p in expected if p.get("length_km") is None]
    else:
        expected.sort(key=keys[sort], reverse=order == "desc")
    query = pages.parse_query({"sort": [sort], "order": [order]}, categories=[])
    table_order = state_of(app).part("pages")
    got = table_order.ordered(np.arange(len(store)), query)
    assert [store.ids[p] for p in got] == [p["id"] for p in expected]
