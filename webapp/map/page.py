"""Build the folium map of the whole atlas and render it to one HTML page (for / and /embed).

The page loads only the app's own Leaflet copy, stylesheets and scripts: folium's CDN defaults
(jQuery, Bootstrap, awesome-markers, Font Awesome…) are replaced per map instance, and nothing
here uses them. Catalogue text reaches the map only as fragments escaped by
``webapp.map.fragments`` and as JSON data. folium draws the layers; the app's scripts
(``static/map*.js``) add the search, filters, permalinks, measuring, full screen and the offline
base layer on top of them, starting from the layers that ``StartAtlas`` hands over.

An atlas of more than ``inline_limit`` features (a limit of the app) gets a page that stays
small however large the atlas grows (:func:`build_large_map`): one overlay per category, no
feature in the page; its scripts fetch the features from :data:`PageAssets.map_features` and
draw the sites clustered on a canvas (``static/map-large.js``)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import folium
from branca.element import MacroElement
from flask_babel import gettext
from markupsafe import Markup

from webapp.i18n import TRANSLATIONS, current_language, script_messages
from webapp.i18n.formatting import long_date
from webapp.i18n.vocabulary import term
from webapp.map.assets import PageAssets
from webapp.map.basemaps import BASEMAPS, NATURAL_EARTH
from webapp.map.elements import (
    AfterFeatures,
    BoundHtml,
    HtmlPage,
    Legend,
    OfflineBasemap,
    StartAtlas,
    Verbatim,
)
from webapp.map.fragments import (
    LegendEntry,
    Neighbour,
    alternates_html,
    chrome_html,
    json_data_html,
    layer_name,
    legend_html,
    local_name,
    popup_html,
    tooltip_html,
)
from webapp.map.pagedata import (
    LEG_STYLES,
    Overlay,
    basis_style,
    large_map_data,
    leg_parts,
    map_data,
    same_place,
    slug,
    stage_style,
)
from webapp.model.atlas import Atlas
from webapp.model.schema import Feature
from webapp.share import ROOT_MARK, share_meta
from webapp.style import (
    CORRIDOR_CLASS,
    SITE_CLASS,
    corridor_colour,
    dark_css,
    feature_class,
    map_colours,
    site_colour,
    site_shape,
)

TITLE = "Corridor Atlas"
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
POPUP_OPTIONS = {"maxWidth": 360, "maxHeight": 360, "className": "atlas-popup-frame"}
#: The id of the page's JSON data block (``webapp.map.pagedata``).
DATA_ELEMENT_ID = "atlas-data"
#: The id of the block of the scripts' messages in the page's language (``static/map-i18n.js``).
MESSAGES_ELEMENT_ID = "atlas-messages"
#: Above this many features, the page loads its features by URL and clusters the sites.
#: The swatch of a category of corridors (its corridors have colours of their own).
CORRIDOR_CATEGORY_COLOUR = "#555555"


def _latlon(position: list[float]) -> list[float]:
    """GeoJSON (lon, lat) to folium/Leaflet (lat, lon): the one place the order flips."""
    return [position[1], position[0]]


def _raw_properties(atlas: Atlas, feature_id: str) -> dict[str, Any]:
    """A feature's properties as built, with the fields the validated model may not carry."""
    position = atlas.store.position(feature_id)
    return json.loads(atlas.store.raw(position))["properties"] if position is not None else {}


def _source_links(atlas: Atlas, feature_id: str, sources: Sequence[Any]) -> list[str | None]:
    """Each source's link to its quote in the source page (``#q-<n>``), or to the page."""
    links: list[str | None] = []
    for source in sources:
        seed = source.get("seed") if isinstance(source, dict) else None
        article = atlas.seed(seed.removesuffix(".txt")) if isinstance(seed, str) else None
        if article is None:
            links.append(None)
            continue
        number = article.citations.number_of(feature_id, source.get("quote"))
        anchor = f"#q-{number}" if number is not None else ""
        links.append(f"/sources/{article.slug}{anchor}")
    return links


@dataclass(frozen=True)
class _Popups:
    """What a popup needs beyond its feature: the atlas (built properties, source links), the
    sites at the same place as each site, and each site's name in the page's language."""

    atlas: Atlas
    also_here: Mapping[str, list[Neighbour]]
    names: Mapping[str, tuple[str, str | None]]

    def html(self, f: Feature) -> Any:
        raw = _raw_properties(self.atlas, f.properties.id)
        links = _source_links(self.atlas, f.properties.id, raw.get("sources") or [])
        also_here = [
            (i, *self.names.get(i, (name, None)))
            for i, name, *_ in self.also_here.get(f.properties.id, [])
        ]
        return popup_html(f, raw, also_here, links)  # type: ignore[arg-type]


