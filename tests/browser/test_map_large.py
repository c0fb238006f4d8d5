"""The map of a large atlas (issue 6): a small page, features fetched by URL, sites clustered.

The page switches to this form above the ``map_inline_features`` limit; the tests lower the
limit so the seed atlas (22 features) takes it, which lets them check every feature. The
browser half drives the real page in Chromium: clusters, popups fetched on demand, search,
filters, permalinks and the embed options. The 100,000-feature figures are bench/RESULTS.md's.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.harness import running
from tests.support.pages import (
    DESKTOP,
    FAR_EAST,
    MOVE,
    MOVES,
    expect_popup,
    map_data,
    projections_of_a_zoom,
)
from tests.support.samples import feature, write_data_dir
from webapp import create_app
from webapp.map.clusters import FIRST_ZOOMS
from webapp.map.fragments import popup_html
from webapp.map.pagedata import FEED_BANDS, first_view
from webapp.server import make_server
from webapp.style import site_colour

FEED = "/assets/map/features.json"
#: The page must stay this small however many features the atlas holds.
MAX_PAGE_BYTES = 60 * 1024


#: The limit the large atlas's page takes over from, lowered under the seed atlas's 22.
LARGE = {"map_inline_features": 5}


@pytest.fixture(scope="module")
def large_app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir, "LIMITS": LARGE})


@pytest.fixture(scope="module")
def large_client(large_app):
    return large_app.test_client()


@pytest.fixture(scope="module")
def atlas_features(built_data_dir: Path) -> dict[str, dict]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return {f["id"]: f for f in collection["features"]}


# --- the page and what it fetches, without a browser -------------------------------------------


def test_the_page_holds_no_feature_but_names_the_feed(large_app, large_client, atlas_features):
    page = large_client.get("/").text
    data = map_data(page)
    assert data["features"] == []
    store = large_app.extensions["corridor_atlas"].atlas.store
    assert data["large"] == {
        "features": FEED,
        "popups": "/assets/map/popups/",
        "total": len(atlas_features),
        "first": json.loads(first_view(store)),  # the build's, as computed here
    }
    assert "atlas-id-" not in page  # no layer per feature
    assert "/static/map-large.bundle.js" in page  # supercluster and map-large.js, joined
    scripts = large_client.get("/static/map-large.bundle.js").text
    assert "Supercluster" in scripts
    assert "BandedLine" in scripts
    kinds = {f["properties"]["kind"] for f in atlas_features.values()}
    assert {o["kind"] for o in data["overlays"]} == kinds
    categories = {
        (f["properties"]["kind"], f["properties"]["category"]) for f in atlas_features.values()
    }
    assert {(o["kind"], o["category"]) for o in data["overlays"]} == categories


def test_the_feed_holds_every_feature_in_columns(large_client, atlas_features):
    response = large_client.get(FEED)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    feed = response.json
    sites, corridors = feed["sites"], feed["corridors"]
    assert set(sites["id"]) | set(corridors["id"]) == set(atlas_features)
    for i, site_id in enumerate(sites["id"]):
        f = atlas_features[site_id]
        lon, lat = f["geometry"]["coordinates"]
        assert (sites["lon"][i], sites["lat"][i]) == (round(lon, 5), round(lat, 5))
        assert sites["name"][i] == f["properties"]["name"]
        assert feed["categories"][sites["category"][i]] == f["properties"]["category"]
        assert feed["countrySets"][sites["countries"][i]] == sorted(f["properties"]["countries"])
    for i, corridor_id in enumerate(corridors["id"]):
        first = atlas_features[corridor_id]["geometry"]["coordinates"]
        first = (
            first[0]
            if atlas_features[corridor_id]["geometry"]["type"] == "LineString"
            else first[0][0]
        )
        assert corridors["lines"][i][0][0] == [round(first[1], 5), round(first[0], 5)]  # lat, lon


def _points(lines: list) -> int:
    """Vertices (or vertex indices) of every part of every corridor."""
    return sum(len(part) for line in lines for part in line)


def test_the_feed_carries_coarser_lines_for_low_zooms(large_client):
    corridors = large_client.get(FEED).json["corridors"]
    bands = corridors["bands"]
    assert [band["maxZoom"] for band in bands] == list(FEED_BANDS)
    finer = corridors["lines"]
    for band in reversed(bands):  # each band keeps no more vertices than the next, ends kept
        assert len(band["vertices"]) == len(finer)
        for kept, line in zip(band["vertices"], corridors["lines"], strict=True):
            assert len(kept) == len(line)
            for indices, part in zip(kept, line, strict=True):
                assert indices == sorted(set(indices))
                assert indices[0] == 0 and indices[-1] == len(part) - 1
        assert _points(band["vertices"]) <= _points(finer)
        finer = band["vertices"]
    assert _points(bands[0]["vertices"]) * 2 < _points(corridors["lines"])


def test_the_feed_is_compressed_and_revalidated(large_client):
    zipped = large_client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    again = large_client.get(FEED, headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_popups_are_served_one_by_one(large_client, large_app):
    atlas = large_app.extensions["corridor_atlas"].atlas
    for f in atlas.features[:5]:
        response = large_client.get(f"/assets/map/popups/{f.properties.id}.html")
        assert response.status_code == 200
        assert response.text == str(popup_html(f))  # the same popup as the inline map's
        assert html.escape(f.properties.name, quote=False) in response.text
        assert f'href="/features/{f.properties.id}"' in response.text
    assert large_client.get("/assets/map/popups/no-such-feature.html").status_code == 404


def test_a_large_atlas_page_stays_small(tmp_path: Path):
    many = [
        feature(
            "site",
            id=f"site-{n:05d}",
            name=f"Site number {n}",
            category=["industrial park", "technopark", "logistics centre"][n % 3],
            countries=[["UZ"], ["KZ"], ["TJ"]][n % 3],
        )
        for n in range(3000)
    ]
    for n, site in enumerate(many):
        site["geometry"] = {"type": "Point", "coordinates": [60 + n % 60 * 0.4, 35 + n // 60 * 0.3]}
    app = create_app({"TESTING": True, "DATA_DIR": write_data_dir(tmp_path, many)})
    page = app.test_client().get("/").data
    assert len(page) <= MAX_PAGE_BYTES
    assert len(app.test_client().get(FEED).json["sites"]["id"]) == 3000


# --- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_server(built_data_dir: Path) -> Iterator[str]:
    with running(make_server(built_data_dir, port=0, limits=LARGE)) as url:
        yield url


@pytest.fixture
def open_large(browser: Browser, large_server: str) -> Iterator:
    contexts, errors = [], []

    def open_(
        path: str,
        init_script: str | None = None,
        refused: str | None = None,
        held: list | None = None,
    ) -> Page:
        """``path`` opened, its sites clustered; ``init_script`` runs before the page's,
        requests whose URL ends with ``refused`` get a 404, and with ``held`` the feed's
        request waits there unanswered and the page is handed back once it asked for it."""
        context = browser.new_context(viewport=DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if init_script:
            page.add_init_script(init_script)

        def route(request_route) -> None:
            url = request_route.request.url
            if refused and url.endswith(refused):
                request_route.fulfill(status=404, body="")
            elif held is not None and url.endswith(FEED):
                held.append(request_route)
            elif url.startswith(large_server):
                request_route.continue_()
            else:
                request_route.abort("internetdisconnected")

        page.route("**/*", route)
        if held is not None:
            page.goto(large_server + path, wait_until="domcontentloaded")
            page.wait_for_selector(".atlas-notice")  # the feed asked for (map-large.js)
            return page
        page.goto(large_server + path, wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        page.wait_for_function("() => CorridorAtlas.app.large.loaded")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def test_the_feed_is_fetched_once_while_the_scripts_load(browser: Browser, large_server: str):
    """The page preloads the feed, and the scripts' fetch takes that response, not a second."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(FEED) else None)
        page.goto(large_server + "/", wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        page.wait_for_function(f"() => {DRAWN_SITES} > 0")
        assert page.locator(f'link[rel="preload"][href="{FEED}"]').count() == 1
        assert fetched == [large_server + FEED]
    finally:
        context.close()


#: The build's clusters of each first zoom beside the index's, as [lon, lat, count, id]
#: (a site's id: its number) sorted, and the feed's category and stage of each site listed.
FIRST_AND_INDEXED = """(zooms) => {
    const large = CorridorAtlas.app.large;
    const data = JSON.parse(document.getElementById("atlas-data").textContent);
    const world = [-180, -85, 180, 85];
    const byId = (a, b) => a[3] - b[3] || a[2] - b[2];
    const first = data.large.first.zooms.slice(0, zooms + 1).map((l) => l.slice().sort(byId));
    const indexed = first.map((_, zoom) => large.index.getClusters(world, zoom).map((item) => {
        const [lon, lat] = item.geometry.coordinates;
        const p = item.properties;
        if (p.cluster) return [lon, lat, p.point_count, p.cluster_id];
        const site = large.sites[p.site].data;
        return [lon, lat, 1, p.site, site.category, site.stage];
    }).sort(byId));
    return {first, indexed};
}"""


@pytest.mark.browser
def test_the_first_view_is_the_build_s_clusters_until_the_index_is_drawn(open_large):
    held: list = []
    page = open_large("/", held=held)
    canvas = page.locator("canvas.atlas-sites-canvas")
    expect(canvas).to_have_count(1)
    zoom, painted = page.evaluate(
        """() => { const data = JSON.parse(document.getElementById("atlas-data").textContent);
                   const map = Object.values(window).find((v) => v instanceof L.Map);
                   const zoom = Math.round(map.getZoom());
                   return [zoom, data.large.first.zooms[zoom].length]; }"""
    )
    assert 0 <= zoom <= FIRST_ZOOMS and painted > 0
    expect(canvas).to_have_attribute("data-items", str(painted))  # before the feed is read
    assert page.evaluate("() => !CorridorAtlas.app")
    held[0].continue_()
    page.wait_for_function("() => CorridorAtlas.app && CorridorAtlas.app.large.loaded")
    expect(canvas).to_have_count(1)  # the build's taken off, the index's drawn
    expect(canvas).to_have_attribute("data-items", str(painted))
    found = page.evaluate(FIRST_AND_INDEXED, FIRST_ZOOMS)
    for zoom, (first, indexed) in enumerate(zip(found["first"], found["indexed"], strict=True)):
        assert [i[2:] for i in first] == [i[2:] for i in indexed], zoom  # ids, counts, looks
        for a, b in zip(first, indexed, strict=True):
            assert a[:2] == pytest.approx(b[:2], abs=1e-4), zoom


@pytest.mark.browser
@pytest.mark.parametrize(
    "address",
    [
        "/#category=technopark",
        "/#status=planned",
        "/#country=UZ",
        "/embed?focus=x",
        "/embed?only=x",
    ],
)
def test_a_filtered_view_waits_for_the_index(open_large, address):
    held: list = []
    page = open_large(address, held=held)
    expect(page.locator("canvas.atlas-sites-canvas")).to_have_count(0)
    held[0].continue_()
    page.wait_for_function("() => CorridorAtlas.app && CorridorAtlas.app.large.loaded")
    expect(page.locator("canvas.atlas-sites-canvas")).to_have_count(1)


DRAWN_SITES = """() => CorridorAtlas.app.large.items.reduce(
    (sum, item) => sum + (item.site ? 1 : item.count), 0)"""


@pytest.mark.browser
def test_every_site_is_drawn_in_a_cluster_or_alone(open_large, atlas_features):
    page = open_large("/")
    sites = sum(1 for f in atlas_features.values() if f["properties"]["kind"] == "site")
    assert page.evaluate(DRAWN_SITES) == sites
    drawn = page.locator("canvas.atlas-sites-canvas")
    expect(drawn).to_have_attribute(
        "data-items", str(page.evaluate("CorridorAtlas.app.large.items.length"))
    )
    colours = page.evaluate(
        """() => CorridorAtlas.app.large.items
            .filter((i) => i.site).map((i) => [i.site.data.category, i.fill])"""
    )
    assert all(colour == site_colour(category) for category, colour in colours)


#: What the sites canvas shows at each item painted: a cluster's fill inside its disc and its
#: count's white in the middle; a site's colour in its filled part, or white in a ring.
PAINTED = """() => {
    const layer = CorridorAtlas.app.large.layer;
    const context = layer.canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const pixel = (x, y) => [...context.getImageData(
        Math.round((x - layer.origin.x) * ratio), Math.round((y - layer.origin.y) * ratio), 1, 1
    ).data];
    return CorridorAtlas.app.large.items.map((item) => {
        const {x, y} = item.point;
        if (!item.site) {
            let whitest = 0;
            for (let dx = -4; dx <= 4; dx += 1) {
                for (let dy = -4; dy <= 4; dy += 1) {
                    const [r, g, b] = pixel(x + dx, y + dy);
                    whitest = Math.max(whitest, Math.min(r, g, b));
                }
            }
            return ["cluster", item.fill, pixel(x - item.radius + 4, y), whitest];
        }
        const filled = item.stageFill === "half" ? pixel(x, y + item.radius / 2) : pixel(x, y);
        return ["site", item.stageFill === "ring" ? "#ffffff" : item.fill, filled, 255];
    });
}"""


def _rgba(colour: str) -> tuple[int, int, int, int]:
    if colour.startswith("#"):
        return (*(int(colour[i : i + 2], 16) for i in (1, 3, 5)), 255)
    red, green, blue, alpha = (float(v) for v in colour[5:-1].split(","))
    return int(red), int(green), int(blue), round(alpha * 255)


@pytest.mark.browser
def test_every_cluster_and_site_is_painted_where_it_is(open_large, atlas_features):
    page = open_large("/")
    lon, lat = atlas_features["bekabad-industrial-park"]["geometry"]["coordinates"]
    for zoom, centre in [(4, [40.5, 68.8]), (8, [40.5, 68.8]), (14, [lat, lon])]:
        page.evaluate(MOVE, f"map.setView({centre}, {zoom}, {{animate: false}})")
        painted = page.evaluate(PAINTED)
        assert painted, zoom
        for kind, colour, found, whitest in painted:
            wanted = _rgba(colour)
            close = all(abs(a - b) <= 3 for a, b in zip(found, wanted, strict=True))
            assert close, (zoom, kind, colour, found)
            assert whitest >= 250, (zoom, kind, colour)  # a cluster's count written on it
    kinds = {kind for kind, *_ in page.evaluate(PAINTED)}
    assert "site" in kinds


#: The map's index beside one made here from the same points: every zoom's clusters over the
#: world, and a cluster's expansion zoom and leaves; and who made the map's.
SAME_AS_ON_THE_PAGE = """() => {
    const large = CorridorAtlas.app.large;
    const here = new Supercluster(large.clusters.options).load(large.index.points);
    const world = [-180, -85, 180, 85];
    const differing = [];
    for (let zoom = 0; zoom <= 17; zoom += 1) {
        const a = JSON.stringify(large.index.getClusters(world, zoom));
        if (a !== JSON.stringify(here.getClusters(world, zoom))) differing.push(zoom);
    }
    const cluster = large.index.getClusters(world, 0).find((c) => c.properties.cluster);
    const id = cluster.properties.cluster_id;
    const same = large.index.getClusterExpansionZoom(id) === here.getClusterExpansionZoom(id)
        && JSON.stringify(large.index.getLeaves(id, 50)) === JSON.stringify(here.getLeaves(id, 50));
    return {differing, same, by: large.clusters.last.by, points: large.index.points.length};
}"""


def _toggle_technoparks(page: Page, on: bool, drawn: int) -> None:
    """Switch the technoparks on or off in the filters and wait for ``drawn`` sites."""
    panel = page.locator("#atlas-filters-panel")
    if not panel.is_visible():
        page.get_by_role("button", name="Filters").click()
    panel.get_by_label("technopark").set_checked(on)
    page.wait_for_function(f"() => {DRAWN_SITES} === {drawn}")


@pytest.mark.browser
def test_the_sites_are_clustered_again_in_a_worker_as_on_the_page(open_large, atlas_features):
    page = open_large("/")
    sites = sum(1 for f in atlas_features.values() if f["properties"]["kind"] == "site")
    technoparks = sum(
        1 for f in atlas_features.values() if f["properties"]["category"] == "technopark"
    )
    first = {"differing": [], "same": True, "by": "page", "points": sites}
    assert page.evaluate(SAME_AS_ON_THE_PAGE) == first  # the first index: made as the page opens
    page.wait_for_function("() => CorridorAtlas.app.large.clusters.worker !== null")
    _toggle_technoparks(page, False, sites - technoparks)
    again = {"differing": [], "same": True, "by": "worker", "points": sites - technoparks}
    assert page.evaluate(SAME_AS_ON_THE_PAGE) == again
    # Switched on again: the first index, kept, and no new request.
    _toggle_technoparks(page, True, sites)
    assert page.evaluate(SAME_AS_ON_THE_PAGE) == first
    assert page.evaluate("() => CorridorAtlas.app.large.clusters.requests") == 2


@pytest.mark.browser
@pytest.mark.parametrize(
    "without",
    [
        {"init_script": "delete window.Worker;"},
        {"refused": "/static/map-clusters-worker.js"},
    ],
    ids=["no-worker", "worker-script-refused"],
)
def test_without_a_worker_the_page_clusters_the_sites_again(open_large, atlas_features, without):
    page = open_large("/", **without)
    sites = sum(1 for f in atlas_features.values() if f["properties"]["kind"] == "site")
    technoparks = sum(
        1 for f in atlas_features.values() if f["properties"]["category"] == "technopark"
    )
    page.evaluate("() => { CorridorAtlas.app.map.setView([41, 69], 3, {animate: false}); }")
    page.wait_for_timeout(500)  # time for a refused worker's script to fail
    _toggle_technoparks(page, False, sites - technoparks)
    assert page.evaluate("() => CorridorAtlas.app.large.clusters.last.by") == "page"
    assert page.evaluate("() => CorridorAtlas.app.large.clusters.worker") is None


@pytest.mark.browser
def test_a_click_on_a_site_opens_its_fetched_popup(open_large, atlas_features):
    page = open_large("/")
    page.evaluate("() => { CorridorAtlas.app.map.setView([40.2, 69.3], 14, {animate: false}); }")
    item = page.evaluate(
        """() => { const i = CorridorAtlas.app.large.items.find((i) => i.site);
                   const p = CorridorAtlas.app.map.latLngToContainerPoint([i.lat, i.lon]);
                   return [i.site.data.id, p.x, p.y]; }"""
    )
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + item[1], box["y"] + item[2])
    expect_popup(page, atlas_features[item[0]]["properties"]["name"])
    expect(page.locator(".leaflet-popup-content a", has_text="Details")).to_have_attribute(
        "href", f"/features/{item[0]}"
    )
    page.wait_for_function(f"() => location.hash.includes('open={item[0]}')")


