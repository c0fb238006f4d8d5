"""The server configurations of a published site (``webapp.publish.servers``): nginx accepts
them (``nginx -t``), and nginx serving a small site by them answers each kind of file with the
app's security headers, its cache rules and the static names; the ``_headers`` rules of static
hosts never overlap and say the same.

The small site is written here (a page with an inline script, an embed page, a download, an OGC
document, a script, the private configuration), so these tests need no publish.
"""

from __future__ import annotations

import gzip
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.static_site import get, nginx_executable, nginx_main_config, serving_static
from webapp.publish import _replace, servers
from webapp.security import inline_script_hashes

PAGE = "<!doctype html><html><body><h1>Atlas</h1><script>window.atlas = 1;</script></body></html>"
EMBED = "<!doctype html><html><body><script>window.embedded = 2;</script></body></html>"
DATA = '<script type="application/json">{"not": "a script"}</script>'
POPUP = "<p>popup</p><script>never.runs();</script>"
GEOJSON = b'{"type":"FeatureCollection","features":[]}' * 40
FILES = {
    "index.html": PAGE,
    "embed.html": EMBED,
    "features.html": PAGE + DATA,
    "features/x.html": PAGE,
    "ru/index.html": PAGE.replace("atlas = 1", "atlas = 'ru'"),
    "ru/embed.html": EMBED,
    "static/map.js": "console.log(1);",
    "assets/map/popups/x.html": POPUP,
    "ru/assets/map/popups/x.html": POPUP,
    "assets/leaflet/leaflet.js": "L = {};",
    "ogc/index.json": '{"links": []}',
    "ogc/collections.json": '{"collections": []}',
    "_server/nginx.conf": "# private",
    "_headers": "# private",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small-site")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "data").mkdir()
    (root / "data/atlas.geojson").write_bytes(GEOJSON)
    (root / "data/atlas.geojson.gz").write_bytes(gzip.compress(GEOJSON, mtime=0))
    return root


@pytest.fixture(scope="module", params=["/", "/atlas/"], ids=["root", "atlas"])
def served(request: pytest.FixtureRequest, site: Path) -> Iterator[str]:
    with serving_static(site, request.param) as url:
        yield url


@pytest.mark.parametrize("prefix", ["/", "/atlas/"])
def test_nginx_accepts_the_configuration(site: Path, tmp_path: Path, prefix: str) -> None:
    block = servers.nginx_config(site, prefix=prefix, listen="127.0.0.1:1")
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_main_config(block, tmp_path), encoding="utf-8")
    command = [nginx_executable(), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*command, "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_policy_allows_the_pages_inline_scripts_only(site: Path) -> None:
    policy = servers.site_policy(site)
    for page in ("index.html", "embed.html", "ru/index.html"):
        (allowed,) = inline_script_hashes((site / page).read_text(encoding="utf-8"))
        assert allowed in policy, page
    assert inline_script_hashes(POPUP)[0] not in policy  # a popup fragment's scripts never run
    assert len(servers.site_script_hashes(site)) == 3
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split(";")[1]


def test_a_live_api_may_be_called(site: Path) -> None:
    policy = servers.site_policy(site, live_api="https://api.example.org/atlas/")
    assert "connect-src 'self' https://api.example.org;" in policy


@pytest.mark.parametrize("prefix", ["", "atlas/", "/atlas", "/at las/", "/a;b/", "/$uri/"])
def test_a_prefix_that_is_not_a_path_is_refused(site: Path, prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix must be a path"):
        servers.nginx_config(site, prefix=prefix)


def test_brotli_static_only_where_the_module_is(site: Path) -> None:
    block = servers.nginx_config(site)
    if servers.brotli_static_available():
        assert "\n    brotli_static on;" in block
    else:
        assert "# brotli_static on;" in block


def test_the_served_root_may_differ_from_the_site_read(site: Path) -> None:
    block = servers.nginx_config(site, root=Path("/srv/atlas"))
    assert 'alias "/srv/atlas/";' in block and str(site) not in block


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("", "index.html"),
        ("features", "features.html"),
        ("features/x", "features/x.html"),
        ("ru/", "ru/index.html"),
        ("ogc", "ogc/index.json"),
        ("ogc/collections", "ogc/collections.json"),
        ("static/map.js", "static/map.js"),
    ],
)
def test_an_address_is_served_from_its_static_name(
    served: str, site: Path, path: str, file: str
) -> None:
    status, _, body = get(served + path)
    assert (status, body) == (200, (site / file).read_bytes())


