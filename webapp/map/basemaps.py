"""The base layers offered on the map, with their attributions.

Kept as one table so the tile hosts allowed by the Content-Security-Policy are derived from the
very URLs the map uses. These are the only external requests the page makes. The offline layer
(Natural Earth, served by this app) is the fallback when no tile server answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Basemap:
    """A tile layer: URL-state key, display name, URL template, HTML attribution, zoom limit."""

    key: str
    name: str
    url: str
    attribution: str
    max_zoom: int
    subdomains: str = "abc"


@dataclass(frozen=True)
class OfflineBasemap:
    """The base layer drawn from a GeoJSON file of this app: no tile server involved."""

    key: str
    name: str
    url: str
    attribution: str


BASEMAPS = (
    Basemap(
        "osm",
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        OSM_ATTRIBUTION,
        19,
    ),
    Basemap(
        # CARTO asks for an API key in new integrations; this keyless URL is the classic one.
        "positron",
        "CartoDB Positron",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        OSM_ATTRIBUTION + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
        20,
        subdomains="abcd",
    ),
    Basemap(
        "imagery",
        "Esri World Imagery",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
        "Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community",
        18,
    ),
)


#: Country borders and coastlines from Natural Earth (geodata/basemap/, served by ``views``).
NATURAL_EARTH = OfflineBasemap(
    "offline",
    "Offline: Natural Earth",
    "/basemap/natural-earth.geojson",
    'Made with <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
)


def tile_origins() -> list[str]:
    """CSP source expressions for the tile hosts; a ``{s}`` subdomain becomes a wildcard.

    >>> tile_origins()[1]
    'https://*.basemaps.cartocdn.com'
    """
    origins = []
    for basemap in BASEMAPS:
        parts = urlsplit(basemap.url)
        origins.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return origins
