"""The base layers offered on the map, with their attributions.

Kept as one table so the tile hosts allowed by the Content-Security-Policy are derived from the
very URLs the map uses. These are the only external requests the page makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Basemap:
    """A tile layer: display name, URL template, HTML attribution and zoom limit."""

    name: str
    url: str
    attribution: str
    max_zoom: int
    subdomains: str = "abc"


BASEMAPS = (
    Basemap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_ATTRIBUTION, 19),
    Basemap(
        # CARTO asks for an API key in new integrations; this keyless URL is the classic one.
        "CartoDB Positron",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        OSM_ATTRIBUTION + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
        20,
        subdomains="abcd",
    ),
    Basemap(
        "Esri World Imagery",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
        "Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community",
        18,
    ),
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