def _bind(layer: MacroElement, f: Feature, popups: _Popups) -> None:
    BoundHtml("bindTooltip", tooltip_html(f), sticky=True).add_to(layer)
    BoundHtml("bindPopup", popups.html(f), **POPUP_OPTIONS).add_to(layer)


def _add_corridor(
    m: folium.Map, corridor: Feature, label: tuple[str, str | None], colour: str, popups: _Popups
) -> tuple[folium.FeatureGroup, folium.PolyLine]:
    """A corridor's overlay and line: dashed by stage, thin and faded when only its endpoints
    are known. Sea legs are left out of it: the map script draws them (``legs`` in the data).
    ``label``: the overlay's label and its language if it is not the page's."""
    group = folium.FeatureGroup(name=layer_name(*label, colour, "line"), overlay=True)
    status = corridor.properties.status
    dash = stage_style(status.stage if status else None)["dash"]
    raw = _raw_properties(popups.atlas, corridor.properties.id)
    own, _ = leg_parts(corridor)
    line = folium.PolyLine(
        [[_latlon(p) for p in part] for part in own],
        color=colour,
        **basis_style(raw.get("basis")),
        dash_array=dash,
        class_name=feature_class(CORRIDOR_CLASS, corridor.properties.id),
    )
    _bind(line, corridor, popups)
    line.add_to(group)
    group.add_to(m)
    return group, line


def _add_sites(
    m: folium.Map, category: str, sites: list[Feature], popups: _Popups
) -> tuple[folium.FeatureGroup, dict[str, folium.CircleMarker]]:
    """A category's overlay and its sites' markers; the map script gives each its category's
    shape and its stage's fill, and spreads the markers that share a place."""
    name = layer_name(f"{term(category)} ({len(sites)})", site_colour(category), "dot")
    group = folium.FeatureGroup(name=name, overlay=True)
    markers = {}
    for site in sites:
        marker = folium.CircleMarker(
            _latlon(site.geometry.coordinates),  # type: ignore[arg-type]
            radius=7,
            color="#ffffff",
            weight=2,
            fill_color=site_colour(category),
            fill_opacity=0.9,
            class_name=feature_class(SITE_CLASS, site.properties.id),
        )
        _bind(marker, site, popups)
        marker.add_to(group)
        markers[site.properties.id] = marker
    group.add_to(m)
    return group, markers


def _sites_by_category(sites: Sequence[Feature]) -> list[tuple[str, list[Feature]]]:
    def key(f: Feature) -> str:
        return f.properties.category

    return [(c, list(fs)) for c, fs in groupby(sorted(sites, key=key), key=key)]


def _site_entries(counts: Sequence[tuple[str, int]]) -> list[LegendEntry]:
    """The legend's entry of each site category, switching its overlay."""
    return [
        LegendEntry(term(c), site_colour(c), n, (f"sites-{slug(c)}",), site_shape(c))
        for c, n in counts
    ]


def coverage(atlas: Atlas) -> dict[str, Any]:
    """What the map covers, for its legend: the articles (from the data's own ``metadata``),
    the span of their known publication dates, the features, and when the data last changed
    (the manifest's build time, which moves only when the data does)."""
    metadata = atlas.store.header.get("metadata")
    found = metadata.get("coverage") if isinstance(metadata, dict) else None
    found = found if isinstance(found, dict) else {}
    articles = found.get("articles") if isinstance(found.get("articles"), int) else len(atlas.seeds)
    dated = found.get("articles_dated")
    counts = atlas.counts()
    return {
        "articles": articles,
        "undated": articles - dated if isinstance(dated, int) else None,
        "first": long_date(found.get("first_published")),
        "last": long_date(found.get("last_published")),
        "corridors": counts["corridors"],
        "sites": counts["sites"],
        "updated": long_date(f"{atlas.built_at:%Y-%m-%d}"),
    }


def _legend(
    corridors: list[Feature],
    assets: PageAssets,
    by_category: list[tuple[str, list[Feature]]],
    covered: Mapping[str, Any],
) -> Legend:
    entries = []
    for i, c in enumerate(corridors):
        name, lang = local_name(c.properties)
        entries.append(LegendEntry(name, corridor_colour(i), 1, (c.properties.id,), lang=lang))
    return Legend(
        legend_html(
            corridors=entries,
            categories=_site_entries([(c, len(fs)) for c, fs in by_category]),
            downloads=list(assets.downloads.items()),
            coverage=covered,
        )
    )


