"""Geodesic geometry: great-circle densification, lengths and the shapes the atlas draws.

Coordinates are ``(lon, lat)`` everywhere in this module, as in GeoJSON and shapely. A web map
joins vertices with straight screen lines, so a long leg is split into short steps along the
WGS84 geodesic; then the drawn line bends as the true shortest path does.

>>> tashkent, almaty = (69.21627, 41.26465), (76.9115, 43.25249)
>>> line = densify([tashkent, almaty], max_step_km=50)
>>> len(line) > 2, line[0] == tashkent, line[-1] == almaty
(True, True, True)
>>> round(geodesic_length_km([tashkent, almaty]))
672
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, MultiLineString, Point

LonLat = tuple[float, float]
DEFAULT_STEP_KM = 25.0
DECIMALS = 5  # about a metre: finer than any position the sources allow
_WGS84 = Geodesic.WGS84


def geodesic_km(start: LonLat, end: LonLat) -> float:
    """Distance between two points along the WGS84 ellipsoid, in kilometres."""
    return _WGS84.Inverse(start[1], start[0], end[1], end[0], Geodesic.DISTANCE)["s12"] / 1000


def geodesic_length_km(points: Sequence[LonLat]) -> float:
    """Length of a path through ``points``, each leg measured as a geodesic."""
    return sum(geodesic_km(a, b) for a, b in pairwise(points))


def densify(points: Sequence[LonLat], max_step_km: float = DEFAULT_STEP_KM) -> list[LonLat]:
    """Insert points along each geodesic leg so no step is longer than ``max_step_km``.

    The given points are kept exactly; inserted ones are rounded to :data:`DECIMALS`.
    """
    if max_step_km <= 0:
        raise ValueError("max_step_km must be positive")
    dense: list[LonLat] = [tuple(points[0])]  # type: ignore[list-item]
    for start, end in pairwise(points):
        leg = _WGS84.InverseLine(start[1], start[0], end[1], end[0])
        steps = max(1, math.ceil(leg.s13 / 1000 / max_step_km))
        for step in range(1, steps):
            position = leg.Position(
                leg.s13 * step / steps, Geodesic.STANDARD | Geodesic.LONG_UNROLL
            )
            dense.append(_rounded((position["lon2"], position["lat2"])))
        dense.append(tuple(end))  # type: ignore[arg-type]
    return dense


def _rounded(point: LonLat) -> LonLat:
    return (round(point[0], DECIMALS), round(point[1], DECIMALS))


def site_geometry(point: LonLat) -> Point:
    """A site's Point, rounded."""
    return Point(_rounded(point))


def corridor_geometry(
    lines: Sequence[Sequence[LonLat]], max_step_km: float = DEFAULT_STEP_KM
) -> LineString | MultiLineString:
    """A LineString for one line, a MultiLineString for a trunk with branches; densified."""
    dense = [densify([_rounded(point) for point in line], max_step_km) for line in lines]
    return LineString(dense[0]) if len(dense) == 1 else MultiLineString(dense)


def corridor_length_km(lines: Sequence[Sequence[LonLat]]) -> float:
    """Total geodesic length of a corridor's lines (trunk plus branches)."""
    return sum(geodesic_length_km(line) for line in lines)
