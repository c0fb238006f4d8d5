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

A line across the antimeridian is cut there (RFC 7946 section 3.1.9), so no longitude leaves
-180..180 and a map does not draw it the long way round the world.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
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


def split_at_antimeridian(line: Sequence[LonLat]) -> list[list[LonLat]]:
    """``line`` as one or more lines, every longitude in -180..180 (RFC 7946 section 3.1.9).

    Each step of ``line`` goes the short way round (as :func:`densify`'s steps do). Where a
    step crosses the antimeridian, the latitude of the crossing is found on the geodesic and
    the line is cut there: one part ends at 180 and the next starts at -180 (or the reverse,
    going west), at the same latitude.

    >>> split_at_antimeridian([(179.0, -17.0), (-179.0, -17.0)])
    [[(179.0, -17.0), (180.0, -17.00246)], [(-180.0, -17.00246), (-179.0, -17.0)]]
    """
    unrolled = _unrolled(line)
    parts: list[list[LonLat]] = []
    band = 0
    for start, end in pairwise(unrolled):
        meridian = _antimeridian_between(start[0], end[0])
        if meridian is None:
            pieces = [(start, end)]
        else:
            crossing = (meridian, round(_crossing_latitude(start, end, meridian), DECIMALS))
            pieces = [(start, crossing), (crossing, end)]
        for a, b in pieces:
            # Which 360-degree band a piece lies in; a new band starts a new part, at the
            # antimeridian it shares with the previous one.
            piece_band = math.floor(((a[0] + b[0]) / 2 + 180) / 360) if a != b else band
            if not parts or piece_band != band:
                parts.append([a])
                band = piece_band
            parts[-1].append(b)
    if not parts:
        return [list(line)]
    return [[_wrapped(point, _band_of(part)) for point in part] for part in parts]


def _unrolled(line: Sequence[LonLat]) -> list[LonLat]:
    """Longitudes made continuous: each within 180 degrees of the one before."""
    points: list[LonLat] = [tuple(line[0])]  # type: ignore[list-item]
    for lon, lat in line[1:]:
        previous = points[-1][0]
        points.append((lon + 360 * round((previous - lon) / 360), lat))
    return points


def _antimeridian_between(west_or_east: float, other: float) -> float | None:
    """The odd multiple of 180 strictly between two unrolled longitudes, if there is one."""
    low, high = sorted((west_or_east, other))
    meridian = 180.0 * (2 * math.floor((high - 180) / 360) + 1)
    return meridian if low < meridian < high else None


def _crossing_latitude(start: LonLat, end: LonLat, meridian: float) -> float:
    """Latitude where the geodesic from ``start`` to ``end`` meets the unrolled ``meridian``,
    found by bisecting the distance along it (a step is short: 40 halvings reach the mm)."""
    leg = _WGS84.InverseLine(start[1], start[0], end[1], end[0])
    eastward = end[0] > start[0]
    near, far = 0.0, leg.s13
    for _ in range(40):
        middle = (near + far) / 2
        lon = leg.Position(middle, Geodesic.STANDARD | Geodesic.LONG_UNROLL)["lon2"]
        if (lon < meridian) == eastward:
            near = middle
        else:
            far = middle
    return leg.Position((near + far) / 2, Geodesic.STANDARD | Geodesic.LONG_UNROLL)["lat2"]


def _band_of(part: Sequence[LonLat]) -> int:
    """The 360-degree band of a part, from the middle of its first step."""
    return math.floor(((part[0][0] + part[1][0]) / 2 + 180) / 360)


def _wrapped(point: LonLat, band: int) -> LonLat:
    if band == 0:
        return point  # the common case: exactly as given
    return (round(point[0] - 360 * band, DECIMALS), point[1])


def _rounded(point: LonLat) -> LonLat:
    return (round(point[0], DECIMALS), round(point[1], DECIMALS))


def site_geometry(point: LonLat) -> Point:
    """A site's Point, rounded."""
    return Point(_rounded(point))


def corridor_geometry(
    lines: Sequence[Sequence[LonLat]], max_step_km: float = DEFAULT_STEP_KM
) -> LineString | MultiLineString:
    """A LineString for one line, a MultiLineString for a trunk with branches; densified.

    A line crossing the antimeridian is cut in two there (see :func:`split_at_antimeridian`),
    so it is a MultiLineString even without branches.
    """
    return corridor_parts(lines, None, max_step_km)[0]


