"""What the map draws, checked without a browser: colours that meet contrast against the base
map's land, a shape per category, popups that lead with status and citation, the legend's
encodings, and corridors styled by stage, basis and mode (issue 12, items 1, 2, 5 and 8).

The browser side (clicks, rendered dash arrays, the legend as a filter) is
tests/browser/test_map_drawing.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geodata.vocabulary import SITE_CATEGORIES, STAGES
from tests.support.pages import JS_STRING, map_data, popups_by_id
from tests.support.samples import feature, write_data_dir
from tests.webapp.test_webapp import html_text
from webapp import create_app
from webapp.map.pagedata import (
    LEG_STYLES,
    SHAPES,
    STAGE_STYLES,
    leg_parts,
    same_place,
    shape_path,
    stage_style,
)
from webapp.model.schema import Feature
from webapp.style import (
    BASE_LAND_COLOUR,
    CORRIDOR_PALETTE,
    SITE_COLOURS,
    SITE_SHAPES,
    UNKNOWN_SITE_COLOUR,
    site_shape,
)

BASEMAP_SCRIPT = Path(__file__).parents[2] / "webapp" / "static" / "map-basemap.js"


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#e6ab02", "#f6f3ea") == pytest.approx(1.86, abs=0.01)  # the figure


def test_the_land_colour_is_the_base_maps_own():
    land = re.search(r'land:\s*\{[^}]*fillColor:\s*"(#[0-9a-fA-F]{6})"', BASEMAP_SCRIPT.read_text())
    assert land, "map-basemap.js no longer styles its land with a fillColor"
    assert land.group(1).lower() == BASE_LAND_COLOUR


COLOURS = {
    **{f"site: {c}": colour for c, colour in SITE_COLOURS.items()},
    "site: unknown category": UNKNOWN_SITE_COLOUR,
    **{f"corridor #{i}": colour for i, colour in enumerate(CORRIDOR_PALETTE)},
    **{f"{mode} leg": style["color"] for mode, style in LEG_STYLES.items()},
}


@pytest.mark.parametrize("name", sorted(COLOURS))
def test_every_category_colour_has_3_to_1_contrast_against_the_land(name):
    assert contrast(COLOURS[name], BASE_LAND_COLOUR) >= 3.0, (name, COLOURS[name])


def test_every_site_category_has_a_shape_of_its_own():
    assert set(SITE_SHAPES) == set(SITE_COLOURS) == set(SITE_CATEGORIES)
    assert len(set(SITE_SHAPES.values())) == len(SITE_SHAPES), "two categories share a shape"
    assert set(SITE_SHAPES.values()) <= set(SHAPES)
    assert site_shape("technopark") != site_shape("education")  # alike to red-blind readers


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shapes_fit_the_marker_radius(shape):
    for x, y in SHAPES[shape]:
        assert max(abs(x), abs(y)) <= 1.0
    path = shape_path(shape, 7, 100, 50)
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    assert path.startswith("M") and path.endswith("Z")
    assert numbers, path


def test_every_stage_has_a_line_and_a_fill_and_the_groups_differ():
    assert set(STAGE_STYLES) == set(STAGES)
    styles = {(s["dash"], s["fill"]) for s in STAGE_STYLES.values()}
    assert styles == {(None, "full"), ("10 7", "half"), ("1 8", "ring")}
    assert stage_style("no such stage") == stage_style("proposed")


# --- popups ----------------------------------------------------------------------------------


def test_popups_lead_with_status_then_citation_then_description(client, built_data_dir):
    popups = popups_by_id(client.get("/").text)
    features = {f["id"]: f["properties"] for f in _features(built_data_dir)}
    for feature_id, html in popups.items():
        props = features[feature_id]
        text = html_text(html)
        status = text.index(props["status"]["stage"])
        quote = text.index(props["sources"][0]["quote"])
        description = text.index(props["description"])
        assert status < quote < description, feature_id
        reported = props["status"].get("as_reported")
        assert ("as reported on" if reported else "date of report unknown") in text
        assert not re.search(r"\bseed\b", text, re.I), feature_id
        if props.get("length_km"):
            assert re.search(r"≈ [\d,.]+ km, schematic", text), feature_id
            assert f"{props['length_km']:,.1f}" not in text


def test_coincident_sites_list_each_other_as_also_here(client, built_data_dir):
    popups = popups_by_id(client.get("/").text)
    names = {f["id"]: f["properties"]["name"] for f in _features(built_data_dir)}
    tashkent = ["consultative-meeting-heads-of-state-tashkent", "innoprom-central-asia"]
    tashkent.append("mephi-tashkent-branch")
    bukhara = [
        "bukhara-region-russian-uzbek-technopark",
        "central-asia-russia-industrial-engineering-hub",
    ]
    for group in (tashkent, bukhara):
        for site in group:
            also = re.search(r'<p class="atlas-popup-also">(.*?)</p>', popups[site], re.S)
            assert also, f"{site} lists no site at its place"
            links = re.findall(r'<a href="/features/([\w-]+)" data-atlas-open="\1">', also.group(1))
            assert sorted(links) == sorted(s for s in group if s != site)
            for other in links:
                assert html_text(also.group(1)).count(names[other]) == 1
    assert "atlas-popup-also" not in popups["bekabad-industrial-park"]


def test_same_place_is_within_a_kilometre():
    def site(fid: str, lon: float, lat: float) -> Feature:
        f = feature("site", id=fid, name=fid.upper())
        f["geometry"]["coordinates"] = [lon, lat]
        return Feature.model_validate(f)

    near = same_place([site("a", 69.2, 41.3), site("b", 69.205, 41.3), site("c", 69.22, 41.3)])
    assert near == {"a": [("b", "B")], "b": [("a", "A")]}  # c is 1.7 km east of a


def _features(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "atlas.geojson").read_text(encoding="utf-8"))["features"]


EVIL = "</script><b>{{7*7}}</b>`${x}`<img src=x onerror=alert(1)>"


def test_citation_fields_are_escaped_and_unknowns_said(tmp_path):
    cited = {
        "seed": "000_x.txt",
        "quote": f"a quote {EVIL}",
        "title": f"Headline {EVIL}",
        "title_is_editorial": True,
        "publisher": f"Publisher {EVIL}",
        "published": "2024-07-14",
    }
    bare = {"seed": "001_y.txt", "quote": "another quote"}
    status = {"stage": "planned", "stage_assessment": f"why {EVIL}", "as_reported": "2024-07-14"}
    site = feature("site", id="evil", sources=[cited, bare], status=status)
    data_dir = write_data_dir(tmp_path, [site])
    page = create_app({"DATA_DIR": data_dir}).test_client().get("/").text
    html = popups_by_id(page)["evil"]
    assert "<b>" not in html and "<img" not in html and "</script>" not in html
    assert "{{7*7}}" not in page and "49</b>" not in page
    text = html_text(html)
    assert f"Headline {EVIL} (title by the atlas), Publisher {EVIL}, 14 July 2024" in text
    assert "as reported on 14 July 2024" in text
    assert f"Stage assessed by the atlas: why {EVIL}" in text
    assert "“another quote”" in text
    assert "— untitled article, publisher unknown, date unknown" in text


# --- the legend and the corridors' drawing ------------------------------------------------------


def _legend(page: str) -> str:
    (legend,) = re.findall(rf"div\.innerHTML = ({JS_STRING})", page)
    return json.loads(legend)


def test_legend_explains_every_encoding_and_names_each_entrys_overlays(client):
    page = client.get("/").text
    legend = _legend(page)
    text = html_text(legend)
    for words in (
        "operational or completed",
        "under construction",
        "planned or proposed",
        "drawn through its stations",
        "only its endpoints known",
        "sea or ferry crossing",
        "sites at one place",
    ):
        assert words in text
    for dash in ("10 7", "1 8", LEG_STYLES["sea"]["dash"]):
        assert f'stroke-dasharray="{dash}"' in legend
    overlays = {o["key"] for o in map_data(page)["overlays"]}
    listed = re.findall(r'data-overlays="([^"]*)"', legend)
    assert {key for keys in listed for key in keys.split()} == overlays
    assert legend.count('data-legend-bulk="all"') == legend.count('data-legend-bulk="none"') == 2
    assert legend.count('class="atlas-legend-only"') == len(listed)


def _polyline(page: str, corridor_id: str) -> tuple[list, dict]:
    """The [lat, lon] parts and the options of a corridor's folium polyline."""
    options_at = page.index(f'"atlas-corridor atlas-id-{corridor_id}"')
    start = page.rindex("L.polyline(", 0, options_at) + len("L.polyline(")
    decoder = json.JSONDecoder()
    latlngs, end = decoder.raw_decode(page[start:].lstrip())
    rest = page[start:].lstrip()[end:].lstrip().removeprefix(",").lstrip()
    options, _ = decoder.raw_decode(rest)
    return latlngs, options


