"""/ogc for people: each resource answers a browser with HTML and every other client with JSON
(the OGC API – Features "HTML" conformance class), over the real build and the real app,
replay cache included.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp import create_app

#: What Chromium sends for a page.
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
HTML = "text/html"
SITE = "bekabad-industrial-park"
CORRIDOR = "north-south-international-transport-corridor"
#: Every negotiated resource and the media type of its JSON.
RESOURCES = {
    "/ogc": "application/json",
    "/ogc/conformance": "application/json",
    "/ogc/collections": "application/json",
    "/ogc/collections/sites": "application/json",
    "/ogc/collections/sites/queryables": "application/schema+json",
    "/ogc/collections/sites/items": "application/geo+json",
    f"/ogc/collections/sites/items/{SITE}": "application/geo+json",
}


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def url_with(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(
    ("accept", "query", "wants_html"),
    [
        (None, "", False),
        ("*/*", "", False),
        ("application/json", "", False),
        ("application/geo+json", "", False),
        ("application/geo+json, application/json;q=0.9", "", False),
        ("text/html, application/json", "", False),  # a tie goes to JSON
        ("application/xml", "", False),  # nothing offered matches: the default
        (BROWSER, "", True),
        ("text/html", "", True),
        ("text/*;q=0.9, application/json;q=0.5", "", True),
        (BROWSER, "f=json", False),
        ("application/json", "f=html", True),
        (None, "f=html", True),
    ],
)
def test_negotiation_matrix(client, path, accept, query, wants_html):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(url_with(path, query), headers=headers)
    assert response.status_code == 200, response.text
    assert response.mimetype == (HTML if wants_html else RESOURCES[path])
    # A page is in the reader's language (Accept-Language, or the cookie ?lang= sets); the
    # JSON is the same for every reader.
    languages = ", Accept-Language, Cookie" if wants_html else ""
    assert response.headers["Vary"] == "Accept, Accept-Encoding" + languages
    assert response.headers["ETag"]
    if wants_html:
        assert response.text.startswith("<!DOCTYPE html>")
        assert "Content-Security-Policy" in response.headers
    else:
        response.json  # noqa: B018 (parses, or fails the test)


@pytest.mark.parametrize(
    "path", ["/ogc/collections/sites/items", f"/ogc/collections/atlas/items/{SITE}"]
)
def test_features_also_take_f_geojson(client, path):
    response = client.get(f"{path}?f=geojson", headers={"Accept": BROWSER})
    assert response.mimetype == "application/geo+json"


def test_json_and_html_link_to_each_other(client):
    for path, media_type in RESOURCES.items():
        answer = client.get(path)
        html_url = re.fullmatch(
            r'<([^>]+)>; rel="alternate"; type="text/html"', answer.headers["Link"]
        )
        assert html_url is not None, path
        assert parse_qs(urlsplit(html_url[1]).query)["f"] == ["html"]
        if "links" in answer.json:
            alternate = [link for link in answer.json["links"] if link["rel"] == "alternate"]
            assert [link["href"] for link in alternate] == [html_url[1]], path
        page = client.get(html_url[1])
        assert page.mimetype == HTML
        back = re.search(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page.text)
        assert back is not None, path
        assert back[1] == media_type
        assert client.get(back[2].replace("&amp;", "&")).mimetype == media_type


def test_the_replay_cache_never_mixes_representations(app):
    """The middleware keeps each answer under its Accept: JSON is never replayed to a browser
    nor HTML to a client, whichever came first, and both are replayed to their own kind."""
    client = app.test_client()
    app.wsgi_app.clear()
    path = "/ogc/collections/sites/items?limit=3"
    sequence = [BROWSER, None, BROWSER, "application/json", None, BROWSER, "*/*"]
    for accept in sequence * 2:
        headers = {"Accept": accept} if accept else {}
        response = client.get(path, headers=headers)
        expected = HTML if accept == BROWSER else "application/geo+json"
        assert response.mimetype == expected, accept
        if expected == HTML:
            assert "Items of Sites" in response.text
        else:
            assert response.json["numberReturned"] == 3
    assert app.wsgi_app.hits >= len(sequence) * 2 - 4  # four distinct Accept headers


def test_a_validator_of_one_representation_does_not_answer_the_other(client):
    json_etag = client.get("/ogc/collections").headers["ETag"]
    page = client.get("/ogc/collections", headers={"Accept": BROWSER, "If-None-Match": json_etag})
    assert page.status_code == 200 and page.mimetype == HTML
    again = client.get(
        "/ogc/collections", headers={"Accept": BROWSER, "If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304


def test_compressed_html_carries_its_own_etag(client):
    plain = client.get("/ogc/collections?f=html")
    packed = client.get("/ogc/collections?f=html", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert packed.headers["Vary"] == "Accept, Accept-Encoding, Accept-Language, Cookie"


@pytest.mark.parametrize(
    "query",
    [
        "f=xml",
        "f=HTML",
        "f=",
        "f=html&f=json",
        "f=%3Cscript%3Ealert(1)%3C/script%3E",
        "f=text/html",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/ogc",
        "/ogc/collections/sites",
        "/ogc/collections/sites/items",
        f"/ogc/collections/sites/items/{SITE}",
    ],
)
@pytest.mark.parametrize("accept", [None, BROWSER])
def test_hostile_f_is_a_400_naming_what_works(client, path, query, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"{path}?{query}", headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["parameter"] == "f"
    assert "html" in response.json["detail"] and "json" in response.json["detail"]
    assert "html" in response.json["allowed"]


def test_the_api_definition_sends_a_browser_to_the_api_page(client):
    page = client.get("/ogc/api", headers={"Accept": BROWSER})
    assert page.status_code == 303
    assert page.headers["Location"] == "http://localhost/api"
    assert page.headers["Vary"].startswith("Accept, Accept-Encoding")
    assert client.get("/ogc/api?f=html").status_code == 303
    document = client.get("/ogc/api")
    assert document.mimetype == "application/vnd.oai.openapi+json"
    assert client.get("/api/openapi.json?f=html").status_code == 400  # plain JSON, always


def test_conformance_declares_html(client):
    classes = client.get("/ogc/conformance").json["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html" in classes
    page = client.get("/ogc/conformance?f=html").text
    assert all(f'href="{uri}"' in page for uri in classes)


def _hrefs(page: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<a [^>]*href="([^"]+)"', page)]


def test_landing_page_lists_every_link_and_collection(client):
    document = client.get("/ogc").json
    page = client.get("/ogc?f=html").text
    hrefs = _hrefs(page)
    for link in document["links"]:
        if link["rel"] not in ("self", "alternate"):
            assert link["href"] in hrefs, link
    for collection in ("atlas", "corridors", "sites"):
        assert f"/ogc/collections/{collection}" in hrefs
    assert "<h1>Corridor Atlas: OGC API – Features</h1>" in page


def test_collections_show_extents_and_maps(client):
    document = client.get("/ogc/collections").json
    page = client.get("/ogc/collections?f=html").text
    assert page.count('<svg viewBox="0 0 320 200"') == len(document["collections"]) == 3
    for collection in document["collections"]:
        west, south, east, north = collection["extent"]["spatial"]["bbox"][0]
        assert f"west {west}, south {south}, east {east}, north {north}" in page
        assert f'href="/ogc/collections/{collection["id"]}/items"' in page
        assert f'href="/ogc/collections/{collection["id"]}/queryables"' in page
    assert page.count('class="extent"') == 3
    assert 'role="img" aria-label="Map of the extent from' in page
    assert "Temporal extent" in page


def test_one_collection_page(client):
    page = client.get("/ogc/collections/corridors", headers={"Accept": BROWSER}).text
    assert "<h1>Corridors</h1>" in page
    assert '<path class="land" d="M' in page
    assert 'href="/ogc/collections/corridors/items"' in page


def test_queryables_as_a_table(client):
    schema = client.get("/ogc/collections/sites/queryables").json
    page = client.get("/ogc/collections/sites/queryables?f=html").text
    rows = re.findall(r'<th scope="row"><code>([^<]+)</code></th>', page)
    assert rows == list(schema["properties"])
    for category in schema["properties"]["category"]["enum"]:
        assert category in page
    assert "^[A-Z]{2}$" in page


def test_items_page_lists_features_with_paging_and_the_query_kept(client):
    url = "/ogc/collections/sites/items?limit=4&offset=4&country=UZ"
    document = client.get(url).json
    page = client.get(url, headers={"Accept": BROWSER}).text
    for feature in document["features"]:
        assert f'href="/ogc/collections/sites/items/{feature["id"]}"' in page
        assert f'href="/features/{feature["id"]}"' in page
    hrefs = _hrefs(page)
    paging = {
        rel: next(h for h in hrefs if f"offset={offset}" in h and "f=html" in h)
        for rel, offset in (("prev", 0), ("next", 8))
        if any(link["rel"] == rel for link in document["links"])
    }
    assert "prev" in paging
    for href in paging.values():
        query = parse_qs(urlsplit(href).query)
        assert query["country"] == ["UZ"] and query["limit"] == ["4"]
        assert client.get(href).mimetype == HTML
    assert f"Features 5 to {4 + document['numberReturned']} of {document['numberMatched']}" in page
    assert page.count('class="point"') == document["numberReturned"]


def test_items_page_escapes_what_it_repeats(client):
    page = client.get("/ogc/collections/sites/items?f=html&q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text


def test_item_page_shows_every_property_and_links_to_the_atlas(client):
    feature = client.get(f"/ogc/collections/corridors/items/{CORRIDOR}").json
    page = client.get(f"/ogc/collections/corridors/items/{CORRIDOR}?f=html").text
    assert f'href="/features/{CORRIDOR}"' in page
    assert f"<h1>{feature['properties']['name']}</h1>" in page
    for name in feature["properties"]:
        assert f"<dt>{name}</dt>" in page, name
    assert '<path class="lines" d="M' in page
    assert feature["geometry"]["type"] in page
    for link in feature["links"]:
        if link["rel"] == "collection":
            assert link["href"] in _hrefs(page)


def test_unknown_resources_stay_problem_json_for_a_browser(client):
    for path in ("/ogc/collections/roads", f"/ogc/collections/corridors/items/{SITE}"):
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