def corridor_parts(
    lines: Sequence[Sequence[LonLat]],
    leg_modes: Sequence[Sequence[str]] | None = None,
    max_step_km: float = DEFAULT_STEP_KM,
) -> tuple[LineString | MultiLineString, list[str]]:
    """The corridor's geometry cut into parts by mode, and the mode of each part.

    ``leg_modes[i]`` gives the mode of each leg of ``lines[i]`` (one fewer than its points;
    all "rail" when None). Each line is cut where the mode changes, each run of one mode is a
    part (so are branches, and the pieces of a line cut at the antimeridian), and the list of
    modes is parallel to the geometry's parts: a map can draw a ferry leg unlike a railway.

    >>> geometry, modes = corridor_parts(
    ...     [[(51.2, 43.6), (49.9, 40.4), (48.9, 40.6)]], [["sea", "rail"]], max_step_km=1000
    ... )
    >>> geometry.geom_type, modes
    ('MultiLineString', ['sea', 'rail'])
    """
    parts: list[list[LonLat]] = []
    modes: list[str] = []
    for number, line in enumerate(lines):
        line_modes = leg_modes[number] if leg_modes is not None else ["rail"] * (len(line) - 1)
        for mode, run in mode_runs(line, line_modes):
            dense = densify([_rounded(point) for point in run], max_step_km)
            for part in split_at_antimeridian(dense):
                parts.append(part)
                modes.append(mode)
    geometry = LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)
    return geometry, modes


def mode_runs(line: Sequence[LonLat], leg_modes: Sequence[str]) -> list[tuple[str, list[LonLat]]]:
    """``line`` cut where the mode of its legs changes; neighbouring runs share a point.

    >>> mode_runs([(0, 0), (1, 0), (2, 0), (3, 0)], ["rail", "sea", "sea"])
    [('rail', [(0, 0), (1, 0)]), ('sea', [(1, 0), (2, 0), (3, 0)])]
    """
    if len(leg_modes) != len(line) - 1:
        raise ValueError(f"{len(line)} points have {len(line) - 1} legs, not {len(leg_modes)}")
    runs: list[tuple[str, list[LonLat]]] = []
    for index, mode in enumerate(leg_modes):
        if not runs or runs[-1][0] != mode:
            runs.append((mode, [line[index]]))
        runs[-1][1].append(line[index + 1])
    return runs


def near_pairs(points: Sequence[LonLat], within_km: float) -> list[tuple[int, int, float]]:
    """Pairs of ``points`` (by index, lower first) no more than ``within_km`` apart on the
    ellipsoid, with their distance, in index order.

    The points are sorted by latitude, and each is paired, in numpy, with those after it within
    the distance's span of latitude; a great-circle distance on a sphere (a lower bound of the
    ellipsoid's within :data:`_SPHERE_MARGIN`) drops the far ones, and only the pairs left are
    measured on the ellipsoid (points that coincide are 0 km apart). A catalogue of 100,000
    sites, half of them at the very point of a town, is checked in about a second rather than
    by millions of geodesics.

    >>> near_pairs([(69.2401, 41.2995), (69.2401, 41.2995), (69.25, 41.30), (76.9, 43.2)], 1.0)
    [(0, 1, 0.0), (0, 2, 0.8), (1, 2, 0.8)]
    """
    if len(points) < 2:
        return []
    lon, lat = np.radians(np.asarray(points, dtype=float)).T
    order = np.argsort(lat, kind="stable")
    lon, lat = lon[order], lat[order]
    span = math.radians(within_km / 110.5)  # a degree of latitude is at least 110.5 km long
    ends = np.searchsorted(lat, lat + span, side="right")  # past each point's band
    first = np.arange(len(lat))
    found: list[tuple[int, int, float]] = []
    for offset in range(1, int((ends - first).max())):
        near = first[first + offset < ends]
        other = near + offset
        arc = _haversine_km(lon[near], lat[near], lon[other], lat[other])
        keep = arc <= within_km * _SPHERE_MARGIN
        for a, b in zip(order[near[keep]].tolist(), order[other[keep]].tolist(), strict=True):
            low, high = min(a, b), max(a, b)
            same = points[low] == points[high]
            distance = 0.0 if same else geodesic_km(points[low], points[high])
            if distance <= within_km:
                found.append((low, high, round(distance, 1)))
    return sorted(found)


#: Earth's mean radius (km) for the great-circle prefilter of :func:`near_pairs`.
_SPHERE_KM = 6371.0088
#: The sphere's distance is within 0.6 % of the ellipsoid's for short distances (the radii of
#: curvature span 6,335–6,400 km): a pair up to this factor over is measured exactly.
_SPHERE_MARGIN = 1.01


def _haversine_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distances on a sphere of :data:`_SPHERE_KM` between arrays of points (in
    radians)."""
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _SPHERE_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def corridor_length_km(lines: Sequence[Sequence[LonLat]]) -> float:
    """Total geodesic length of a corridor's lines (trunk plus branches)."""
    return sum(geodesic_length_km(line) for line in lines)