def test_corridor_lines_are_dashed_by_stage_and_faded_between_endpoints(tmp_path):
    corridors = [
        feature("corridor", id=f"c-{stage.replace(' ', '-')}", status={"stage": stage}, basis=basis)
        for stage, basis in zip(
            STAGES, ["endpoints", "stations", "mixed", None, "stations"], strict=True
        )
    ]
    page = create_app({"DATA_DIR": write_data_dir(tmp_path, corridors)}).test_client().get("/").text
    for f in corridors:
        _, options = _polyline(page, f["id"])
        style = stage_style(f["properties"]["status"]["stage"])
        assert options.get("dashArray") == style["dash"], f["id"]
        faded = f["properties"]["basis"] == "endpoints"
        assert (options["opacity"] < 0.6) == faded and (options["weight"] < 4) == faded


def test_sea_legs_are_drawn_apart_from_the_corridor_line(tmp_path):
    sea = feature("corridor", id="with-sea", leg_modes=["rail", "sea"])
    mismatched = feature("corridor", id="mismatched", leg_modes=["sea"])  # 2 parts, 1 mode
    page = create_app({"DATA_DIR": write_data_dir(tmp_path, [sea, mismatched])})
    text = page.test_client().get("/").text
    data = {f["id"]: f for f in map_data(text)["features"]}
    rail, water = sea["geometry"]["coordinates"]
    assert data["with-sea"]["legs"] == [
        {"mode": "sea", "lines": [[[lat, lon] for lon, lat in water]]}
    ]
    assert data["mismatched"]["legs"] == []  # drawn all as land rather than guessed
    own, apart = leg_parts(Feature.model_validate(sea))
    assert own == [rail] and apart == {"sea": [water]}
    latlngs, _ = _polyline(text, "with-sea")
    assert latlngs == [[[lat, lon] for lon, lat in rail]]
    assert map_data(text)["drawing"]["legs"]["sea"] == LEG_STYLES["sea"]


def test_the_legend_says_what_the_map_covers_and_links_the_method(client, built_data_dir):
    metadata = json.loads((built_data_dir / "atlas.geojson").read_text("utf-8"))["metadata"]
    covered = metadata["coverage"]
    text = " ".join(html_text(_legend(client.get("/").text)).split())
    undated = covered["articles"] - covered["articles_dated"]
    assert f"This map covers {covered['articles']} news articles" in text
    assert f"({undated} of unknown date)" in text
    assert "published 14 July 2024" in text  # the one dated article (its byline)
    assert "6 corridors and 16 sites" in text and "Data last changed" in text
    assert 'href="/about"' in _legend(client.get("/").text)
