"""The HTTP foundations every part relies on: ranges and validators from Werkzeug, the trusted
proxy and public URL settings, refused Host headers, trailing slashes, the table's text search,
and the limits the app is configured with."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from webapp import create_app
from webapp.state import Limits

DOWNLOADS = [
    f"/data/{k}.{x}" for k in ("atlas", "corridors", "sites") for x in ("geojson", "csv", "kml")
]


@pytest.fixture(scope="module")
def disk_client(built_data_dir: Path):
    """An app whose downloads stay on disk and are streamed (as a large atlas's are)."""
    limits = {"eager_download_bytes": 0}
    app = create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": limits})
    return app.test_client()


@pytest.fixture(params=["memory", "disk"])
def any_client(request, client, disk_client):
    return client if request.param == "memory" else disk_client


# --- Range --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*DOWNLOADS, "/data/features/bekabad-industrial-park.geojson"])
def test_every_download_advertises_ranges_and_answers_one_with_206(any_client, path):
    whole = any_client.get(path)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.data)
    part = any_client.get(path, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-99/{size}"
    assert part.headers["Content-Length"] == "90"
    assert part.data == whole.data[10:100]
    assert part.headers["ETag"] == whole.headers["ETag"]


@pytest.mark.parametrize("path", ["/data/atlas.geojson", "/data/sites.csv"])
def test_a_resumed_download_is_byte_identical(any_client, path):
    whole = any_client.get(path).data
    first = any_client.get(path, headers={"Range": "bytes=0-999"}).data
    rest = any_client.get(path, headers={"Range": "bytes=1000-"})
    assert rest.status_code == 206
    assert first + rest.data == whole
    tail = any_client.get(path, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.data == whole[-500:]


def test_a_range_of_the_gzip_variant_is_a_range_of_its_bytes(client):
    packed = client.get("/data/atlas.geojson", headers={"Accept-Encoding": "gzip"}).data
    part = client.get(
        "/data/atlas.geojson", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"}
    )
    assert part.status_code == 206 and part.headers["Content-Encoding"] == "gzip"
    assert part.data == packed[:10]
    assert gzip.decompress(packed)


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=5-2", "bytes=x-y", "pages=1-2"])
def test_an_unsatisfiable_or_malformed_range_is_416(any_client, header):
    size = len(any_client.get("/data/sites.geojson").data)
    response = any_client.get("/data/sites.geojson", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_several_ranges_get_the_whole_file(any_client):
    whole = any_client.get("/data/sites.geojson").data
    response = any_client.get("/data/sites.geojson", headers={"Range": "bytes=0-9,20-29"})
    assert response.status_code == 200 and response.data == whole


def test_validators_still_answer_304_and_a_stale_if_range_gets_the_whole_file(any_client):
    whole = any_client.get("/data/atlas.geojson")
    etag = whole.headers["ETag"]
    assert any_client.get("/data/atlas.geojson", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": whole.headers["Last-Modified"]}
    assert any_client.get("/data/atlas.geojson", headers=since).status_code == 304
    stale = any_client.get(
        "/data/atlas.geojson", headers={"Range": "bytes=0-9", "If-Range": '"stale"'}
    )
    assert stale.status_code == 200 and stale.data == whole.data
    fresh = any_client.get("/data/atlas.geojson", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206


def test_api_answers_take_ranges_too(client):
    whole = client.get("/api/features?kind=site")
    part = client.get("/api/features?kind=site", headers={"Range": "bytes=0-4"})
    assert part.status_code == 206 and part.data == whole.data[:5]


# --- proxies and the public URL -----------------------------------------------------------

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "atlas.example"}


def _links(client, headers=None):
    landing = client.get("/ogc", headers=headers or {}).json
    page = client.get("/api/features?limit=2", headers=headers or {}).json
    spec = client.get("/api/openapi.json", headers=headers or {}).json
    hrefs = [link["href"] for link in landing["links"] + page["links"]]
    return hrefs + [server["url"] for server in spec.get("servers", [])]


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(client):
    links = _links(client, FORWARDED)
    assert links and all(link.startswith("http://localhost") for link in links), links


def test_a_trusted_proxy_makes_every_absolute_link_https_on_the_forwarded_host(built_data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": built_data_dir, "PROXY_HEADERS": 1})
    links = _links(app.test_client(), FORWARDED)
    assert links and all(link.startswith("https://atlas.example/") for link in links), links


def test_a_public_url_is_used_and_the_host_header_never_reflected(built_data_dir):
    config = {"TESTING": True, "DATA_DIR": built_data_dir, "PUBLIC_URL": "https://maps.example/"}
    client = create_app(config).test_client()
    poisoned = _links(client, {"Host": "evil.example"})
    assert all(link.startswith("https://maps.example/") for link in poisoned), poisoned
    assert _links(client) == poisoned
    snippet = client.get("/features/bekabad-industrial-park", headers={"Host": "evil.example"})
    assert "evil.example" not in snippet.text and "https://maps.example/embed" in snippet.text


def test_proxy_headers_must_not_be_negative(built_data_dir):
    with pytest.raises(ValueError, match="PROXY_HEADERS"):
        create_app({"DATA_DIR": built_data_dir, "PROXY_HEADERS": -1})


# --- Host headers -------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil..example", ".example", "a" * 64 + ".example", "x." * 130])
@pytest.mark.parametrize("path", ["/", "/features", "/ogc", "/api/features", "/nope"])
def test_a_host_with_an_empty_or_long_label_is_a_400_with_security_headers(client, host, path):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    assert host not in response.text or "&" not in host


# --- trailing slashes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/features",
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/sites",
        "/ogc/collections/sites/items",
        "/ogc/collections/sites/items/bekabad-industrial-park",
        "/ogc/collections/sites/queryables",
    ],
)
def test_every_api_path_answers_the_same_with_a_trailing_slash(client, path):
    plain, slashed = client.get(path), client.get(path + "/")
    assert plain.status_code == slashed.status_code == 200
    assert plain.mimetype == slashed.mimetype
    if plain.is_json and "timeStamp" not in plain.json:
        assert slashed.json.get("links", []) == [] or slashed.json.keys() == plain.json.keys()


def test_queryables_describe_the_filters_of_a_collection(client):
    document = client.get("/ogc/collections/sites/queryables").json
    assert document["type"] == "object"
    assert set(document["properties"]) == {"category", "country", "status"}
    assert "technopark" in document["properties"]["category"]["enum"]
    assert "rail" not in document["properties"]["category"]["enum"]
    rels = [link["rel"] for link in client.get("/ogc/collections/sites").json["links"]]
    assert "http://www.opengis.net/def/rel/ogc/1.0/queryables" in rels


# --- the table's text search --------------------------------------------------------------


def test_the_table_filters_by_the_same_text_search_as_the_api(client):
    for text in ("Bekabad", "Bekobod", "Tashkent", "navoi"):
        api = {f["id"] for f in client.get(f"/api/features?q={text}").json["features"]}
        page = client.get(f"/features?q={text}").text
        assert api, text
        assert f"{len(api)} of 22 features" in page, text
        for feature_id in api:
            assert f'href="/features/{feature_id}"' in page
    assert 'value="Bekabad"' in client.get("/features?q=Bekabad").text


def test_an_empty_search_box_is_no_filter_and_a_long_one_a_400(client):
    assert "22 of 22 features" in client.get("/features?q=").text
    assert client.get("/features?q=" + "x" * 201).status_code == 400


# --- limits -------------------------------------------------------------------------------


def test_an_unknown_limit_is_refused_by_name(built_data_dir):
    with pytest.raises(ValueError, match="table_page"):
        create_app({"DATA_DIR": built_data_dir, "LIMITS": {"table_page": 5}})
    assert Limits.from_config(None) == Limits()


@pytest.mark.parametrize(
    "path", ["/features//bekabad-industrial-park", "/features/%2F0", "/api//x"]
)
def test_a_doubled_slash_is_a_404_not_a_redirect_built_from_the_host(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 404 and "Location" not in response.headers