@pytest.mark.browser
def test_a_click_on_a_cluster_zooms_in(open_large):
    page = open_large("/")
    page.evaluate("() => { CorridorAtlas.app.map.setView([41, 69], 4, {animate: false}); }")
    point = page.evaluate(
        """() => { const i = CorridorAtlas.app.large.items.find((i) => !i.site);
                   const p = CorridorAtlas.app.map.latLngToContainerPoint([i.lat, i.lon]);
                   return [p.x, p.y]; }"""
    )
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_function("() => CorridorAtlas.app.map.getZoom() > 4")


@pytest.mark.browser
def test_search_filters_and_permalinks_work_as_on_a_small_atlas(open_large, atlas_features):
    page = open_large("/")
    search = page.locator("#atlas-search-input")
    search.fill("Bekobod")
    options = page.locator("#atlas-search-results [role=option]")
    expect(options.first).to_contain_text("Bekabad industrial park")
    page.keyboard.press("Enter")
    expect_popup(page, "Bekabad industrial park")
    page.wait_for_function("() => location.hash.includes('open=bekabad-industrial-park')")

    technoparks = sum(
        1 for f in atlas_features.values() if f["properties"]["category"] == "technopark"
    )
    page.get_by_role("button", name="Filters").click()
    page.locator("#atlas-filters-panel").get_by_label("technopark").uncheck()
    shown = len(atlas_features) - technoparks
    expect(page.locator(".atlas-filters-summary")).to_contain_text(
        f"{shown} of {len(atlas_features)}"
    )
    page.wait_for_function("() => location.hash.includes('category=')")
    sites = sum(1 for f in atlas_features.values() if f["properties"]["kind"] == "site")
    page.evaluate("() => { CorridorAtlas.app.map.setView([41, 69], 3, {animate: false}); }")
    page.wait_for_function(f"() => {DRAWN_SITES} === {sites - technoparks}")  # made in a worker

    again = open_large("/" + page.url.split("/", 3)[3])
    expect_popup(again, "Bekabad industrial park")
    again.get_by_role("button", name="Filters").click()
    expect(again.locator("#atlas-filters-panel").get_by_label("technopark")).not_to_be_checked()


