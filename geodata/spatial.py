"""Spatial answers: how far a point is from a feature, nearest corridors, sites near a corridor.

Distances are geodesic (WGS84, geographiclib). Corridor lines are densified to short legs
(≤ 25 km), so the closest point on a leg is found in a local equirectangular frame around the
query point and then measured exactly as a geodesic; the error of that step is far below 0.1 %.
Candidates come from a shapely ``STRtree`` over the legs, searched within a box that grows
until the nearest answer is certain, so no query scans every feature.

>>> line = {"type": "LineString", "coordinates": [[69.0, 41.0], [70.0, 41.0]]}
>>> round(point_to_feature_km(69.5, 41.5, line), 1)
55.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from shapely import STRtree, box
from shapely.geometry import LineString

from geodata.geometry import geodesic_km

LonLat = tuple[float, float]
KM_PER_DEGREE_LAT = 110.574  # the shortest degree of latitude, so boxes are never too small
MAX_SEARCH_KM = 20_000.0


def _lines(geometry: dict[str, Any]) -> list[list[LonLat]]:
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [[tuple(coordinates)]]
    if kind == "LineString":
        return [[tuple(p) for p in coordinates]]
    return [[tuple(p) for p in part] for part in coordinates]


def closest_on_leg(point: LonLat, start: LonLat, end: LonLat) -> LonLat:
    """The point of the leg ``start``-``end`` closest to ``point`` (local planar approximation)."""
    scale = math.cos(math.radians(point[1]))
    ax, ay = (start[0] - point[0]) * scale, start[1] - point[1]
    bx, by = (end[0] - point[0]) * scale, end[1] - point[1]
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    t = 0.0 if length_squared == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length_squared))
    return (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)


def point_to_legs_km(point: LonLat, legs: Iterable[tuple[LonLat, LonLat]]) -> float:
    """Geodesic distance from ``point`` to the nearest of ``legs``."""
    return min(geodesic_km(point, closest_on_leg(point, a, b)) for a, b in legs)


def point_to_feature_km(lon: float, lat: float, geometry: dict[str, Any]) -> float:
    """Geodesic distance in km from (lon, lat) to a GeoJSON Point, LineString or MultiLineString."""
    lines = _lines(geometry)
    if geometry["type"] == "Point":
        return geodesic_km((lon, lat), lines[0][0])
    legs = [leg for line in lines for leg in pairwise(line)]
    return point_to_legs_km((lon, lat), legs)


def search_box(point: LonLat, radius_km: float):
    """A lon/lat box that contains every point within ``radius_km`` of ``point``."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    south, north = max(-90.0, point[1] - dlat), min(90.0, point[1] + dlat)
    widest = max(abs(south), abs(north))
    cos_lat = math.cos(math.radians(min(widest, 89.9)))
    dlon = min(180.0, radius_km / (KM_PER_DEGREE_LAT * cos_lat))
    return box(point[0] - dlon, south, point[0] + dlon, north)


@dataclass(frozen=True)
class Neighbour:
    id: str
    name: str
    distance_km: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "distance_km": round(self.distance_km, 1)}


class LegIndex:
    """An STRtree over the legs of many line features, answering nearest-feature queries."""

    def __init__(self, features: Sequence[dict[str, Any]]) -> None:
        self._legs: list[tuple[LonLat, LonLat]] = []
        self._owner: list[int] = []
        self._features = list(features)
        for position, feature in enumerate(self._features):
            for line in _lines(feature["geometry"]):
                for leg in pairwise(line):
                    self._legs.append(leg)
                    self._owner.append(position)
        self._tree = STRtree([LineString(leg) for leg in self._legs])

    def within(self, point: LonLat, radius_km: float) -> list[Neighbour]:
        """Features with a leg within ``radius_km`` of ``point``, nearest first."""
        best: dict[int, float] = {}
        for leg_number in self._tree.query(search_box(point, radius_km)):
            owner = self._owner[leg_number]
            distance = point_to_legs_km(point, [self._legs[leg_number]])
            if distance <= radius_km and distance < best.get(owner, math.inf):
                best[owner] = distance
        return sorted(
            (self._neighbour(owner, km) for owner, km in best.items()),
            key=lambda n: (n.distance_km, n.id),
        )

    def nearest(self, point: LonLat) -> Neighbour | None:
        """The feature nearest to ``point``; the search box doubles until it is certain."""
        radius = 50.0
        while self._legs and radius <= MAX_SEARCH_KM:
            found = self.within(point, radius)
            if found:
                return found[0]
            radius *= 2
        return None

    def _neighbour(self, owner: int, distance_km: float) -> Neighbour:
        properties = self._features[owner]["properties"]
        return Neighbour(properties["id"], properties["name"], distance_km)


def add_spatial_answers(features: list[dict[str, Any]], radius_km: float = 100.0) -> None:
    """Store ``nearest_corridor`` on each site and ``sites_within_100km`` on each corridor."""
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    sites = [f for f in features if f["properties"]["kind"] == "site"]
    index = LegIndex(corridors)
    near_each_corridor: dict[str, list[Neighbour]] = {c["id"]: [] for c in corridors}
    for site in sites:
        point = tuple(site["geometry"]["coordinates"])
        nearest = index.nearest(point)
        site["properties"]["nearest_corridor"] = nearest.as_dict() if nearest else None
        for corridor in index.within(point, radius_km):
            near_each_corridor[corridor.id].append(
                Neighbour(site["id"], site["properties"]["name"], corridor.distance_km)
            )
    for corridor in corridors:
        near = sorted(near_each_corridor[corridor["id"]], key=lambda n: (n.distance_km, n.id))
        corridor["properties"]["sites_within_100km"] = [n.as_dict() for n in near]
