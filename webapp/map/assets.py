"""The local URLs the map page loads (Leaflet, the bundles, the favicon, the downloads, a
large atlas's feed and popups): one place, matching the routes the app registers, for the page
and for what reads it (the static publisher, the tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from webapp.model.atlas import FILES


@dataclass(frozen=True)
class PageAssets:
    """URLs (served by this app) of what the page loads, and of the data downloads."""

    leaflet_js: str
    favicon: str
    downloads: Mapping[str, str]
    static_prefix: str = "/static/"
    #: A large atlas's features (``webapp.map.pagedata.map_feed``) and its popups (prefix of
    #: ``<feature id>.html``), both served by ``webapp.map.routes``.
    map_features: str = "/assets/map/features.json"
    map_popups: str = "/assets/map/popups/"
    #: The bundles of ``webapp.map.bundles``: the map's stylesheets (Leaflet's among them),
    #: and its scripts, deferred (a large atlas's own set).
    map_styles: str = "/static/map.bundle.css"
    map_scripts: str = "/static/map.bundle.js"
    large_map_scripts: str = "/static/map-large.bundle.js"


def page_assets() -> PageAssets:
    """The local URLs the map page loads; they match the routes this app registers."""
    return PageAssets(
        leaflet_js="/assets/leaflet/leaflet.js",
        favicon="/static/favicon.svg",
        downloads={name: f"/data/{name}" for name in FILES},
    )
