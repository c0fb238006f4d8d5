"""Turn catalogue places into positions, recording how each was found.

A curated place carries its own coordinate and reference. A gazetteer place is looked up by a
*locator*: the offline :class:`~geodata.gazetteer.GazetteerGeocoder` by default, or geopy's
Nominatim when a user asks for it (``--geocoder nominatim``), rate-limited to one request a
second and cached on disk so a rebuild sends nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder

from geodata.catalogue import CuratedPlace, GazetteerPlace, PlaceSpec
from geodata.errors import GeocoderUnavailable, GeocodingError, PlaceNotFound
from geodata.gazetteer import GazetteerGeocoder

NOMINATIM_MIN_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class ResolvedPlace:
    """A position and the evidence for it (``geonames:<id>``, ``curated:<ref>``, ...)."""

    label: str
    lon: float
    lat: float
    resolved_by: str


class Locator(Protocol):
    """Finds a gazetteer place; raises :class:`~geodata.errors.GeocodingError` if it cannot."""

    def locate(self, place: GazetteerPlace) -> ResolvedPlace: ...


class GazetteerLocator:
    """Offline lookups in the GeoNames index; pins and regions are honoured."""

    def __init__(self, geocoder: GazetteerGeocoder | None = None) -> None:
        self.geocoder = geocoder or GazetteerGeocoder()

    def locate(self, place: GazetteerPlace) -> ResolvedPlace:
        location = self.geocoder.geocode(
            place.place,
            country_codes=place.country,
            admin1=place.admin1,
            geonames_id=place.geonames_id,
        )
        return ResolvedPlace(
            place.place,
            location.longitude,
            location.latitude,
            f"geonames:{location.raw['geonameid']}",
        )


class NominatimLocator:
    """Online lookups through a geopy geocoder (Nominatim), one request a second, cached.

    ``geocoder`` is any geopy geocoder; tests pass a fake. The cache is a JSON file mapping
    ``"<country>|<name>"`` to the answer, so a rebuild asks the service nothing.
    """

    def __init__(self, geocoder: Geocoder, cache_path: Path) -> None:
        self.cache_path = cache_path
        self._geocode = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=NOMINATIM_MIN_DELAY_SECONDS,
            max_retries=2,
            error_wait_seconds=2.0,
            swallow_exceptions=False,
        )
        try:
            self._cache: dict[str, dict] = json.loads(cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._cache = {}

    def locate(self, place: GazetteerPlace) -> ResolvedPlace:
        key = f"{place.country}|{place.place}"
        if key not in self._cache:
            self._cache[key] = self._ask(place)
            self._save()
        answer = self._cache[key]
        return ResolvedPlace(place.place, answer["lon"], answer["lat"], answer["resolved_by"])

    def _ask(self, place: GazetteerPlace) -> dict:
        try:
            location = self._geocode(place.place, exactly_one=True, country_codes=place.country)
        except GeopyError as err:
            raise GeocoderUnavailable(f"Nominatim failed for {place.place!r}: {err}") from err
        if location is None:
            raise PlaceNotFound(f"Nominatim found no place {place.place!r} in {place.country}")
        raw = location.raw
        return {
            "lon": round(location.longitude, 6),
            "lat": round(location.latitude, 6),
            "resolved_by": f"nominatim:{raw.get('osm_type', '?')}/{raw.get('osm_id', '?')}",
        }

    def _save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=self.cache_path.parent, delete=False, encoding="utf-8"
        ) as handle:
            json.dump(self._cache, handle, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(handle.name, self.cache_path)


def make_nominatim_locator(
    user_agent: str, cache_path: Path, base_url: str = "https://nominatim.openstreetmap.org"
) -> NominatimLocator:
    """The opt-in online locator; Nominatim's policy requires a user agent naming the app.

    ``base_url`` may point at a self-hosted Nominatim; answers are cached per service.
    """
    from urllib.parse import urlsplit

    from geopy.geocoders import Nominatim

    if not user_agent or not user_agent.strip():
        raise GeocodingError(
            "Nominatim needs a user agent that identifies you, e.g. "
            "--user-agent 'corridor-atlas (you@example.org)'"
        )
    url = urlsplit(base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise GeocodingError(f"--nominatim-url must be an http(s) URL, not {base_url!r}")
    geocoder = Nominatim(
        user_agent=user_agent,
        timeout=10,
        domain=url.netloc + url.path.rstrip("/"),
        scheme=url.scheme,
    )
    cache_file = cache_path.with_name(f"{cache_path.stem}-{url.netloc}{cache_path.suffix}")
    return NominatimLocator(geocoder, cache_file)


def resolve(place: PlaceSpec, locator: Locator) -> ResolvedPlace:
    """Position of a catalogue place: its curated coordinate, or what the locator finds."""
    if isinstance(place, CuratedPlace):
        return ResolvedPlace(place.name, place.lon, place.lat, f"curated:{place.reference}")
    return locator.locate(place)