@pytest.mark.browser
def test_embed_only_and_focus(open_large):
    only = open_large("/embed?only=bekabad-industrial-park,trans-afghan-transport-corridor")
    expect(only.locator(".atlas-filters-summary")).to_have_count(1)
    assert only.evaluate("() => CorridorAtlas.app.large.shownCount()") == 2
    focus = open_large("/embed?focus=bekabad-industrial-park")
    assert focus.evaluate("() => CorridorAtlas.app.large.focused") == "bekabad-industrial-park"
    assert focus.evaluate(
        "() => CorridorAtlas.app.map.getBounds().contains(L.latLng(40.22, 69.27))"
    )


#: Each corridor's layer: the band it draws at this zoom, and, if the last view drew it, the
#: points per part it was drawn from (null: out of view, not drawn).
CORRIDOR_BANDS = """() => {
    const drawn = new Set(CorridorAtlas.app.large.renderer.drawn);
    return CorridorAtlas.app.large.corridors.map((c) => [
        c.data.id, c.layer.band,
        drawn.has(c.layer) ? c.layer.atZoom0[c.layer.band].map((xy) => xy.length / 2) : null]);
}"""


@pytest.mark.browser
def test_the_map_draws_the_band_of_its_zoom(open_large, large_client):
    corridors = large_client.get(FEED).json["corridors"]
    full = [[list(range(len(part))) for part in line] for line in corridors["lines"]]
    lines = [*(band["vertices"] for band in corridors["bands"]), full]
    index = {corridor_id: i for i, corridor_id in enumerate(corridors["id"])}
    page = open_large("/")
    for zoom, band in [(3, 0), (FEED_BANDS[0], 0), (FEED_BANDS[0] + 1, 1), (FEED_BANDS[-1] + 1, 2)]:
        page.evaluate(
            f"() => {{ CorridorAtlas.app.map.setView([40.5, 68.8], {zoom}, {{animate: false}}); }}"
        )
        drawn = page.evaluate(CORRIDOR_BANDS)
        assert {b for _, b, _ in drawn} == {band}
        in_view = [(cid, parts) for cid, _, parts in drawn if parts is not None]
        assert in_view  # corridors in view are drawn from their band's points
        for corridor_id, parts in in_view:
            assert parts == [len(part) for part in lines[band][index[corridor_id]]]
        if zoom > FEED_BANDS[-1]:  # far in: the corridors out of view are not drawn
            assert len(in_view) < len(drawn)


