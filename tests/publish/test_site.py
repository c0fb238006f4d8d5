"""The published site as files: complete, every link resolving under any prefix, downloads
byte-identical to the app's, the OGC API as linked JSON, and written atomically.

The site is published once for the module from the session's real build (``published_site``,
shared with the reader tests); the app it is compared with is the same build's.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import brotli
import pytest

from tests.support.static_site import published_site
from webapp.model.atlas import AtlasDataError
from webapp.publish import PublishError, publish_site
from webapp.publish.compress import MIN_BYTES, compressible

LIVE = "https://live.example/atlas"
_LINK = re.compile(r"""\s(?:href|src|action)=["']([^"']*)["']""")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Path:
    return published_site(tmp_path_factory.mktemp("published"), data_dir=built_data_dir)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Path:
    return published_site(
        tmp_path_factory.mktemp("published-live"), data_dir=built_data_dir, live_api=LIVE
    )


@pytest.fixture(scope="module")
def app_client(built_data_dir: Path):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": built_data_dir}).test_client(use_cookies=False)


def _files(site: Path) -> list[Path]:
    """The published files, without their compressed copies and the server configurations."""
    return [
        p
        for p in site.rglob("*")
        if p.is_file() and p.suffix not in (".gz", ".br") and not p.name.startswith("_")
        and "_server" not in p.parts
    ]  # fmt: skip


def _names(site: Path) -> list[str]:
    return [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "popups" not in p.parts]


def _dead_links(site: Path, prefix: str) -> list[tuple[str, str]]:
    """Every local link of every page resolved as a browser would at ``prefix``; those that
    leave the prefix or reach no published file."""
    dead = []
    for page in _pages(site):
        at = page.relative_to(site).as_posix()
        base = f"http://site.example{prefix}{at}"
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            link = html.unescape(link)
            target = urlsplit(urljoin(base, link))
            if target.netloc != "site.example" or not target.path:
                continue  # tiles, the articles, the live API: not the site's
            path = unquote(target.path)
            if not path.startswith(prefix) or not (site / path[len(prefix) :]).is_file():
                dead.append((at, link))
    return dead


@pytest.mark.parametrize("prefix", ["/", "/atlas/"])
def test_every_local_link_of_every_page_reaches_a_published_file(site: Path, prefix: str):
    assert len(_pages(site)) > 60
    assert _dead_links(site, prefix) == []


def test_every_reader_page_is_published_in_english_and_russian(site: Path, app_client):
    ids = [f["id"] for f in app_client.get("/api/features?limit=10000").get_json()["features"]]
    assert len(ids) > 20
    for root in ("", "ru/"):
        for name in ("index", "embed", "features", "sources", "about", "data", "api"):
            assert (site / f"{root}{name}.html").is_file(), name
        for feature_id in ids:
            assert (site / f"{root}features/{feature_id}.html").is_file()
            assert (site / f"data/features/{feature_id}.geojson").is_file()
        assert len(list((site / f"{root}sources").glob("*.html"))) >= 5
    russian = (site / "ru/features" / f"{ids[0]}.html").read_text(encoding="utf-8")
    assert '<html lang="ru"' in russian
    # the switcher leads to the English copy of the same page, relative to it
    assert f'href="../../features/{ids[0]}.html" hreflang="en"' in russian


def test_downloads_are_the_apps_bytes_and_their_copies_decompress_to_them(site: Path, app_client):
    downloads = sorted((site / "data").rglob("*"))
    data_files = [p for p in downloads if p.is_file() and p.suffix not in (".gz", ".br")]
    assert {"atlas.geojson", "atlas.csv", "atlas.kml", "atlas.gpkg", "sites.geojson"} <= {
        p.name for p in data_files
    }
    for path in data_files:
        url = "/" + path.relative_to(site).as_posix()
        body = path.read_bytes()
        assert body == app_client.get(url).get_data(), url
        if compressible(path.name) and len(body) >= MIN_BYTES:
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == body
            assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == body


def test_pages_have_compressed_copies_and_no_app_address_is_left(site: Path):
    for page in _pages(site):
        text = page.read_bytes()
        assert gzip.decompress(page.with_name(page.name + ".gz").read_bytes()) == text
        assert b"http://localhost" not in text, page
        assert not re.search(rb"""(?:src|href)=["']/(?!/)""", text), page


