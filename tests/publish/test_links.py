"""Every app URL's static file and the relative link to it (``webapp.publish.links``)."""

from __future__ import annotations

import json

import pytest

from webapp.publish.links import published, relative
from webapp.publish.rewrite import html_document, json_document

PUBLISHED = [
    # (app URL, language of the linking document, published file or None)
    ("/", "en", "index.html"),
    ("/", "ru", "ru/index.html"),
    ("/?lang=en", "ru", "index.html"),
    ("/embed?focus=bekabad&lang=ru", "en", "ru/embed.html?focus=bekabad"),
    ("/embed?only=a,b", "en", "embed.html?only=a,b"),
    ("/#open=bekabad", "en", "index.html#open=bekabad"),
    ("/features", "en", "features.html"),
    ("/features?page=1", "en", "features.html"),
    ("/features?page=3&sort=name&order=asc", "ru", "ru/features/page/3.html"),
    ("/features?sort=kind&order=asc", "en", None),
    ("/features?kind=site", "en", None),
    ("/features?page=0", "en", None),
    ("/features/bekabad", "en", "features/bekabad.html"),
    ("/features/page", "en", "features/page.html"),
    ("/sources/a#q-1", "ru", "ru/sources/a.html#q-1"),
    ("/about", "en", "about.html"),
    ("/api", "ru", "ru/api.html"),
    ("/data/atlas.geojson", "ru", "data/atlas.geojson"),
    ("/data/features/x.geojson", "en", "data/features/x.geojson"),
    ("/data/selection.csv?kind=site", "en", None),
    ("/data/selection.gpkg", "ru", "data/atlas.gpkg"),
    ("/data/selection.kml", "en", None),
    ("/static/site.css", "ru", "static/site.css"),
    ("/static/", "en", "static/"),
    ("/assets/leaflet/images/layers.png", "en", "assets/leaflet/images/layers.png"),
    ("/assets/map/features.json", "ru", "assets/map/features.json"),
    ("/assets/map/popups/x.html", "ru", "ru/assets/map/popups/x.html"),
    ("/previews/features/x.png", "en", "previews/features/x.png"),
    ("/api/openapi.json", "en", "api/openapi.json"),
    ("/api/features?q=Bekobod", "en", None),
    ("/api/places", "en", None),
    ("/ogc", "en", "ogc/index.json"),
    ("/ogc/", "en", "ogc/index.json"),
    ("/ogc?f=html", "en", None),
    ("/ogc/conformance", "ru", "ogc/conformance.json"),
    ("/ogc/collections/sites", "en", "ogc/collections/sites.json"),
    ("/ogc/collections/sites/items", "en", "ogc/collections/sites/items.json"),
    ("/ogc/collections/sites/items?limit=1000&offset=2000", "en",
     "ogc/collections/sites/items/page/3.json"),
    ("/ogc/collections/sites/items?limit=10", "en", None),
    ("/ogc/collections/sites/items?bbox=1,2,3,4", "en", None),
    ("/ogc/collections/sites/items/x", "en", "ogc/collections/sites/items/x.json"),
    ("http://localhost/ogc/collections", "en", "ogc/collections.json"),
    ("https://example.org/x", "en", None),
    ("//example.org/x", "en", None),
    ("/nothing-here", "en", None),
]  # fmt: skip


@pytest.mark.parametrize(("url", "language", "expected"), PUBLISHED)
def test_each_app_url_has_its_file_or_none(url: str, language: str, expected: str | None):
    assert published(url, language) == expected


RELATIVE = [
    # (app URL, linking document, language, link)
    ("/static/site.css", "index.html", "en", "static/site.css"),
    ("/static/site.css", "ru/features/x.html", "ru", "../../static/site.css"),
    ("/features/y", "ru/features/x.html", "ru", "y.html"),
    ("/", "features/page/2.html", "en", "../../index.html"),
    ("/assets/map/popups/", "ru/index.html", "ru", "assets/map/popups/"),
    ("/features?page=2", "features.html", "en", "features/page/2.html"),
    ("/sources/a#q-1", "features/x.html", "en", "../sources/a.html#q-1"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "document", "language", "expected"), RELATIVE)
def test_links_are_relative_to_their_document(url, document, language, expected):
    assert relative(url, document, language) == expected


def test_what_only_the_app_answers_goes_to_the_live_api_or_nowhere():
    query = "/api/features?q=Bekobod"
    assert relative(query, "api.html", "en") is None
    live = "https://live.example/atlas"
    assert relative(query, "api.html", "en", live) == f"{live}{query}"
    selection = "/data/selection.csv?kind=site"
    assert relative(selection, "features.html", "en", live) == f"{live}{selection}"
    # a page the static site lacks is not sent to the API
    assert relative("/features?kind=site", "features.html", "en", live) is None


def _mapper(document: str, language: str = "en"):
    return lambda url: relative(url, document, language)


def test_a_page_s_attributes_data_and_scripts_are_rewritten():
    page = (
        '<link rel="stylesheet" href="/static/site.css">'
        '<a href="/features?sort=kind&amp;order=asc">Kind</a>'
        '<a href="/sources/a#q-1">quote</a> <a href="https://example.org/">out</a>'
        '<script src="/static/map.bundle.js"></script>'
        '<script type="application/json" id="atlas-data">'
        '{"url": "/features/x", "popup": "<a href=\\"/about\\">About</a>", "sep": "/"}</script>'
        '<script>L.x("/basemap/natural-earth.geojson"); p.split("/");'
        ' h = "<a href=\\"/\\">"</script>'
        '<form action="/features" method="get"><input name="q"></form>'
    )
    out = html_document(page, _mapper("ru/features/y.html", "ru"), "<p>note</p>")
    assert 'href="../../static/site.css"' in out
    assert "<a>Kind</a>" in out  # a sorted table is not published: the text stays, unlinked
    assert 'href="../sources/a.html#q-1"' in out and 'href="https://example.org/"' in out
    assert 'src="../../static/map.bundle.js"' in out
    data = json.loads(out.split('id="atlas-data">')[1].split("</script>")[0])
    assert data == {"url": "x.html", "popup": '<a href="../about.html">About</a>', "sep": "/"}
    assert 'L.x("../../basemap/natural-earth.geojson"); p.split("/")' in out
    assert "<form" not in out and "<p>note</p>" in out


def test_json_documents_lose_links_to_what_is_not_published():
    body = json.dumps(
        {
            "links": [
                {"href": "http://localhost/ogc/collections", "rel": "data"},
                {"href": "http://localhost/ogc?f=html", "rel": "alternate"},
                {"href": "https://example.org/spec", "rel": "describedby"},
            ]
        }
    ).encode()
    links = json.loads(json_document(body, _mapper("ogc/index.json")))["links"]
    assert [link["href"] for link in links] == ["collections.json", "https://example.org/spec"]