#: For each corridor the last view drew, the first point of its parts within the canvas:
#: whether the corridors' canvas is painted there and whether the corridor answers the pointer
#: there (Leaflet's hit-testing, its pixels worked out when asked). Returns the colours of
#: the corridors failing either, and how many were checked.
CORRIDORS_UNDER_THE_POINTER = """() => {
    const map = CorridorAtlas.app.map;
    const renderer = CorridorAtlas.app.large.renderer;
    const scale = map.getZoomScale(map.getZoom(), 0);
    const origin = map.getPixelOrigin();
    const { min, max } = renderer._bounds;
    const ratio = window.devicePixelRatio || 1;
    const unpainted = [];
    const unanswered = [];
    let checked = 0;
    for (const layer of renderer.drawn) {
        for (const xy of layer.atZoom0[layer.band]) {
            const point = L.point(
                Math.round(xy[0] * scale) - origin.x, Math.round(xy[1] * scale) - origin.y);
            if (point.x < min.x + 3 || point.y < min.y + 3 || point.x > max.x - 3
                || point.y > max.y - 3) {
                continue;
            }
            const pixel = renderer._ctx.getImageData(
                Math.round((point.x - min.x) * ratio), Math.round((point.y - min.y) * ratio), 1, 1);
            if (pixel.data[3] === 0) unpainted.push(layer.options.color);
            if (!layer._containsPoint(point)) unanswered.push(layer.options.color);
            checked += 1;
            break;
        }
    }
    return [unpainted, unanswered, checked];
}"""


