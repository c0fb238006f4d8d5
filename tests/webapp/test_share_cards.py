"""Share cards: every page a link may be pasted from (the map, each feature page, each source
page, in both languages) carries og: and twitter: tags with absolute addresses, and their
images are served as downloads with validators."""

from __future__ import annotations

import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from geodata.outputs import DATA_FILES
from webapp import create_app
from webapp.share import DESCRIPTION_CHARS, shorten

REQUIRED = (
    "og:site_name",
    "og:type",
    "og:title",
    "og:description",
    "og:url",
    "og:locale",
    "og:locale:alternate",
    "og:image",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
    "twitter:card",
    "twitter:title",
    "twitter:description",
    "twitter:image",
    "twitter:image:alt",
)
LOCALES = {"en": ("en_GB", "ru_RU"), "ru": ("ru_RU", "en_GB")}


class Head(HTMLParser):
    """A page's og:/twitter: meta tags (values unescaped, as a crawler reads them), its title."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name") or ""
        if tag == "meta" and key.startswith(("og:", "twitter:")):
            self.meta.setdefault(key, []).append(found.get("content") or "")
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def one(self, key: str) -> str:
        (value,) = self.meta[key]
        return value


@pytest.fixture(scope="module")
def feature_id(features) -> str:
    return next(f["id"] for f in features if len(f["properties"]["description"]) > 200)


@pytest.fixture(scope="module")
def slug(built_data_dir: Path) -> str:
    return json.loads((built_data_dir / "sources.json").read_bytes())["seeds"][0]["slug"]


def _pages(feature_id: str, slug: str) -> list[tuple[str, str]]:
    paths = ["/", "/embed", f"/features/{feature_id}", f"/sources/{slug}"]
    return [(f"{p}?lang={lang}", lang) for p in paths for lang in ("en", "ru")]


def head_of(client, path: str, **headers: str) -> Head:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return Head(response.text)


def test_every_page_carries_the_whole_card_with_absolute_addresses(client, feature_id, slug):
    for path, lang in _pages(feature_id, slug):
        head = head_of(client, path)
        missing = [key for key in REQUIRED if key not in head.meta]
        assert missing == [], path
        for key in ("og:url", "og:image", "twitter:image"):
            assert head.one(key).startswith("http://localhost/"), (path, key)
        assert head.one("og:image:width") == "1200" and head.one("og:image:height") == "630"
        assert head.one("twitter:card") == "summary_large_image"
        assert head.one("og:site_name") == "Corridor Atlas"
        assert (head.one("og:locale"), head.one("og:locale:alternate")) == LOCALES[lang]
        assert head.one("og:url").endswith(f"?lang={lang}")
        assert head.one("og:image:alt") == head.one("twitter:image:alt") != ""
        assert head.one("og:title") == head.one("twitter:title")
        assert head.one("og:description") == head.one("twitter:description") != ""


def test_the_map_card_is_the_atlas_and_embed_shares_the_map_address(client):
    for path in ("/", "/embed"):
        head = head_of(client, path)
        assert head.one("og:url") == "http://localhost/?lang=en"
        assert head.one("og:image") == "http://localhost/previews/atlas.png"
        assert head.one("og:title") == "Corridor Atlas"


def test_a_feature_card_shows_the_feature(client, features, feature_id):
    feature = next(f for f in features if f["id"] == feature_id)
    head = head_of(client, f"/features/{feature_id}")
    assert head.one("og:title") == head.title.rsplit(" · ", 1)[0].strip()
    assert head.one("og:image") == f"http://localhost/previews/features/{feature_id}.png"
    assert head.one("og:url") == f"http://localhost/features/{feature_id}?lang=en"
    assert feature["properties"]["name"] in head.one("og:image:alt")
    description = head.one("og:description")
    assert description == shorten(feature["properties"]["description"])
    assert len(description) <= DESCRIPTION_CHARS and description.endswith("…")
    kept = description.removesuffix("…")
    assert " ".join(feature["properties"]["description"].split()).startswith(kept + " ")


def test_a_source_card_shows_the_article(client, built_data_dir, slug):
    seeds = json.loads((built_data_dir / "sources.json").read_bytes())["seeds"]
    head = head_of(client, f"/sources/{slug}")
    assert head.one("og:title") == head.title.rsplit(" · ", 1)[0].strip()
    assert head.one("og:title") in head.one("og:description")
    assert head.one("og:image") == "http://localhost/previews/atlas.png"
    assert slug in {seed["slug"] for seed in seeds}


def test_russian_cards_say_it_in_russian(client, feature_id, slug):
    for path in ("/?lang=ru", f"/features/{feature_id}?lang=ru", f"/sources/{slug}?lang=ru"):
        head = head_of(client, path)
        for key in ("og:image:alt", "og:description"):
            if key == "og:description" and path.startswith("/features"):
                continue  # the feature's description is English data
            assert any("а" <= ch.lower() <= "я" for ch in head.one(key)), (path, key)


@pytest.mark.parametrize("path", ["/", "/features/{feature_id}", "/sources/{slug}"])
def test_addresses_follow_the_host_the_proxy_and_the_configured_public_url(
    built_data_dir, feature_id, slug, path
):
    path = path.format(feature_id=feature_id, slug=slug)
    plain = create_app({"TESTING": True, "DATA_DIR": built_data_dir}).test_client()
    head = head_of(plain, path, Host="atlas.example:8080")
    assert head.one("og:image").startswith("http://atlas.example:8080/previews/")
    proxied = create_app({"TESTING": True, "DATA_DIR": built_data_dir, "PROXY_HEADERS": 1})
    head = head_of(
        proxied.test_client(),
        path,
        **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "p.example"},
    )
    assert head.one("og:url").startswith("https://p.example/")
    public = {
        "TESTING": True,
        "DATA_DIR": built_data_dir,
        "PUBLIC_URL": "https://atlas.example.org",
    }
    head = head_of(create_app(public).test_client(), path, Host="evil.example")
    for key in ("og:url", "og:image", "twitter:image"):
        assert head.one(key).startswith("https://atlas.example.org/"), key


def test_a_hostile_host_header_is_refused_not_reflected(client):
    response = client.get("/", headers={"Host": 'x"><script>alert(1)</script>'})
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.text


def test_the_images_are_served_as_downloads(client, feature_id, slug):
    images = {head_of(client, path).one("og:image") for path, _ in _pages(feature_id, slug)}
    assert len(images) == 2
    for url in images:
        path = url.removeprefix("http://localhost")
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Last-Modified" in response.headers
        image = Image.open(io.BytesIO(response.data))
        assert (image.format, image.size) == ("PNG", (1200, 630))
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        part = client.get(path, headers={"Range": "bytes=0-7"})
        assert part.status_code == 206 and part.data == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "path",
    [
        "/previews/features/no-such-feature.png",
        "/previews/features/%3Cscript%3E.png",
        "/previews/features/..%2Fatlas.png",
        "/previews/features/bekabad-industrial-park.jpg",
        "/previews/other.png",
    ],
)
def test_unknown_images_are_404_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.text


def test_a_data_directory_without_images_has_cards_without_an_image(built_data_dir, tmp_path):
    for name in DATA_FILES:
        shutil.copy(built_data_dir / name, tmp_path / name)
    client = create_app({"TESTING": True, "DATA_DIR": tmp_path}).test_client()
    head = head_of(client, "/")
    assert head.one("twitter:card") == "summary"
    assert "og:image" not in head.meta and "og:title" in head.meta
    assert client.get("/previews/atlas.png").status_code == 404
