"""Build the folium map of the whole atlas and render it to one HTML page.

The page loads only the app's own Leaflet copy and stylesheet: folium's CDN defaults (jQuery,
Bootstrap, awesome-markers, Font Awesome…) are replaced per map instance, and nothing here uses
them. Catalogue text reaches the map only as fragments escaped by ``webapp.popups``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby

import folium
from branca.element import MacroElement
from markupsafe import Markup

from webapp.atlas import Atlas
from webapp.basemaps import BASEMAPS
from webapp.elements import BoundHtml, Legend
from webapp.popups import layer_name, legend_html, popup_html, tooltip_html
from webapp.schema import Feature
from webapp.style import CORRIDOR_CLASS, SITE_CLASS, corridor_colour, feature_class, site_colour

TITLE = "Corridor Atlas"
POPUP_OPTIONS = {"maxWidth": 360, "maxHeight": 360}
#: Padding (px) kept free at the bottom right when fitting the data, so the legend hides none.
LEGEND_CLEARANCE = (300, 24)


@dataclass(frozen=True)
class PageAssets:
    """URLs (served by this app) of what the page loads, and of the data downloads."""

    leaflet_js: str
    leaflet_css: str
    atlas_css: str
    favicon: str
    downloads: Mapping[str, str]


def _latlon(position: list[float]) -> list[float]:
    """GeoJSON (lon, lat) to folium/Leaflet (lat, lon): the one place the order flips."""
    return [position[1], position[0]]


def _bind(layer: MacroElement, f: Feature) -> None:
    BoundHtml("bindTooltip", tooltip_html(f), sticky=True).add_to(layer)
    BoundHtml("bindPopup", popup_html(f), **POPUP_OPTIONS).add_to(layer)


def _add_corridor(m: folium.Map, corridor: Feature, label: str, colour: str) -> None:
    group = folium.FeatureGroup(name=layer_name(label, colour, "line"), overlay=True)
    line = folium.PolyLine(
        [[_latlon(p) for p in part] for part in corridor.lines()],
        color=colour,
        weight=4,
        opacity=0.85,
        class_name=feature_class(CORRIDOR_CLASS, corridor.properties.id),
    )
    _bind(line, corridor)
    line.add_to(group)
    group.add_to(m)


def _add_sites(m: folium.Map, category: str, sites: list[Feature]) -> None:
    name = layer_name(f"{category} ({len(sites)})", site_colour(category), "dot")
    group = folium.FeatureGroup(name=name, overlay=True)
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
        _bind(marker, site)
        marker.add_to(group)
    group.add_to(m)


def _sites_by_category(atlas: Atlas) -> list[tuple[str, list[Feature]]]:
    def key(f: Feature) -> str:
        return f.properties.category

    return [(c, list(fs)) for c, fs in groupby(sorted(atlas.sites, key=key), key=key)]


def _legend(
    atlas: Atlas, assets: PageAssets, by_category: list[tuple[str, list[Feature]]]
) -> Legend:
    return Legend(
        legend_html(
            corridors=[
                (c.properties.name, corridor_colour(i)) for i, c in enumerate(atlas.corridors)
            ],
            categories=[(c, site_colour(c), len(fs)) for c, fs in by_category],
            downloads=list(assets.downloads.items()),
        )
    )


def build_map(atlas: Atlas, assets: PageAssets) -> folium.Map:
    """The full-window map: base layers, one overlay per corridor and per site category,
    a legend and a layer control, fitted to the data's bounding box."""
    min_lon, min_lat, max_lon, max_lat = atlas.bbox()
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=4,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,  # fit the data snugly rather than at the next whole zoom level
    )
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css), ("atlas_css", assets.atlas_css)]
    root = m.get_root()
    root.title = TITLE
    icon = Markup('<link rel="icon" href="{}">').format(assets.favicon)
    root.header.add_child(folium.Element(icon), "icon")
    for index, basemap in enumerate(BASEMAPS):
        folium.TileLayer(
            tiles=basemap.url,
            attr=basemap.attribution,
            name=basemap.name,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
            show=index == 0,
        ).add_to(m)
    names = Counter(c.properties.name for c in atlas.corridors)
    for index, corridor in enumerate(atlas.corridors):
        # The layer control keys overlays by label: two corridors sharing a name need the id.
        label = corridor.properties.name
        if names[label] > 1:
            label = f"{label} ({corridor.properties.id})"
        _add_corridor(m, corridor, label, corridor_colour(index))
    by_category = _sites_by_category(atlas)
    for category, sites in by_category:
        _add_sites(m, category, sites)
    _legend(atlas, assets, by_category).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(
        [[min_lat, min_lon], [max_lat, max_lon]],
        padding_top_left=(24, 24),
        padding_bottom_right=LEGEND_CLEARANCE,
    )
    return m


def render_page(atlas: Atlas, assets: PageAssets) -> str:
    """The complete HTML page of the map (rendered once, at app creation)."""
    return build_map(atlas, assets).get_root().render()