#: Whether the corridors' canvas is drawn in its margin too (while the page is idle).
MARGIN_DRAWN = "() => !CorridorAtlas.app.large.renderer.kept.pending.length"


@pytest.mark.browser
def test_corridors_are_drawn_and_answer_the_pointer_in_every_view(open_large):
    page = open_large("/")
    for move in MOVES:
        page.evaluate(MOVE, move)
        page.wait_for_function(MARGIN_DRAWN, polling=100)
        unpainted, unanswered, checked = page.evaluate(CORRIDORS_UNDER_THE_POINTER)
        assert (unpainted, unanswered) == ([], []), move
        assert checked or move == FAR_EAST, move  # corridors in view, except far east
    # Leaflet's own canvas projects each path twice per such zoom; these are drawn from
    # their points at zoom 0 and projected only under the pointer.
    corridors = "CorridorAtlas.app.large.corridors.map((c) => c.layer)"
    assert set(page.evaluate(projections_of_a_zoom(corridors))) == {0}


#: After each of ``moves`` (JavaScript over ``map``, without animation) and the canvas's
#: margin drawn (as while the page is idle), the corridors' canvas beside the same view
#: drawn whole: how many pixels it paints, how many differ by more than ``tolerance`` (of
#: 255, colours premultiplied by their alpha), the rectangles the move drew at once, those
#: it left to draw while idle (the rest moved from a drawing made before), and the one the
#: map shows.
MOVED_BESIDE_WHOLE = """async ([moves, tolerance]) => {
    const map = CorridorAtlas.app.map;
    const renderer = CorridorAtlas.app.large.renderer;
    const results = [];
    renderer._complete(); // as the page does while idle
    for (const move of moves) {
        new Function("map", move)(map);
        const [rects, pending, seen] = [renderer.rects, renderer.kept.pending, renderer.seen];
        renderer._complete();
        const { width, height } = renderer._container;
        const moved = renderer._ctx.getImageData(0, 0, width, height).data;
        const [kept, others] = [renderer.kept, renderer.others];
        [renderer.kept, renderer.others] = [null, new Map()];
        renderer._draw();
        renderer._complete();
        const whole = renderer._ctx.getImageData(0, 0, width, height).data;
        [renderer.kept, renderer.others] = [kept, others];
        let painted = 0;
        let differing = 0;
        for (let i = 0; i < whole.length; i += 4) {
            painted += whole[i + 3] > 0;
            for (let c = 0; c < 4; c += 1) {
                const a = c === 3 ? 255 : whole[i + 3];
                const b = c === 3 ? 255 : moved[i + 3];
                if (Math.abs((whole[i + c] * a - moved[i + c] * b) / 255) > tolerance) {
                    differing += 1;
                    break;
                }
            }
        }
        results.push([painted, differing, rects, pending, seen]);
    }
    return results;
}"""
#: A dash's end may fall a tenth of a pixel apart in a drawing moved into place (Skia dashes
#: in floats); a missing, doubled or shifted piece of line differs in thousands of pixels.
TOLERANCE = 24
MAY_DIFFER = 1 / 200


