"""The text pages over the real build: the feature table, feature pages and source pages.

Pages are read with a small HTML parser (``Page``) that records links, element ids and the text
of every highlighted segment, so the tests check what a browser would show and follow, not
the markup's exact spelling.
"""

from __future__ import annotations

import json
import re
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import geodata.build
from geodata.build import build
from geodata.spatial import add_spatial_answers
from webapp import create_app
from webapp.i18n.formatting import schematic_length
from webapp.pages.highlight import paragraphs
from webapp.pages.provenance import describe_resolution
from webapp.pages.table import QueryError, parse_query

SCRIPT_INJECTION = "</script><script>alert(1)</script>"
ATTRIBUTE_INJECTION = '"><img src=x onerror=alert(1)>'
EVIL = f"{SCRIPT_INJECTION} {ATTRIBUTE_INJECTION} {{{{ 7*7 }}}}"
NAV = {
    "/": "Map",
    "/features": "Features",
    "/sources": "Sources",
    "/data": "Data",
    "/api": "API",
    "/about": "About",
}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# --- helpers -------------------------------------------------------------------------------


class Page(HTMLParser):
    """What the tests need from an HTML page, collected in one pass."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.ids: dict[str, str] = {}  # element id -> its text
        self.marks: list[tuple[list[int], str]] = []  # (citation numbers, text)
        self.open_ids: list[list] = []
        self.open_links: list[list] = []
        self.open_marks: list[list] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag in VOID:
            return
        self.stack.append((tag, attributes))
        if "id" in attributes:
            self.open_ids.append([len(self.stack), attributes["id"], ""])
        if tag == "a":
            self.open_links.append([len(self.stack), attributes.get("href", ""), ""])
        if tag == "mark":
            numbers = [int(n) for n in attributes.get("data-citations", "").split()]
            self.open_marks.append([len(self.stack), numbers, ""])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        depth = len(self.stack)
        for collected, sink in (
            (self.open_ids, lambda e: self.ids.__setitem__(e[1], e[2])),
            (self.open_links, lambda e: self.links.append((e[1], e[2]))),
            (self.open_marks, lambda e: self.marks.append((e[1], e[2]))),
        ):
            while collected and collected[-1][0] >= depth:
                sink(collected.pop())
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        for collected in (self.open_ids, self.open_links, self.open_marks):
            for entry in collected:
                entry[2] += data

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]

    def citation_text(self, number: int) -> str:
        """The highlighted text of one citation: its segments joined, whitespace normalised."""
        return squash(" ".join(text for numbers, text in self.marks if number in numbers))

    def rows(self, table_id: str = "features-table") -> list[str]:
        """Feature ids of the table rows, in order."""
        return [a["data-id"] for tag, a in self.tags if tag == "tr" and "data-id" in a]


def squash(text: str) -> str:
    return " ".join(text.split())


def page(client, path: str, status: int = 200) -> Page:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == "text/html"
    return Page(response.text)


@pytest.fixture(scope="module")
def atlas_data(built_data_dir: Path) -> tuple[dict[str, dict], list[dict]]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    sources = json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))
    features = {f["properties"]["id"]: f["properties"] for f in collection["features"]}
    return features, sources["seeds"]


@pytest.fixture
def features(atlas_data) -> dict[str, dict]:
    return atlas_data[0]


@pytest.fixture
def seeds(atlas_data) -> list[dict]:
    return atlas_data[1]


def feature_paths(built_data_dir: Path) -> list[str]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return [f"/features/{f['id']}" for f in collection["features"]]


# --- every page renders ----------------------------------------------------------------------


def test_every_page_renders_in_the_layout(client, features, seeds):
    paths = ["/features", "/sources"]
    paths += [f"/features/{i}" for i in features] + [f"/sources/{s['slug']}" for s in seeds]
    for path in paths:
        html = client.get(path).text
        parsed = page(client, path)
        assert "Corridor Atlas" in parsed.text
        assert parsed.hrefs()[0] == "#content", "the skip link comes first"
        assert "content" in parsed.ids
        current = [a for tag, a in parsed.tags if tag == "a" and a.get("aria-current") == "page"]
        section = "/" + path.split("/")[1]
        assert [a["href"] for a in current] == [section], path
        assert "GeoNames" in html and "OpenStreetMap" in html and "Natural Earth" in html


def test_nav_links_lead_to_pages(client):
    parsed = page(client, "/features")
    nav = [(href, text.strip()) for href, text in parsed.links if href in NAV]
    assert [text for _, text in nav[1 : 1 + len(NAV)]] == list(NAV.values())
    for href in NAV:
        assert client.get(href).status_code == 200, href


def test_error_pages_use_the_layout(client):
    parsed = page(client, "/no-such-page", status=404)
    assert "404 Not Found" in parsed.text
    assert "/features" in parsed.hrefs()


def test_pages_load_no_external_or_inline_scripts(client, features, seeds):
    paths = ["/features", "/sources", f"/features/{next(iter(features))}"]
    paths.append(f"/sources/{seeds[0]['slug']}")
    for path in paths:
        parsed = page(client, path)
        scripts = [a for tag, a in parsed.tags if tag == "script"]
        assert all(a.get("src", "").startswith("/static/") for a in scripts), path
        # what the page loads; rel="alternate" links only name the page in other languages
        loaded = [a for tag, a in parsed.tags if tag == "link" and a.get("rel") != "alternate"]
        styles = [a["href"] for a in loaded]
        assert styles and all(href.startswith("/static/") for href in styles), path
        frames = [a["src"] for tag, a in parsed.tags if tag == "iframe"]
        assert all(src.startswith("/embed?") for src in frames), path


def test_pages_are_rendered_once_per_url_then_replayed(app, client):
    first = client.get("/features?sort=length").data
    cache = app.wsgi_app
    assert len(cache) == 1 and cache.hits == 0
    assert client.get("/features?sort=length").data == first
    assert len(cache) == 1 and cache.hits == 1
    client.get("/features?sort=name")
    assert len(cache) == 2


def test_the_filter_form_may_be_submitted_under_the_csp(client):
    policy = client.get("/features").headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["form-action"] == ["'self'"]


# --- /features: the table ----------------------------------------------------------------------


def test_table_lists_every_feature_with_links(client, features):
    parsed = page(client, "/features")
    assert sorted(parsed.rows()) == sorted(features)
    assert f"{len(features)} of {len(features)} features" in squash(parsed.text)
    for feature_id in features:
        assert f"/features/{feature_id}" in parsed.hrefs()
        assert f"/#open={feature_id}" in parsed.hrefs()


def test_table_shows_figures_status_dates_and_lengths(client, features):
    text = squash(page(client, "/features").text)
    icic = features["central-asia-international-industrial-cooperation-centre"]
    assert "area: 100 ha" in text
    assert "technical launch: fourth quarter of 2026" in text
    assert icic["status"]["stage"] in text
    assert "≈ 6,300 km" in text  # the North-South corridor, rounded (6,339.3 km in the data)
    assert "capacity: 500,000 tons of steel products" in text


def by_name(ids: list[str], features: dict[str, dict]) -> list[str]:
    return sorted(ids, key=lambda i: (features[i]["name"].casefold(), i))


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_name(client, features, order):
    rows = page(client, f"/features?sort=name&order={order}").rows()
    expected = by_name(list(features), features)
    assert rows == (expected if order == "asc" else expected[::-1])


def test_default_sort_is_by_name(client, features):
    assert page(client, "/features").rows() == by_name(list(features), features)


def test_sort_by_length_puts_longest_corridor_first_and_sites_last(client, features):
    rows = page(client, "/features?sort=length&order=desc").rows()
    corridors = sorted(
        (i for i in features if features[i]["kind"] == "corridor"),
        key=lambda i: -features[i]["length_km"],
    )
    assert rows[: len(corridors)] == corridors
    assert all(features[i]["kind"] == "site" for i in rows[len(corridors) :])
    ascending = page(client, "/features?sort=length").rows()
    assert ascending[: len(corridors)] == corridors[::-1]


@pytest.mark.parametrize("column", ["kind", "category", "countries", "status"])
def test_sort_by_column_is_monotonic(client, features, column):
    stages = ["proposed", "planned", "under construction", "operational", "completed"]
    keys = {
        "kind": lambda p: p["kind"],
        "category": lambda p: p["category"].casefold(),
        "countries": lambda p: tuple(p["countries"]),
        "status": lambda p: stages.index(p["status"]["stage"]),
    }
    for order in ("asc", "desc"):
        rows = page(client, f"/features?sort={column}&order={order}").rows()
        values = [keys[column](features[i]) for i in rows]
        assert values == sorted(values, reverse=order == "desc"), (column, order)
        assert sorted(rows) == sorted(features)


def test_sort_headings_toggle_the_order_and_keep_filters(client):
    parsed = page(client, "/features?kind=site&sort=name&order=asc")
    sort_links = [href for href in parsed.hrefs() if "sort=" in href]
    queries = {
        parse_qs(urlsplit(h).query)["sort"][0]: parse_qs(urlsplit(h).query) for h in sort_links
    }
    assert queries["name"]["order"] == ["desc"]
    assert queries["length"]["order"] == ["asc"]
    assert all(q["kind"] == ["site"] for q in queries.values())
    assert ("th", {"scope": "col", "aria-sort": "ascending"}) in parsed.tags


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("kind=site", lambda p: p["kind"] == "site"),
        ("kind=corridor", lambda p: p["kind"] == "corridor"),
        ("category=technopark", lambda p: p["category"] == "technopark"),
        ("category=education,power+plant", lambda p: p["category"] in {"education", "power plant"}),
        ("country=KZ", lambda p: "KZ" in p["countries"]),
        ("country=kz&country=TJ", lambda p: {"KZ", "TJ"} & set(p["countries"])),
        ("status=planned", lambda p: p["status"]["stage"] == "planned"),
        (
            "status=planned,under+construction",
            lambda p: (
                p["status"]["stage"] != "operational"
                and p["status"]["stage"] in {"planned", "under construction"}
            ),
        ),
        (
            "kind=site&country=UZ&status=planned",
            lambda p: (
                p["kind"] == "site" and "UZ" in p["countries"] and p["status"]["stage"] == "planned"
            ),
        ),
        ("kind=&category=&country=&status=", lambda p: True),
    ],
)
def test_filters(client, features, query, keep):
    parsed = page(client, f"/features?{query}")
    expected = by_name([i for i, p in features.items() if keep(p)], features)
    assert expected, "a filter case that keeps nothing tests nothing"
    assert parsed.rows() == expected
    assert f"{len(expected)} of {len(features)} features" in squash(parsed.text)


def test_filter_form_is_labelled_and_keeps_its_state(client):
    parsed = page(client, "/features?country=KZ&sort=length&order=desc")
    fields = {
        a["id"]: a
        for tag, a in parsed.tags
        if tag in {"select", "input"} and a.get("id", "").startswith("filter-")
    }
    assert set(fields) == {
        "filter-kind",
        "filter-category",
        "filter-country",
        "filter-status",
        "filter-q",
        "filter-as-of",
    }
    labels = {a.get("for") for tag, a in parsed.tags if tag == "label"}
    assert set(fields) <= labels
    assert ("option", {"value": "KZ", "selected": ""}) in parsed.tags
    hidden = {a["name"]: a["value"] for tag, a in parsed.tags if a.get("type") == "hidden"}
    assert hidden == {"sort": "length", "order": "desc"}
    assert any(tag == "button" and a.get("type") == "submit" for tag, a in parsed.tags)


def test_empty_result_says_so(client, features):
    parsed = page(client, "/features?country=FR")
    assert parsed.rows() == []
    text = squash(parsed.text)
    assert f"0 of {len(features)} features" in text
    assert "No feature matches these filters" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=building", "Unknown kind 'building'"),
        ("category=castle", "Unknown category 'castle'"),
        ("status=dreamt", "Unknown status 'dreamt'"),
        ("country=Uzbekistan", "not a two-letter"),
        ("sort=colour", "Unknown sort 'colour'"),
        ("order=up", "Unknown order 'up'"),
        ("sort=name&sort=kind", "Give one sort"),
        (f"kind={ATTRIBUTE_INJECTION}", "Unknown kind"),
    ],
)
def test_bad_query_values_are_400_pages(client, query, message):
    response = client.get(f"/features?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in Page(response.text).text
    assert "<img" not in response.text


# --- /features/<id> ----------------------------------------------------------------------------


def test_feature_page_facts(client, features):
    feature = features["bekabad-industrial-park"]
    parsed = page(client, "/features/bekabad-industrial-park")
    text = squash(parsed.text)
    assert feature["name"] in text and feature["category"] in text
    assert "Uzbekistan (UZ)" in text
    assert "GeoNames 1514402" in text
    assert "https://www.geonames.org/1514402" in parsed.hrefs()
    nearest = feature["nearest_corridor"]
    assert f"/features/{nearest['id']}" in parsed.hrefs()
    assert f"{nearest['distance_km']:,.1f} km" in text
    assert "/#open=bekabad-industrial-park" in parsed.hrefs()
    assert "/data/features/bekabad-industrial-park.geojson" in parsed.hrefs()
    frames = [a for tag, a in parsed.tags if tag == "iframe"]
    assert frames == [
        {
            "class": "map-frame",
            "src": "/embed?focus=bekabad-industrial-park",
            "title": f"Map of {feature['name']}",
            "loading": "lazy",
        }
    ]


def test_corridor_page_lists_length_sites_and_waypoints(client, features):
    corridor_id = "turkmenistan-uzbekistan-kazakhstan-russia-route"
    corridor = features[corridor_id]
    parsed = page(client, f"/features/{corridor_id}")
    text = squash(parsed.text)
    assert f"{schematic_length(corridor['length_km'])}, schematic" in text
    for neighbour in corridor["sites_within_100km"]:
        assert f"/features/{neighbour['id']}" in parsed.hrefs()
    assert len(corridor["sites_within_100km"]) == corridor["sites_within_100km_count"]
    assert "are listed" not in text  # a whole list says nothing of a cut
    for waypoint in corridor["located_by"]:
        assert waypoint["place"] in text


@pytest.fixture(scope="module")
def cut_client(tmp_path_factory: pytest.TempPathFactory):
    """The app over the real catalogue built with each corridor listing only 3 sites."""
    out_dir = tmp_path_factory.mktemp("cut")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(geodata.build, "add_spatial_answers", partial(add_spatial_answers, listed=3))
        build(out_dir)
    return create_app({"TESTING": True, "DATA_DIR": out_dir}).test_client()


def test_a_cut_list_says_how_many_sites_there_are(cut_client, features):
    corridor_id = "turkmenistan-uzbekistan-kazakhstan-russia-route"
    count = features[corridor_id]["sites_within_100km_count"]
    assert count > 3
    parsed = page(cut_client, f"/features/{corridor_id}")
    assert f"{count} sites within 100 km; the nearest 3 are listed." in squash(parsed.text)
    linked = [href for href in parsed.hrefs() if href.startswith("/features/")]
    nearest = features[corridor_id]["sites_within_100km"][:3]
    assert linked == [f"/features/{n['id']}" for n in nearest]


def test_curated_positions_are_explained(client, features):
    feature = features["kambarata-1-hydroelectric-power-station"]
    text = squash(page(client, "/features/kambarata-1-hydroelectric-power-station").text)
    reference = feature["located_by"][0]["resolved_by"].removeprefix("curated:")
    assert squash(f"curated: {reference}") in text


def test_embed_snippet_is_copyable_text(client):
    response = client.get("/features/bekabad-industrial-park", base_url="https://atlas.example")
    parsed = Page(response.text)
    textarea = next(a for tag, a in parsed.tags if tag == "textarea")
    assert "readonly" in textarea
    snippet = parsed.ids[textarea["id"]]
    assert snippet.startswith(
        '<iframe src="https://atlas.example/embed?focus=bekabad-industrial-park"'
    )
    assert snippet.endswith("></iframe>")
    assert ("script", {"src": "/static/pages.js"}) in parsed.tags


def test_quote_links_land_on_their_highlight(client, features):
    for feature_id, feature in features.items():
        html = client.get(f"/features/{feature_id}").text
        section = html.split('<section aria-labelledby="sources-heading">', 1)[1]
        parsed = Page(section.split("</section>", 1)[0])
        links = [h for h in parsed.hrefs() if h.startswith("/sources/")]
        assert len(links) == len(feature["sources"]), feature_id
        for href, source in zip(links, feature["sources"], strict=True):
            path, _, anchor = href.partition("#")
            assert path == f"/sources/{source['seed'].removesuffix('.txt')}"
            number = int(anchor.removeprefix("q-"))
            target = page(client, path)
            assert anchor in target.ids, href
            assert target.citation_text(number) == squash(source["quote"]), href


def test_shared_quotes_link_both_features(client, features):
    technoparks = [
        "bukhara-region-russian-uzbek-technopark",
        "navoi-region-russian-uzbek-technopark",
    ]
    anchors = []
    for feature_id in technoparks:
        parsed = page(client, f"/features/{feature_id}")
        # quotes link their place in the article (#q-…); the history links the article itself
        anchors += [h for h in parsed.hrefs() if h.startswith("/sources/") and "#q-" in h]
    assert len(set(anchors)) == 2, "each technopark links its own citation of the sentence"
    source = page(client, anchors[0].partition("#")[0])
    for href in anchors:
        number = int(href.partition("#q-")[2])
        assert f"q-{number}" in source.ids
    assert source.citation_text(int(anchors[0].partition("#q-")[2])) == source.citation_text(
        int(anchors[1].partition("#q-")[2])
    )
    for feature_id in technoparks:
        assert f"/features/{feature_id}" in source.hrefs()


@pytest.mark.parametrize("bad", ["nope", "Bekabad-Industrial-Park", "%3Cscript%3E", "a%22b"])
def test_unknown_feature_is_a_404_page(client, bad):
    response = client.get(f"/features/{bad}")
    assert response.status_code == 404
    assert "404 Not Found" in response.text
    assert "<script>" not in response.text
    assert '"b' not in response.text.split("<main", 1)[1].split("</main>")[0]


# --- /sources ----------------------------------------------------------------------------------


def test_sources_index_counts_features(client, seeds):
    parsed = page(client, "/sources")
    text = squash(parsed.text)
    for seed in seeds:
        assert f"/sources/{seed['slug']}" in parsed.hrefs()
        assert squash(seed["title"]) in text
    rows = re.findall(r'<tr data-slug="([^"]+)">.*?</tr>', client.get("/sources").text, re.S)
    assert rows == [s["slug"] for s in seeds]
    counts = re.findall(r'class="num">(\d+)</td>\s*<td class="num">', client.get("/sources").text)
    assert [int(c) for c in counts] == [
        len({c["feature"] for c in s["citations"] if c["feature"]}) for s in seeds
    ]


def test_every_citation_is_highlighted_with_an_anchor(client, seeds, features):
    for seed in seeds:
        parsed = page(client, f"/sources/{seed['slug']}")
        for number, citation in enumerate(seed["citations"]):
            assert f"q-{number}" in parsed.ids, (seed["slug"], number)
            quoted = seed["text"][citation["start"] : citation["end"]]
            assert parsed.citation_text(number) == squash(quoted)
            if citation["feature"]:
                assert f"/features/{citation['feature']}" in parsed.hrefs()
            else:
                assert f"nm-{number}" in parsed.ids
                assert squash(citation["why"]) in squash(parsed.ids[f"nm-{number}"])


def test_source_page_keeps_paragraphs_and_maps_its_features(built_data_dir, seeds):
    seed = seeds[0]
    config = {"TESTING": True, "DATA_DIR": built_data_dir, "SHOW_FULL_TEXT": True}
    html = create_app(config).test_client().get(f"/sources/{seed['slug']}").text
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    lines = [line for line in seed["text"].splitlines() if line.strip()]
    assert article.count("<p>") == len(lines)
    parsed = Page(html)
    supported = list(dict.fromkeys(c["feature"] for c in seed["citations"] if c["feature"]))
    frames = [a["src"] for tag, a in parsed.tags if tag == "iframe"]
    assert frames == [f"/embed?only={','.join(supported)}"]
    for feature_id in supported:
        assert f"/features/{feature_id}" in parsed.hrefs()


def test_highlight_links_go_to_the_quoted_feature(client, seeds):
    seed = next(s for s in seeds if s["slug"].startswith("000_"))
    parsed = page(client, f"/sources/{seed['slug']}")
    bekabad = next(
        n for n, c in enumerate(seed["citations"]) if c["feature"] == "bekabad-industrial-park"
    )
    quote = parsed.citation_text(bekabad)
    assert ("/features/bekabad-industrial-park", quote) in [(h, squash(t)) for h, t in parsed.links]


def test_unknown_source_is_a_404_page(client):
    response = client.get("/sources/001_nope")
    assert response.status_code == 404
    assert "001_nope" in response.text


# --- escaping ----------------------------------------------------------------------------------


def hostile_feature(kind: str, feature_id: str) -> dict:
    geometry = (
        {"type": "Point", "coordinates": [69.26972, 40.22083]}
        if kind == "site"
        else {"type": "LineString", "coordinates": [[69.2, 41.3], [64.4, 39.8]]}
    )
    properties = {
        "id": feature_id,
        "name": f"Name {EVIL}",
        "aliases": [f"Alias {EVIL}"],
        "kind": kind,
        "category": f"category {EVIL}",
        "countries": ["UZ"],
        "status": {"stage": "planned", "dates": [{"event": f"event {EVIL}", "when": EVIL}]},
        "figures": [{"label": EVIL, "value": EVIL, "unit": EVIL, "quote": EVIL}],
        "description": f"Description {EVIL}",
        "sources": [{"seed": "evil.txt", "quote": f"quote {EVIL}"}],
        "located_by": [{"place": EVIL, "lon": 69.2, "lat": 40.2, "resolved_by": f"curated:{EVIL}"}],
    }
    if kind == "corridor":
        properties["length_km"] = 400.0
        properties["sites_within_100km"] = [{"id": "evil-site", "name": EVIL, "distance_km": 1.0}]
    else:
        properties["nearest_corridor"] = {"id": "evil-corridor", "name": EVIL, "distance_km": 1.0}
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


@pytest.fixture
def hostile_client(tmp_path: Path):
    features = [hostile_feature("corridor", "evil-corridor"), hostile_feature("site", "evil-site")]
    for name, kind in {
        "atlas.geojson": None,
        "corridors.geojson": "corridor",
        "sites.geojson": "site",
    }.items():
        chosen = [f for f in features if kind in (None, f["properties"]["kind"])]
        collection = {"type": "FeatureCollection", "features": chosen}
        (tmp_path / name).write_text(json.dumps(collection), encoding="utf-8")
    text = f"Title {EVIL}\n\nIntro.\nquote {EVIL} and more.\n"
    start = text.index("quote")
    end = start + len(f"quote {EVIL}")
    citations = [
        {
            "feature": f,
            "label": EVIL,
            "why": None,
            "quote": f"quote {EVIL}",
            "start": start,
            "end": end,
        }
        for f in ("evil-corridor", "evil-site")
    ] + [
        {
            "feature": None,
            "label": EVIL,
            "why": EVIL,
            "quote": "quote",
            "start": start,
            "end": start + 5,
        }
    ]
    citations.sort(key=lambda c: (c["start"], c["end"]))
    seed = {
        "seed": "evil.txt",
        "slug": "evil",
        "title": f"Title {EVIL}",
        "text": text,
        "citations": citations,
    }
    (tmp_path / "sources.json").write_text(json.dumps({"seeds": [seed]}), encoding="utf-8")
    return create_app({"TESTING": True, "DATA_DIR": tmp_path}).test_client()


@pytest.mark.parametrize(
    "path",
    ["/features", "/features/evil-site", "/features/evil-corridor", "/sources", "/sources/evil"],
)
def test_hostile_text_is_escaped_and_shown_as_text(hostile_client, path):
    response = hostile_client.get(path)
    assert response.status_code == 200
    html = response.text
    for raw in (SCRIPT_INJECTION, ATTRIBUTE_INJECTION, "<img", "alert(1)</"):
        assert raw not in html, (path, raw)
    assert "49" not in html.replace("1514402", ""), "template syntax in data must not run"
    assert EVIL in Page(html).text
    assert not [a for tag, a in Page(html).tags if tag == "script" and "src" not in a]


def test_hostile_source_page_still_links_every_citation(hostile_client):
    parsed = Page(hostile_client.get("/sources/evil").text)
    assert {"q-0", "q-1", "q-2", "nm-0"} <= set(parsed.ids)
    assert "/features/evil-site" in parsed.hrefs() and "/features/evil-corridor" in parsed.hrefs()


# --- the pure helpers ------------------------------------------------------------------------


def segments_of(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[str, tuple]]]:
    return [[(s.text, s.citations) for s in p] for p in paragraphs(text, spans)]


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("abc", [], [[("abc", ())]]),
        ("abcdef", [(1, 3), (1, 3)], [[("a", ()), ("bc", (0, 1)), ("def", ())]]),
        ("abcdef", [(0, 6), (2, 4)], [[("ab", (0,)), ("cd", (0, 1)), ("ef", (0,))]]),
        ("abcdef", [(0, 3), (3, 6)], [[("abc", (0,)), ("def", (1,))]]),
        ("ab\n\n  cd\n", [(1, 7)], [[("a", ()), ("b", (0,))], [("c", (0,)), ("d", ())]]),
    ],
    ids=["plain", "identical", "nested", "adjacent", "across-paragraphs"],
)
def test_paragraph_segments(text, spans, expected):
    assert segments_of(text, spans) == expected


def test_each_citation_starts_and_ends_once():
    split = paragraphs("one two\nthree four", [(0, 7), (4, 13), (4, 13)])
    flat = [s for p in split for s in p]
    for number in range(3):
        assert sum(number in s.starts for s in flat) == 1
        assert sum(number in s.ends for s in flat) == 1
    assert flat[1].starts == (1, 2) and flat[2].ends == (1, 2)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": ["site,castle"]}, "Unknown kind 'castle'"),
        ({"country": ["U"]}, "two-letter"),
        ({"order": ["asc", "desc"]}, "Give one order"),
    ],
)
def test_parse_query_rejects(params, message):
    with pytest.raises(QueryError, match=message):
        parse_query(params, categories=["technopark"])


def test_parse_query_merges_repeats_and_lists():
    query = parse_query({"kind": ["site", "corridor,site"], "category": [""]}, categories=[])
    assert query.filters["kind"] == ("site", "corridor")
    assert query.filters["category"] == ()
    assert (query.sort, query.order) == ("name", "asc")


@pytest.mark.parametrize(
    ("resolved_by", "text", "href"),
    [
        ("geonames:1514402", "GeoNames 1514402", "https://www.geonames.org/1514402"),
        ("curated:Wikipedia", "curated: Wikipedia", None),  # the reference follows the word
        (
            "nominatim:relation/7",
            "OpenStreetMap relation 7 (Nominatim)",
            "https://www.openstreetmap.org/relation/7",
        ),
        ("geonames:javascript:alert(1)", "geonames:javascript:alert(1)", None),
        ("something else", "something else", None),
    ],
)
def test_describe_resolution(resolved_by, text, href):
    resolution = describe_resolution(resolved_by)
    shown = " ".join(filter(None, (resolution.text, resolution.reference)))
    assert (shown, resolution.href) == (text, href)
