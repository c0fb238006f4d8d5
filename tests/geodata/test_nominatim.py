"""The opt-in Nominatim path, exercised with a fake geocoder: no request leaves the machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from geopy.exc import GeocoderServiceError
from geopy.location import Location

from geodata.catalogue import GazetteerPlace
from geodata.errors import GeocoderUnavailable, GeocodingError, PlaceNotFound
from geodata.geocoding import NominatimLocator, make_nominatim_locator


class FakeNominatim:
    """Answers like geopy's Nominatim; counts calls; can be told to fail."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.fail_with = fail_with

    def geocode(self, query: str, **kwargs):
        self.calls.append((query, kwargs))
        if self.fail_with:
            raise self.fail_with
        if query == "Nowhere":
            return None
        return Location(query, (41.3, 69.2), {"osm_type": "relation", "osm_id": 2211})


TASHKENT = GazetteerPlace(place="Tashkent", country="UZ")
BUKHARA = GazetteerPlace(place="Bukhara", country="UZ")


def _locator(fake: FakeNominatim, cache: Path, sleeps: list[float]) -> NominatimLocator:
    """A locator whose rate limiter runs on a fake clock that only sleeping advances."""
    locator = NominatimLocator(fake, cache)
    now = [1000.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    # geopy's RateLimiter reads time and waits only through these two methods.
    locator._geocode._clock = lambda: now[0]
    locator._geocode._sleep = sleep
    return locator


def test_answers_are_recorded_and_cached(tmp_path: Path):
    fake, sleeps = FakeNominatim(), []
    locator = _locator(fake, tmp_path / "cache.json", sleeps)
    place = locator.locate(TASHKENT)
    assert (place.lon, place.lat, place.resolved_by) == (69.2, 41.3, "nominatim:relation/2211")
    assert fake.calls == [("Tashkent", {"exactly_one": True, "country_codes": "UZ"})]
    locator.locate(TASHKENT)
    again = _locator(fake, tmp_path / "cache.json", sleeps)
    assert again.locate(TASHKENT) == place
    assert len(fake.calls) == 1, "a cached answer was asked for again"


def test_requests_are_at_least_one_second_apart(tmp_path: Path):
    fake, sleeps = FakeNominatim(), []
    locator = _locator(fake, tmp_path / "cache.json", sleeps)
    locator.locate(TASHKENT)
    locator.locate(BUKHARA)
    assert len(fake.calls) == 2
    assert sum(sleeps) == pytest.approx(1.0)


def test_service_errors_are_not_swallowed(tmp_path: Path):
    fake = FakeNominatim(fail_with=GeocoderServiceError("HTTP 503"))
    locator = _locator(fake, tmp_path / "cache.json", [])
    with pytest.raises(GeocoderUnavailable, match="HTTP 503"):
        locator.locate(TASHKENT)
    assert not (tmp_path / "cache.json").exists()


def test_no_answer_is_place_not_found(tmp_path: Path):
    locator = _locator(FakeNominatim(), tmp_path / "cache.json", [])
    with pytest.raises(PlaceNotFound, match="Nowhere"):
        locator.locate(GazetteerPlace(place="Nowhere", country="UZ"))


@pytest.mark.parametrize("user_agent", ["", "   "])
def test_a_user_agent_is_required(tmp_path: Path, user_agent):
    with pytest.raises(GeocodingError, match="--user-agent"):
        make_nominatim_locator(user_agent, tmp_path / "cache.json")


def test_the_real_nominatim_is_configured_politely(tmp_path: Path):
    locator = make_nominatim_locator("corridor-atlas-tests", tmp_path / "cache.json")
    assert locator._geocode.min_delay_seconds == 1.0
    assert locator._geocode.swallow_exceptions is False