def _base_layers(m: folium.Map) -> list[tuple[str, MacroElement]]:
    """The tile layers (the first one shown, by ``StartAtlas`` once the features are drawn:
    making its tiles costs the first paint tens of ms) and the offline Natural Earth layer."""
    layers: list[tuple[str, MacroElement]] = []
    for basemap in BASEMAPS:
        attribution = basemap.attribution
        if current_language() != "en":  # the tile providers' own words, as they ask for them
            attribution = f'<span lang="en">{attribution}</span>'
        tiles = folium.TileLayer(
            tiles=basemap.url,
            attr=attribution,
            name=basemap.name,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
            show=False,
            # Tiles read with CORS (the hosts send the headers): Save as PNG draws them.
            cross_origin="anonymous",
        )
        tiles.add_to(m)
        layers.append((basemap.key, tiles))
    offline = OfflineBasemap(
        gettext(NATURAL_EARTH.name), NATURAL_EARTH.url, gettext(NATURAL_EARTH.attribution)
    )
    offline.add_to(m)
    layers.append((NATURAL_EARTH.key, offline))
    return layers


def _new_map(atlas: Atlas, assets: PageAssets, scripts: str | None = None) -> folium.Map:
    """The map and its page, loading ``scripts`` deferred (a bundle's URL) if given.

    Only Leaflet, the theme and one stylesheet block the first paint: the app's scripts are one
    bundle (``webapp.map.bundles``), which runs after the page's inline script has drawn the
    features, and starts the rich controls then (``StartAtlas``)."""
    min_lon, min_lat, max_lon, max_lat = atlas.bbox()
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=4,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,  # fit the data snugly rather than at the next whole zoom level
    )
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("map_css", assets.map_styles)]
    language = current_language()
    page = HtmlPage(language, title=TITLE)
    page.add_child(m)
    icon = Markup('<link rel="icon" href="{}">').format(assets.favicon)
    page.header.add_child(folium.Element(icon), "icon")
    printed = Markup('<link rel="stylesheet" href="{}" media="print">')
    page.header.add_child(Verbatim(printed.format(assets.static_prefix + "print.css")), "print")
    page.header.add_child(folium.Element(alternates_html()), "alternates")
    page.header.add_child(folium.Element(_share_card()), "share_card")
    # The theme before the first paint (static/theme.js), and the feature colours that need a
    # lighter variant to stand out on the dark theme's land (webapp.style.dark_css).
    theme = Markup('<script src="{}"></script>').format(assets.static_prefix + "theme.js")
    page.header.add_child(Verbatim(theme), "atlas_theme")
    if scripts:
        deferred = Markup('<script src="{}" defer></script>').format(scripts)
        page.header.add_child(Verbatim(deferred), "atlas_scripts")
    colours = [*map_colours(), *(leg["color"] for leg in LEG_STYLES.values())]
    dark = dark_css([*colours, CORRIDOR_CATEGORY_COLOUR])  # the app's own: nothing to escape
    page.header.add_child(Verbatim(f"<style>\n{dark}\n</style>"), "atlas_dark_colours")
    messages = script_messages(TRANSLATIONS, language)
    page.html.add_child(Verbatim(json_data_html(MESSAGES_ELEMENT_ID, messages)), "atlas_messages")
    page.html.add_child(Verbatim(chrome_html(m.get_name())), "atlas_chrome")
    return m


def _share_card() -> Markup:
    """The page's share card (og: and twitter: tags), its addresses to be completed per request
    (``webapp.share.with_public_root``): the page is rendered before any request."""
    description = gettext(
        "Transport corridors and industrial and logistics sites of Central Asia, every fact "
        "cited to its source article."
    )
    return share_meta(TITLE, description, root=ROOT_MARK)


def build_map(atlas: Atlas, assets: PageAssets) -> folium.Map:
    """The full-window map: base layers, one overlay per corridor and per site category,
    a legend and a layer control, handed to the app's scripts with the page's JSON data
    (which fit the map to the data's bounding box or to the view in the URL)."""
    m = _new_map(atlas, assets)
    bases = _base_layers(m)
    overlays: list[tuple[Overlay, MacroElement]] = []
    features: list[tuple[str, MacroElement]] = []
    corridors = list(atlas.corridors)  # validated once: each reading of the atlas parses
    sites = list(atlas.sites)
    popups = _Popups(
        atlas, same_place(sites), {s.properties.id: local_name(s.properties) for s in sites}
    )
    labels = [local_name(c.properties) for c in corridors]
    names = Counter(name for name, _ in labels)
    for index, (corridor, (label, lang)) in enumerate(zip(corridors, labels, strict=True)):
        # The layer control keys overlays by label: two corridors sharing a name need the id.
        if names[label] > 1:
            label = f"{label} ({corridor.properties.id})"
        colour = corridor_colour(index)
        group, line = _add_corridor(m, corridor, (label, lang), colour, popups)
        cid = corridor.properties.id
        overlays.append((Overlay(cid, label, corridor.properties.category, (cid,)), group))
        features.append((cid, line))
    by_category = _sites_by_category(sites)
    for category, members in by_category:
        group, markers = _add_sites(m, category, members, popups)
        overlay = Overlay(f"sites-{slug(category)}", term(category), category, tuple(markers))
        overlays.append((overlay, group))
        features.extend(markers.items())
    AfterFeatures().add_to(m)
    _legend(corridors, assets, by_category, coverage(atlas)).add_to(m)
    control = folium.LayerControl(collapsed=True)
    control.add_to(m)
    # No folium fit_bounds: its animated zoom would land after, and undo, the view that
    # map.js sets from the URL. map.js fits the data's bounds (from the JSON data) itself.
    data = map_data(atlas, [o for o, _ in overlays])
    return _started(m, control, bases, overlays, data, features, assets.map_scripts)