@pytest.mark.browser
@pytest.mark.parametrize("zoom", [5, 7.5], ids=["thin-lines", "wide-dashed-lines"])
def test_a_pan_draws_only_what_it_uncovers_and_looks_as_drawn_whole(open_large, zoom):
    page = open_large("/")
    page.evaluate("() => { CorridorAtlas.app.large.renderer.options.inkWorthMoving = 0; }")
    page.evaluate(MOVE, f"map.setView([41, 69], {zoom}, {{animate: false}})")
    pans = [[250, -120], [-90, 0], [0, 75], [-300, -200], [2000, 0], [-2000, 0]]
    size = page.evaluate("() => CorridorAtlas.app.large.renderer._bounds.getSize()")
    moves = [f"map.panBy({pan}, {{animate: false}})" for pan in pans]
    results = page.evaluate(MOVED_BESIDE_WHOLE, [moves, TOLERANCE])
    for (painted, differing, rects, pending, seen), (x, y) in zip(results, pans, strict=True):
        if abs(x) >= size["x"]:  # moved beyond the canvas: drawn anew, the margin when idle
            assert rects == [seen]
            assert _area(pending) == size["x"] * size["y"] - _area([seen])
            continue
        # What the pan uncovered: drawn at once where the map shows it, the rest when idle.
        assert all(_overlap(rect, seen) == rect for rect in rects), (x, y)
        assert not any(_overlap(rect, seen) for rect in pending), (x, y)
        uncovered = size["x"] * size["y"] - (size["x"] - abs(x)) * (size["y"] - abs(y))
        assert _area(rects) + _area(pending) == uncovered, (x, y)
        assert painted > 2000, (x, y)  # corridors in view
        assert differing <= painted * MAY_DIFFER, (x, y, differing, painted)
    assert results[-1][0] > 2000  # back among the corridors


@pytest.mark.browser
def test_a_pan_over_little_line_draws_the_view_whole(open_large):
    """Moving the canvas's drawing costs more than drawing a few corridors anew."""
    page = open_large("/")
    page.evaluate(MOVE, "map.setView([41, 69], 7.5, {animate: false})")
    ink, worth = page.evaluate(
        """() => {
            const renderer = CorridorAtlas.app.large.renderer;
            return [renderer.kept.ink, renderer.options.inkWorthMoving];
        }"""
    )
    assert 0 < ink < worth  # the test atlas's few corridors
    [(painted, differing, rects, _, seen)] = page.evaluate(
        MOVED_BESIDE_WHOLE, [["map.panBy([250, -120], {animate: false})"], 0]
    )
    assert rects == [seen]
    assert painted > 2000 and differing == 0


