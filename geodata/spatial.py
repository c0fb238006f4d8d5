"""Spatial answers: how far a point is from a feature, nearest corridors, sites near a corridor.

Distances are on the WGS84 ellipsoid. Many are needed (every site against every nearby leg of
every corridor), so they are computed with numpy by Lambert's formula, which stays within a few
metres of geographiclib's exact geodesic over the distances the atlas deals with (tested).
Corridor lines are densified to short legs (≤ 25 km): the closest point of a leg is found in a
local equirectangular frame around the query point, then measured. Candidate legs come from a
shapely ``STRtree``, searched within a box that grows until the nearest answer is certain, so no
query scans every feature.

A corridor lists only its nearest :data:`NEAR_SITES_LISTED` sites within 100 km, with the full
count beside them (``sites_within_100km_count``), so a dense catalogue cannot swell every
corridor into a list of thousands.

>>> line = {"type": "LineString", "coordinates": [[69.0, 41.0], [70.0, 41.0]]}
>>> round(point_to_feature_km(69.5, 41.5, line), 1)
55.5
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely import STRtree, box

LonLat = tuple[float, float]
KM_PER_DEGREE_LAT = 110.574  # the shortest degree of latitude, so boxes are never too small
MAX_SEARCH_KM = 20_000.0
#: How many sites a corridor lists in ``sites_within_100km``, nearest first. The seed catalogue's
#: longest list is 10 sites, so 50 keeps every real list whole with room to grow fivefold and
#: still reads as a list on the feature page, while a corridor's list stays near 4 KB of JSON.
#: Uncut, the benchmark's 100,000 sites put a median 4,400 sites (up to 19,000) within 100 km
#: of each of its 1,000 corridors: about 460 KB a corridor, atlas.geojson 0.5 GB (and as much
#: again in corridors.geojson) and API answers of megabytes. Cut to 50, atlas.geojson is 73 MB
#: and the median bbox answer 230 KB.
NEAR_SITES_LISTED = 50
_A_KM = 6378.137  # WGS84 semi-major axis
_F = 1 / 298.257223563  # WGS84 flattening


def lambert_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Ellipsoidal distance in km by Lambert's formula; arrays broadcast.

    >>> float(np.round(lambert_km(69.21627, 41.26465, 76.9115, 43.25249), 1))
    672.0
    """
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    beta1 = np.arctan((1 - _F) * np.tan(lat1))
    beta2 = np.arctan((1 - _F) * np.tan(lat2))
    half = (
        np.sin((beta2 - beta1) / 2) ** 2
        + np.cos(beta1) * np.cos(beta2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    sigma = 2 * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))
    p, q = (beta1 + beta2) / 2, (beta2 - beta1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2) ** 2
        distance = _A_KM * (sigma - _F / 2 * (x + y))
    return np.where(sigma > 1e-12, distance, 0.0)


def _legs(geometry: dict[str, Any]) -> np.ndarray:
    """The legs of a geometry as an (n, 2, 2) array; a Point is one zero-length leg."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return np.array([[coordinates, coordinates]], dtype=float)
    parts = [coordinates] if kind == "LineString" else coordinates
    legs = [np.stack([part[:-1], part[1:]], axis=1) for part in map(np.asarray, parts)]
    return np.concatenate(legs).astype(float)


def distance_to_legs_km(point: LonLat, legs: np.ndarray) -> np.ndarray:
    """Distance from ``point`` to each leg of an (n, 2, 2) lon/lat array, in km."""
    scale = math.cos(math.radians(point[1]))
    start, end = legs[:, 0, :], legs[:, 1, :]
    ax, ay = (start[:, 0] - point[0]) * scale, start[:, 1] - point[1]
    dx, dy = (end[:, 0] - start[:, 0]) * scale, end[:, 1] - start[:, 1]
    length_squared = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length_squared > 0, -(ax * dx + ay * dy) / length_squared, 0.0)
    t = np.clip(t, 0.0, 1.0)[:, None]
    closest = start + (end - start) * t
    return lambert_km(point[0], point[1], closest[:, 0], closest[:, 1])


def point_to_feature_km(lon: float, lat: float, geometry: dict[str, Any]) -> float:
    """Distance in km from (lon, lat) to a GeoJSON Point, LineString or MultiLineString."""
    return float(distance_to_legs_km((lon, lat), _legs(geometry)).min())


def search_box(point: LonLat, radius_km: float) -> shapely.Polygon:
    """A lon/lat box that contains every point within ``radius_km`` of ``point``."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    south, north = max(-90.0, point[1] - dlat), min(90.0, point[1] + dlat)
    widest = max(abs(south), abs(north))
    cos_lat = math.cos(math.radians(min(widest, 89.9)))
    dlon = min(180.0, radius_km / (KM_PER_DEGREE_LAT * cos_lat))
    return box(point[0] - dlon, south, point[0] + dlon, north)