def test_the_ogc_api_is_linked_json_files(site: Path, app_client):
    landing = json.loads((site / "ogc/index.json").read_text())
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert rels["data"] == "collections.json" and rels["conformance"] == "conformance.json"
    assert "alternate" not in rels  # the HTML representation is not published
    for name, expected in (("sites", "site"), ("corridors", "corridor"), ("atlas", None)):
        items_path = site / f"ogc/collections/{name}/items.json"
        items = json.loads(items_path.read_text())
        app_items = app_client.get(f"/ogc/collections/{name}/items?limit=1000").get_json()
        assert items["numberMatched"] == app_items["numberMatched"] == len(items["features"])
        assert [f["id"] for f in items["features"]] == [f["id"] for f in app_items["features"]]
        assert all(expected in (None, f["properties"]["kind"]) for f in items["features"])
        for link in items["links"]:
            assert (items_path.parent / link["href"]).is_file(), link
        first = items["features"][0]["id"]
        item = json.loads((site / f"ogc/collections/{name}/items/{first}.json").read_text())
        assert item["id"] == first


def test_the_map_page_knows_where_it_is_published(site: Path):
    for page, pages in (("index.html", ""), ("ru/embed.html", ""), ("ru/index.html", "")):
        text = (site / page).read_text(encoding="utf-8")
        block = re.search(
            r'<script type="application/json" id="atlas-data">(.*?)</script>', text, re.S
        )
        data = json.loads(block.group(1))
        assert data["site"]["pages"] == pages and data["site"]["api"] is None
        folder = (site / page).parent
        for feature in data["features"]:
            assert (folder / feature["url"]).is_file(), feature["url"]


def test_the_static_site_says_what_needs_the_live_api(site: Path, live_site: Path):
    note = (site / "api.html").read_text(encoding="utf-8")
    assert 'id="static-api"' in note and "bbox" in note and "No live API is configured" in note
    assert "static-note" in (site / "features.html").read_text(encoding="utf-8")
    assert "<form" not in (site / "features.html").read_text(encoding="utf-8")
    assert "servers" not in json.loads((site / "api/openapi.json").read_text())
    russian = (site / "ru/api.html").read_text(encoding="utf-8")
    assert 'id="static-api"' in russian and "No live API" not in russian
    live = (live_site / "api.html").read_text(encoding="utf-8")
    assert f'<a href="{LIVE}">{LIVE}</a>' in live
    assert f'href="{LIVE}/api/features?q=Bekobod"' in live
    assert json.loads((live_site / "api/openapi.json").read_text())["servers"][0]["url"] == LIVE


def test_a_failed_publish_leaves_the_previous_site_and_no_temporary(
    tmp_path: Path, built_data_dir: Path
):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("the previous site")
    with pytest.raises(AtlasDataError):
        publish_site(target, data_dir=tmp_path / "no-such-build")
    occupied = tmp_path / "occupied"
    occupied.write_text("a file, not a site")
    with pytest.raises(PublishError, match="not a directory"):
        publish_site(occupied, data_dir=built_data_dir)
    assert occupied.read_text() == "a file, not a site"
    assert (target / "index.html").read_text() == "the previous site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied", "site"]


def test_a_complete_publish_by_two_workers_replaces_the_previous_site(
    tmp_path: Path, built_data_dir: Path, site: Path
):
    target = tmp_path / "site"
    target.mkdir()
    (target / "stale.html").write_text("from an older atlas")
    report = publish_site(target, data_dir=built_data_dir, workers=2)  # forked, as at scale
    assert sorted(_names(target)) == sorted(_names(site))
    for path in (site / "data").rglob("*"):
        if path.is_file():
            assert (target / path.relative_to(site)).read_bytes() == path.read_bytes()
    assert not (target / "stale.html").exists() and (target / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    files = _files(target)
    assert report.files == len(files) + 2  # and _headers, _server/nginx.conf
    assert report.pages == len(_pages(target))
    assert report.bytes >= sum(p.stat().st_size for p in files)
    assert 0 < report.compressed_bytes < report.bytes and report.seconds > 0