#: Whether the drawings one zoom in and out of the view are made (while the page is idle).
DRAWN_AHEAD = """() => {
    const renderer = CorridorAtlas.app.large.renderer;
    const zoom = CorridorAtlas.app.map.getZoom();
    return renderer.others.has(zoom + 1) && renderer.others.has(zoom - 1);
}"""


@pytest.mark.browser
def test_a_zoom_by_one_shows_the_drawing_made_ahead_as_drawn_whole(open_large):
    page = open_large("/")
    page.evaluate(MOVE, "map.setView([41, 69], 6.5, {animate: false})")
    for step in (1, -1, -1):  # in to wide dashed lines, back out, out to thin lines
        page.wait_for_function(DRAWN_AHEAD, polling=100)  # not each frame: the page idles
        move = f"map.setZoom(map.getZoom() + {step}, {{animate: false}})"
        [(painted, differing, rects, pending, _)] = page.evaluate(
            MOVED_BESIDE_WHOLE, [[move], TOLERANCE]
        )
        assert (rects, pending) == ([], []), step  # nothing left to draw
        assert painted > 2000, step
        assert differing <= painted * MAY_DIFFER, (step, differing, painted)
    # A corridor restyled: drawn whole at the next frame, the drawings made before dropped.
    rects, kept, seen = page.evaluate(
        """async () => {
            const renderer = CorridorAtlas.app.large.renderer;
            CorridorAtlas.app.large.corridors[0].layer.setStyle({weight: 5});
            await new Promise((resolve) => requestAnimationFrame(resolve));
            return [renderer.rects, renderer.others.size, renderer.seen];
        }"""
    )
    assert (rects, kept) == ([seen], 0)


#: A view reached with nothing drawn before: the corridors' canvas right after the move and
#: once the page has been idle long enough to draw its margin (the part the map hides).
MARGIN_LATER = """async () => {
    const [map, renderer] = [CorridorAtlas.app.map, CorridorAtlas.app.large.renderer];
    map.setView([41, 69], 7.5, {animate: false});
    const [rects, pending, seen] = [renderer.rects, renderer.kept.pending, renderer.seen];
    const { width, height } = renderer._container;
    const ratio = window.devicePixelRatio || 1;
    const [x0, y0, w, h] = seen.map((side) => side * ratio);
    const painted = (data) => {
        const counts = { seen: 0, margin: 0 };
        for (let i = 0; i < width * height; i += 1) {
            const [x, y] = [i % width, Math.floor(i / width)];
            const where = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h ? "seen" : "margin";
            counts[where] += data[4 * i + 3] > 0;
        }
        return counts;
    };
    const before = renderer._ctx.getImageData(0, 0, width, height).data;
    for (let waited = 0; renderer.kept.pending.length && waited < 200; waited += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50)); // at most 10 s
    }
    const after = renderer._ctx.getImageData(0, 0, width, height).data;
    let changed = 0;
    for (let y = y0; y < y0 + h; y += 1) {
        for (let i = (y * width + x0) * 4; i < (y * width + x0 + w) * 4; i += 1) {
            changed += before[i] !== after[i];
        }
    }
    return { rects, pending, seen, before: painted(before), after: painted(after), changed };
}"""


@pytest.mark.browser
def test_a_new_view_is_drawn_where_the_map_shows_it_and_its_margin_while_the_page_is_idle(
    open_large,
):
    page = open_large("/")
    size = page.evaluate("() => CorridorAtlas.app.large.renderer._bounds.getSize()")
    drawn = page.evaluate(MARGIN_LATER)
    seen = drawn["seen"]
    assert drawn["rects"] == [seen]
    assert 0 < _area([seen]) < size["x"] * size["y"]
    assert _area(drawn["pending"]) == size["x"] * size["y"] - _area([seen])
    assert drawn["before"]["seen"] > 2000 and drawn["before"]["margin"] == 0
    assert drawn["after"]["margin"] > 500  # corridors beyond the map's edges, drawn since
    assert drawn["changed"] == 0  # what the map showed was left as it was


def _area(rects: list[list[float]]) -> float:
    return sum(width * height for _, _, width, height in rects)


def _overlap(a: list[float], b: list[float]) -> list[float] | None:
    """The overlap of two [x, y, width, height] rectangles, or None."""
    x, y = max(a[0], b[0]), max(a[1], b[1])
    width, height = min(a[0] + a[2], b[0] + b[2]) - x, min(a[1] + a[3], b[1] + b[3]) - y
    return [x, y, width, height] if width > 0 and height > 0 else None


@pytest.mark.browser
def test_every_band_of_every_corridor_is_projected_while_the_page_is_idle(open_large):
    page = open_large("/")
    page.wait_for_function(
        "() => CorridorAtlas.app.large.projected === CorridorAtlas.app.large.corridors.length"
    )
    bands = page.evaluate(
        """() => CorridorAtlas.app.large.corridors.map((c) => c.layer.atZoom0.map(
            (band, b) => band.map((xy) => xy.length / 2)))"""
    )
    corridors = page.evaluate(
        """() => CorridorAtlas.app.large.corridors.map((c) => [
            ...c.layer.vertices.map((band) => band.map((kept) => kept.length)),
            c.layer.parts.map((part) => part.length)])"""
    )
    assert bands == corridors  # each band's vertices, kept at zoom 0, in every corridor