def build_large_map(atlas: Atlas, assets: PageAssets) -> folium.Map:
    """The map of a large atlas: the same base layers, tools and filters, one empty overlay
    per category of corridors and of sites (map-large.js draws into them), a legend by
    category, and page data that names the feed of features instead of holding them."""
    m = _new_map(atlas, assets, assets.large_map_scripts)
    # The feed is most of the wait for the first clusters: fetch it while the scripts load (the
    # scripts' fetch, same-origin credentials, then takes this response).
    feed = Markup('<link rel="preload" href="{}" as="fetch" crossorigin="anonymous">')
    m.get_root().header.add_child(Verbatim(feed.format(assets.map_features)), "atlas_feed")
    bases = _base_layers(m)
    overlays: list[tuple[Overlay, MacroElement]] = []
    corridor_categories = atlas.category_counts("corridor")
    site_categories = atlas.category_counts("site")
    for kind, prefix, by_category in (
        ("corridor", "corridors", corridor_categories),
        ("site", "sites", site_categories),
    ):
        for category, count in by_category:
            label = f"{term(category)} ({count})"
            if kind == "corridor":
                name = layer_name(label, CORRIDOR_CATEGORY_COLOUR, "line")
            else:
                name = layer_name(label, site_colour(category), "dot")
            group = folium.FeatureGroup(name=name, overlay=True)
            group.add_to(m)
            key = f"{prefix}-{slug(category)}"
            overlays.append((Overlay(key, term(category), category, (), kind), group))
    AfterFeatures().add_to(m)
    Legend(
        legend_html(
            corridors=[
                LegendEntry(term(c), CORRIDOR_CATEGORY_COLOUR, count, (f"corridors-{slug(c)}",))
                for c, count in corridor_categories
            ],
            categories=_site_entries(site_categories),
            downloads=list(assets.downloads.items()),
        )
    ).add_to(m)
    control = folium.LayerControl(collapsed=True)
    control.add_to(m)
    urls = {"features": assets.map_features, "popups": assets.map_popups}
    data = large_map_data(atlas, [o for o, _ in overlays], urls)
    return _started(m, control, bases, overlays, data, [])


def _started(
    m: folium.Map,
    control: folium.LayerControl,
    bases: list[tuple[str, MacroElement]],
    overlays: list[tuple[Overlay, MacroElement]],
    data: dict,
    features: list[tuple[str, MacroElement]],
    scripts: str | None = None,
) -> folium.Map:
    """``m`` with the page's JSON data and the script that starts the atlas from it (loading
    ``scripts`` after the first frame, if given)."""
    m.get_root().html.add_child(Verbatim(json_data_html(DATA_ELEMENT_ID, data)), "atlas_data")
    StartAtlas(
        control,
        DATA_ELEMENT_ID,
        bases=bases,
        shown=BASEMAPS[0].key,
        overlays=[(o.key, group) for o, group in overlays],
        features=features,
        scripts=scripts,
    ).add_to(m)
    return m


def render_page(atlas: Atlas, assets: PageAssets, inline_limit: int = 1000) -> str:
    """The complete HTML page of the map (rendered once, at app creation; / and /embed): every
    feature inline up to ``inline_limit`` features, else the large atlas's page."""
    if len(atlas) > inline_limit:
        page = build_large_map(atlas, assets).get_root().render()
    else:
        page = build_map(atlas, assets).get_root().render()
    # folium's viewport forbids zooming the page (user-scalable=no, maximum-scale=1.0); a
    # reader who needs larger text must be able to pinch-zoom (WCAG 1.4.4).
    return _FOLIUM_VIEWPORT.sub(_VIEWPORT, page, count=1)