def test_headers_by_kind_of_file(served: str) -> None:
    _, page, _ = get(served)
    assert (
        page["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in page["content-security-policy"]
    )
    assert (
        page["cache-control"] == servers.PAGE_CACHE and "etag" in page and "last-modified" in page
    )
    assert page["x-content-type-options"] == "nosniff" and "access-control-allow-origin" not in page
    assert page["content-type"] == "text/html; charset=utf-8"
    for embed in ("embed", "embed.html", "ru/embed"):
        _, framed, _ = get(served + embed)
        assert "x-frame-options" not in framed, embed
        assert "frame-ancestors *" in framed["content-security-policy"], embed
    for long in ("static/map.js", "assets/leaflet/leaflet.js"):
        assert get(served + long)[1]["cache-control"] == servers.LONG_CACHE, long
    # The large map's feed and popups change with the data.
    assert get(served + "assets/map/popups/x.html")[1]["cache-control"] == servers.PAGE_CACHE
    _, data, _ = get(served + "data/atlas.geojson")
    assert data["content-type"] == "application/geo+json; charset=utf-8"
    assert (
        data["access-control-allow-origin"] == "*" and data["cache-control"] == servers.PAGE_CACHE
    )
    _, ogc, _ = get(served + "ogc/collections")
    assert ogc["content-type"] == "application/json; charset=utf-8"
    assert ogc["access-control-allow-origin"] == "*"


def test_precompressed_copies_and_ranges(served: str) -> None:
    status, headers, body = get(served + "data/atlas.geojson", {"Accept-Encoding": "gzip"})
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(body) == GEOJSON and "accept-encoding" in headers["vary"].lower()
    status, headers, body = get(served + "data/atlas.geojson", {"Range": "bytes=10-19"})
    assert (status, body, headers["content-range"]) == (
        206,
        GEOJSON[10:20],
        f"bytes 10-19/{len(GEOJSON)}",
    )


def test_the_configuration_and_unknown_paths_are_not_served(served: str) -> None:
    for path in ("_server/nginx.conf", "_headers", "nowhere", "features/"):
        status, headers, body = get(served + path)
        assert status == 404, path
        assert b"private" not in body and headers["x-frame-options"] == "DENY"


def test_the_site_lives_under_its_prefix_only(site: Path) -> None:
    with serving_static(site, "/atlas/") as url:
        root = url.removesuffix("atlas/")
        assert get(root + "index.html")[0] == 404
        status, headers, _ = get(root + "atlas")
        assert (status, headers["location"]) == (301, "/atlas/")
        assert get(url + "../index.html")[0] in (400, 404)  # nginx refuses to climb out


def test_static_host_rules_never_overlap_and_match_nginx(site: Path) -> None:
    text = servers.headers_file(site)
    rules: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if line.startswith("/"):
            current = rules.setdefault(line, {})
        elif line.startswith("  "):
            name, value = line.strip().split(": ", 1)
            current[name] = value
    published = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    for name in published:
        if name.startswith("_"):
            assert not any(_matches(rule, name) for rule in rules), name
            continue
        if name.endswith((".gz", ".br")):
            continue  # static hosts compress themselves; their folder's rule may cover them
        matching = [rule for rule in rules if _matches(rule, name)]
        assert len(matching) == 1, (name, matching)
    assert "X-Frame-Options" not in rules["/embed"] and "X-Frame-Options" not in rules["/ru/embed"]
    assert "frame-ancestors *" in rules["/ru/embed.html"]["Content-Security-Policy"]
    assert rules["/"]["X-Frame-Options"] == "DENY" and rules["/ru/"]["X-Frame-Options"] == "DENY"
    assert rules["/static/*"]["Cache-Control"] == servers.LONG_CACHE
    assert rules["/assets/leaflet/*"]["Cache-Control"] == servers.LONG_CACHE
    assert rules["/assets/map/*"]["Cache-Control"] == servers.PAGE_CACHE
    assert rules["/data/*"]["Access-Control-Allow-Origin"] == "*"
    assert rules["/features"]["Content-Security-Policy"] == servers.site_policy(site)


def _matches(rule: str, file: str) -> bool:
    """Whether a ``_headers`` rule (an exact path or ``/folder/*``) matches the file."""
    if rule.endswith("/*"):
        return ("/" + file).startswith(rule[:-1])
    return rule == "/" + file


def test_pages_named_like_open_data_are_pages(site: Path) -> None:
    """/data and /api are the HTML pages beside the data/ and api/ folders: no CORS there."""
    for name in ("data.html", "api.html"):
        (site / name).write_text(PAGE, encoding="utf-8")
    try:
        with serving_static(site, "/") as url:
            assert "access-control-allow-origin" not in get(url + "data")[1]
            assert "access-control-allow-origin" not in get(url + "api.html")[1]
            assert get(url + "ogc")[1]["access-control-allow-origin"] == "*"
        rules = servers.headers_file(site)
        assert "Access-Control" not in rules.split("\n/data\n")[1].split("\n/")[0]
    finally:
        for name in ("data.html", "api.html"):
            (site / name).unlink()


def test_a_policy_made_once_serves_both_configurations(site: Path) -> None:
    """Publish reads the pages once and hands the policy to both (a large atlas has 200,000)."""
    policy = servers.site_policy(site) + "; upgrade-insecure-requests"
    assert policy in servers.nginx_config(site, policy=policy)
    assert f"Content-Security-Policy: {policy}\n" in servers.headers_file(site, policy=policy)


def test_a_new_publish_is_served_within_the_file_cache_validity(tmp_path: Path) -> None:
    """nginx keeps files open and remembers missing ones (open_file_cache): a publish that
    replaces the site (webapp.publish._replace) must still be served, changed and new pages
    alike, once the cache's validity has passed."""
    site = tmp_path / "site"
    (site / "features").mkdir(parents=True)
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "features/x.html").write_text(PAGE, encoding="utf-8")
    with serving_static(site, "/") as url:
        assert get(url + "features/x")[2] == PAGE.encode()
        assert get(url + "features/new")[0] == 404
        fresh = tmp_path / "fresh"
        (fresh / "features").mkdir(parents=True)
        (fresh / "index.html").write_text(PAGE, encoding="utf-8")
        (fresh / "features/x.html").write_text(EMBED, encoding="utf-8")
        (fresh / "features/new.html").write_text(PAGE, encoding="utf-8")
        _replace(fresh, site)
        deadline = time.monotonic() + servers.FILE_CACHE_VALID + 3
        while get(url + "features/new")[0] == 404 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert get(url + "features/new")[2] == PAGE.encode()
        assert get(url + "features/x")[2] == EMBED.encode()