CORRIDOR_WEIGHTS = """() => [...new Set(CorridorAtlas.app.large.corridors.map(
    (c) => c.layer.options.weight))]"""


@pytest.mark.browser
def test_corridors_are_drawn_thin_at_low_zooms_and_a_focused_one_stays_wide(open_large):
    page = open_large("/")
    for zoom, weights in [(5, [1]), (6, [1]), (7, [3]), (10, [3])]:
        page.evaluate(
            f"() => {{ CorridorAtlas.app.map.setView([40.5, 68.8], {zoom}, {{animate: false}}); }}"
        )
        assert page.evaluate(CORRIDOR_WEIGHTS) == weights, zoom
    # A thin corridor still answers the pointer a few pixels away (the renderer's tolerance).
    assert page.evaluate("() => CorridorAtlas.app.large.renderer.options.tolerance") >= 2
    focused = open_large("/embed?focus=north-south-international-transport-corridor")
    focused.evaluate("() => { CorridorAtlas.app.map.setZoom(5, {animate: false}); }")
    weights = focused.evaluate(
        """() => Object.fromEntries(CorridorAtlas.app.large.corridors.map(
            (c) => [c.data.id, c.layer.options.weight]))"""
    )
    assert weights.pop("north-south-international-transport-corridor") == 6
    assert set(weights.values()) == {1}


def _in_view(feature: dict, west: float, south: float, east: float, north: float) -> bool:
    """Whether a feature is in the box as the map's list counts it: a site's point inside, a
    corridor's bounding box overlapping."""
    coordinates = feature["geometry"]["coordinates"]
    if feature["geometry"]["type"] == "Point":
        lon, lat = coordinates
        return west <= lon <= east and south <= lat <= north
    lines = coordinates if feature["geometry"]["type"] == "MultiLineString" else [coordinates]
    points = [p for line in lines for p in line]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south


@pytest.mark.browser
def test_the_list_of_features_in_view_counts_and_names_what_the_view_holds(
    open_large, atlas_features
):
    page = open_large("/")
    toggle = page.locator("#atlas-features-in-view")
    for view in ([41.0, 69.0, 6], [40.5, 68.5, 8], [44.0, 75.0, 5]):
        page.evaluate(
            "(v) => { CorridorAtlas.app.map.setView([v[0], v[1]], v[2], {animate: false}); }",
            view,
        )
        box = page.evaluate(
            "() => CorridorAtlas.app.map.getBounds().toBBoxString().split(',').map(Number)"
        )
        expected = sorted(
            f["properties"]["name"] for f in atlas_features.values() if _in_view(f, *box)
        )
        expect(toggle).to_have_text(f"Features in view ({len(expected)})")
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        names = page.locator(".atlas-feature-list-name")
        expect(names).to_have_count(len(expected))
        assert sorted(names.all_inner_texts()) == expected
        toggle.click()  # closed: the next view is counted from the cluster index


#: Boxes asked of the grid that counts a view's sites: random ones, ones beyond the sites'
#: extent, empty ones, and ones whose edges pass exactly through sites.
GRID_BOXES = """() => {
  const { lon, lat } = CorridorAtlas.app.large.clusters.positions;
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const sites = Int32Array.from(lon.keys()).filter(() => random() < 0.7);
  const grid = new CorridorAtlas.SiteGrid(lon, lat, sites);
  const boxes = [[-180, -90, 180, 90], [100, 10, 120, 20], [70, 45, 60, 50]];
  for (let k = 0; k < 400; k += 1) {
    const [a, b] = [sites[Math.floor(random() * sites.length)], sites[k % sites.length]];
    const edges = k % 2
      ? [lon[a], lat[a], lon[b], lat[b]]
      : [55 + 30 * random(), 35 + 15 * random(), 55 + 30 * random(), 35 + 15 * random()];
    const [w, e] = [Math.min(edges[0], edges[2]), Math.max(edges[0], edges[2])];
    const [s, n] = [Math.min(edges[1], edges[3]), Math.max(edges[1], edges[3])];
    boxes.push([w, s, e, n], [lon[a], lat[a], lon[a], lat[a]]);
  }
  return boxes.map((box) => {
    const [w, s, e, n] = box;
    const expected = sites.filter((i) => lon[i] >= w && lon[i] <= e && lat[i] >= s && lat[i] <= n);
    return [grid.count(box), expected.length];
  });
}"""


@pytest.mark.browser
def test_the_grid_counting_a_views_sites_counts_as_a_pass_over_every_site_does(open_large):
    page = open_large("/")
    counted = page.evaluate(GRID_BOXES)
    assert len(counted) == 803
    assert [got for got, _ in counted] == [expected for _, expected in counted]
    assert sum(expected > 0 for _, expected in counted) > 600  # most boxes hold sites
    assert counted[:3] == [[counted[0][1], counted[0][1]], [0, 0], [0, 0]]
