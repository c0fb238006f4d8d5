"""Choose the place each recognised name stands for, reading the whole article.

Every candidate gets a score: a small prior from its kind and population, plus what the article
says around it: the countries it names (or points at with words such as "Uzbek"), the regions it
names, and the places nearby that are certain (only one candidate, or a country). Population is
only a prior: a town of 5,000 in the country the article is about beats a city of a million
elsewhere. When the best two candidates are far apart and nearly tied, the name is flagged
unresolved with both as alternatives instead of guessed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from geodata.gazetteer import GazetteerIndex
from geodata.geometry import geodesic_km
from geodata.geoparse.areas import Area, AreaTable
from geodata.names import exact_key

#: Scores closer than this between far-apart candidates leave a name unresolved.
TIE_MARGIN = 0.08
#: Candidates closer than this are one place for the tie rule (a town and its district).
SAME_PLACE_KM = 50.0
MAX_CANDIDATES = 60


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    geonameid: int | None
    population: int
    primary: bool  # the query is the candidate's own name, not only an alternate name
    why: str
    area: bool = False  # a country or region of the area table, not a town standing for one


def candidates(name: str, suffix: str | None, index: GazetteerIndex, areas: AreaTable) -> list:
    """Every place ``name`` may stand for; with a region ``suffix``, regions only."""
    key = exact_key(name)
    found = [_from_area(area, key) for area in areas.get(name)]
    positions = index.by_exact.get(key) if not name.endswith(".") or not found else ()
    if len(positions) > MAX_CANDIDATES:  # keep the largest: the rest only cost time
        positions = sorted(positions, key=lambda p: -index.populations[p])[:MAX_CANDIDATES]
    for position in positions:
        place = index.place(position)
        found.append(
            Candidate(
                place.name, "settlement", place.country, place.admin1, place.lat, place.lon,
                place.geonameid, place.population, _own_name(place.name, key),
                f"GeoNames place {place.name} ({place.country})",
            )
        )  # fmt: skip
    if suffix is not None:
        found = [_as_region(c, suffix) for c in found if c.kind != "country"]
        if any(c.primary for c in found):  # regions are named after a town's own name
            found = [c for c in found if c.primary]
    return found


def _own_name(name: str, key: str) -> bool:
    """Whether ``key`` is the place's own name ("St." and "Saint" alike)."""
    own = exact_key(name)
    return own == key or own.replace("saint", "st", 1) == key.replace("saint", "st", 1)


def _from_area(area: Area, key: str) -> Candidate:
    return Candidate(
        area.name, area.kind, area.country, area.admin1, area.lat, area.lon, area.geonameid,
        area.population, exact_key(area.name) == key, area.why, True,
    )  # fmt: skip


def _as_region(c: Candidate, suffix: str) -> Candidate:
    if c.kind == "region":
        return c
    why = f"the {suffix} named after {c.name} ({c.country}), placed at the town"
    return Candidate(
        c.name, "region", c.country, c.admin1, c.lat, c.lon, c.geonameid, c.population,
        c.primary, why,
    )  # fmt: skip


@dataclass
class Context:
    """What the article says about where it is: country weights, regions, certain points."""

    countries: Counter
    regions: set[tuple[str, str]]
    points: list[tuple[int, float, float]]  # (span number, lat, lon)

    def country_share(self, country: str | None, own: int) -> float:
        total = sum(self.countries.values())
        return self.countries[country] / total if total and country else 0.0

    def nearby(self, c: Candidate, own: int) -> float:
        best = min(
            (great_circle_km(c.lat, c.lon, lat, lon) for i, lat, lon in self.points if i != own),
            default=math.inf,
        )
        return 1.0 if best < 100 else 0.6 if best < 250 else 0.25 if best < 600 else 0.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of radius 6,371 km.

    Scoring compares thousands of candidate pairs per article against coarse thresholds
    (100, 250, 600 km); geographiclib's ellipsoidal solution (``geodesic_km``) took 0.34 ms a
    pair here, 90 % of the run, while the sphere is off by under 0.5 %.

    >>> round(great_circle_km(41.26465, 69.21627, 39.65456, 66.96445))
    261
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def build_context(
    per_span: Sequence[list[Candidate]], hints: Sequence[str], areas: AreaTable
) -> Context:
    """Collect the article's certain evidence: named countries, regions and lone candidates."""
    countries: Counter = Counter(hints)
    regions: set[tuple[str, str]] = set()
    points = []
    for i, found in enumerate(per_span):
        kinds = {c.kind for c in found}
        if "country" in kinds:
            for c in found:
                if c.kind == "country":
                    countries[c.country] += 2
            continue
        sure = _sure(found)
        if sure is None:
            for country in {c.country for c in found if c.country}:
                countries[country] += 0.3 / max(1, len({c.country for c in found}))
            continue
        countries[sure.country] += 1.5 if sure.kind == "region" else 1
        if sure.kind == "region" and sure.admin1:
            regions.add((sure.country, sure.admin1))
        points.append((i, sure.lat, sure.lon))
    return Context(countries, regions, points)


def _sure(found: list[Candidate]) -> Candidate | None:
    """The candidate when there is one, or one far larger than any other."""
    if len(found) == 1:
        return found[0]
    ranked = sorted(found, key=lambda c: -c.population)
    if (
        ranked
        and ranked[0].population >= 200_000
        and ranked[0].population > 20 * max(1, ranked[1].population)
    ):
        return ranked[0]
    return None


def score(c: Candidate, own: int, context: Context) -> float:
    """Prior (kind, population, own name) plus the article's evidence for this candidate."""
    prior = {"country": 1.6, "region": 1.0}.get(c.kind, 0.0) if c.area else 0.0
    prior += 0.5 * math.log10(c.population + 10) / 7 + (0.5 if c.primary else 0.0)
    share = context.country_share(c.country, own)
    region = 0.6 if c.country and (c.country, c.admin1) in context.regions else 0.0
    return prior + 1.2 * share + region + 0.5 * context.nearby(c, own)


def rank(found: list[Candidate], own: int, context: Context) -> list[tuple[float, Candidate]]:
    """Candidates with their scores, best first (ties broken by GeoNames id, for stability)."""
    scored = [(score(c, own, context), c) for c in found]
    return sorted(scored, key=lambda sc: (-sc[0], sc[1].geonameid or 0, sc[1].name))


def confidence(ranked: list[tuple[float, Candidate]]) -> float:
    """The best candidate's share of a softmax over the scores (sharper with bigger gaps)."""
    top = ranked[0][0]
    weights = [math.exp(6 * (s - top)) for s, _ in ranked]
    return round(1 / sum(weights), 3)


def tied(ranked: list[tuple[float, Candidate]]) -> Candidate | None:
    """The runner-up when it is nearly as good as the best and somewhere else, else None."""
    if len(ranked) < 2:
        return None
    (s1, best), (s2, second) = ranked[0], ranked[1]
    far = geodesic_km((best.lon, best.lat), (second.lon, second.lat)) > SAME_PLACE_KM
    return second if far and s1 - s2 < TIE_MARGIN else None