@dataclass(frozen=True)
class Neighbour:
    """Another feature and how far it is."""

    id: str
    name: str
    distance_km: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "distance_km": round(self.distance_km, 1)}


class LegIndex:
    """An STRtree over the legs of many features, answering nearest-feature queries."""

    def __init__(self, features: Sequence[dict[str, Any]]) -> None:
        self._features = list(features)
        per_feature = [_legs(feature["geometry"]) for feature in self._features]
        self._legs = np.concatenate(per_feature) if per_feature else np.empty((0, 2, 2))
        self._owner = np.repeat(np.arange(len(per_feature)), [len(legs) for legs in per_feature])
        self._tree = STRtree(shapely.linestrings(self._legs))

    def __len__(self) -> int:
        return len(self._legs)

    def within(self, point: LonLat, radius_km: float) -> list[Neighbour]:
        """Features with a leg within ``radius_km`` of ``point``, nearest first."""
        candidates = self._tree.query(search_box(point, radius_km))
        if not len(candidates):
            return []
        distances = distance_to_legs_km(point, self._legs[candidates])
        close = distances <= radius_km
        owners, distances = self._owner[candidates][close], distances[close]
        order = np.lexsort((distances, owners))
        owners, first = np.unique(owners[order], return_index=True)
        best = distances[order][first]
        found = [self._neighbour(int(o), float(d)) for o, d in zip(owners, best, strict=True)]
        return sorted(found, key=lambda n: (n.distance_km, n.id))

    def nearest(self, point: LonLat, beyond_km: float = 25.0) -> Neighbour | None:
        """The feature nearest to ``point``, known to be more than ``beyond_km`` away; the
        search radius starts at twice that and doubles until it is certain."""
        radius = 2 * beyond_km
        while len(self) and radius <= MAX_SEARCH_KM:
            found = self.within(point, radius)
            if found:
                return found[0]
            radius *= 2
        return None

    def _neighbour(self, owner: int, distance_km: float) -> Neighbour:
        properties = self._features[owner]["properties"]
        return Neighbour(properties["id"], properties["name"], distance_km)


def add_spatial_answers(
    features: list[dict[str, Any]], radius_km: float = 100.0, listed: int = NEAR_SITES_LISTED
) -> None:
    """Store the spatial answers on the features, in place.

    Each site gets ``nearest_corridor`` (``{id, name, distance_km}``, or None when there is no
    corridor). Each corridor gets ``sites_within_100km``, its ``listed`` nearest sites within
    ``radius_km`` sorted by (distance, id), and ``sites_within_100km_count``, how many sites are
    within ``radius_km`` in all; the list is shorter than the count only when it was cut.
    """
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    sites = [f for f in features if f["properties"]["kind"] == "site"]
    index = LegIndex(corridors)
    near_each_corridor: dict[str, list[Neighbour]] = {c["id"]: [] for c in corridors}
    for site in sites:
        point = tuple(site["geometry"]["coordinates"])
        nearby = index.within(point, radius_km)
        nearest = nearby[0] if nearby else index.nearest(point, beyond_km=radius_km)
        site["properties"]["nearest_corridor"] = nearest.as_dict() if nearest else None
        for corridor in nearby:
            near_each_corridor[corridor.id].append(
                Neighbour(site["id"], site["properties"]["name"], corridor.distance_km)
            )
    for corridor in corridors:
        found = near_each_corridor[corridor["id"]]
        near = heapq.nsmallest(listed, found, key=lambda n: (n.distance_km, n.id))
        corridor["properties"]["sites_within_100km"] = [n.as_dict() for n in near]
        corridor["properties"]["sites_within_100km_count"] = len(found)
