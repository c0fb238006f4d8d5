"""Geodesic densification, lengths and antimeridian crossings, checked against geopy's
independent geodesic where it can be."""

from __future__ import annotations

import itertools
import random
from itertools import pairwise

import pytest
from geopy.distance import geodesic
from shapely.geometry import LineString, MultiLineString, Point, mapping

from geodata.geojson import feature_collection
from geodata.geometry import (
    corridor_geometry,
    corridor_length_km,
    densify,
    geodesic_km,
    geodesic_length_km,
    near_pairs,
    split_at_antimeridian,
)

XIAN = (108.92861, 34.25833)
TASHKENT = (69.21627, 41.26465)
ALMATY = (76.9115, 43.25249)
OMSK = (73.36859, 54.99244)


def test_points_are_lon_lat_and_endpoints_are_kept():
    line = densify([TASHKENT, ALMATY], max_step_km=25)
    assert line[0] == TASHKENT and line[-1] == ALMATY
    assert all(60 < lon < 80 and 40 < lat < 45 for lon, lat in line)


@pytest.mark.parametrize("step_km", [10, 25, 100])
def test_no_step_is_longer_than_asked(step_km):
    line = densify([XIAN, TASHKENT, OMSK], max_step_km=step_km)
    steps = [geodesic_km(a, b) for a, b in pairwise(line)]
    assert max(steps) <= step_km * 1.001
    assert TASHKENT in line


def test_inserted_points_lie_on_the_geodesic_not_the_straight_line():
    line = densify([XIAN, TASHKENT], max_step_km=25)
    middle = line[len(line) // 2]
    straight_lat = XIAN[1] + (TASHKENT[1] - XIAN[1]) * (middle[0] - XIAN[0]) / (
        TASHKENT[0] - XIAN[0]
    )
    # A geodesic between mid-latitude points bulges poleward of the plate carree chord.
    assert middle[1] > straight_lat + 0.5
    # And it is on the geodesic: the two halves add up to the whole distance.
    whole = geodesic(XIAN[::-1], TASHKENT[::-1]).km
    halves = geodesic(XIAN[::-1], middle[::-1]).km + geodesic(middle[::-1], TASHKENT[::-1]).km
    assert halves == pytest.approx(whole, rel=1e-6)


def test_length_is_within_one_percent_of_geopy_reference():
    lines = [[XIAN, ALMATY, TASHKENT], [TASHKENT, OMSK]]
    reference = sum(geodesic(a[::-1], b[::-1]).km for line in lines for a, b in pairwise(line))
    assert corridor_length_km(lines) == pytest.approx(reference, rel=0.01)
    dense = corridor_geometry(lines)
    dense_length = sum(
        geodesic(a[::-1], b[::-1]).km for part in dense.geoms for a, b in pairwise(part.coords)
    )
    assert dense_length == pytest.approx(reference, rel=0.01)


def test_one_line_is_a_linestring_branches_make_a_multilinestring():
    assert isinstance(corridor_geometry([[TASHKENT, ALMATY]]), LineString)
    multi = corridor_geometry([[TASHKENT, ALMATY], [ALMATY, OMSK]])
    assert isinstance(multi, MultiLineString) and multi.is_valid
    assert len(multi.geoms) == 2


def test_a_non_positive_step_is_refused():
    with pytest.raises(ValueError, match="positive"):
        densify([TASHKENT, ALMATY], max_step_km=0)


ANADYR = (177.5, 64.73)
NOME = (-165.4, 64.5)
PEVEK = (170.3, 69.7)


def _all_lons(geometry) -> list[float]:
    parts = geometry.geoms if isinstance(geometry, MultiLineString) else [geometry]
    return [lon for part in parts for lon, _ in part.coords]


def _dense_length_km(geometry: MultiLineString) -> float:
    return sum(geodesic_length_km(list(part.coords)) for part in geometry.geoms)


def test_a_line_across_the_antimeridian_is_split_there():
    line = corridor_geometry([[ANADYR, NOME]])
    assert isinstance(line, MultiLineString)
    west, east = (list(part.coords) for part in line.geoms)
    assert west[0] == ANADYR and east[-1] == NOME
    assert all(-180 <= lon <= 180 for lon in _all_lons(line))
    (end_lon, end_lat), (start_lon, start_lat) = west[-1], east[0]
    assert (end_lon, start_lon) == (180, -180) and end_lat == start_lat
    # The crossing lies on the geodesic: the two halves add up to the whole.
    crossing = (180.0, end_lat)
    whole = geodesic_km(ANADYR, NOME)
    assert geodesic_km(ANADYR, crossing) + geodesic_km(crossing, NOME) == pytest.approx(
        whole, rel=1e-6
    )
    assert _dense_length_km(line) == pytest.approx(corridor_length_km([[ANADYR, NOME]]), 1e-6)


def test_a_line_crossing_twice_has_three_parts():
    route = [[ANADYR, NOME, PEVEK]]
    line = corridor_geometry(route)
    parts = [list(part.coords) for part in line.geoms]
    assert len(parts) == 3
    assert [parts[0][-1][0], parts[1][0][0], parts[1][-1][0], parts[2][0][0]] == [
        180,
        -180,
        -180,
        180,
    ]
    assert NOME in parts[1] and parts[2][-1] == PEVEK
    assert all(-180 <= lon <= 180 for lon in _all_lons(line))
    assert _dense_length_km(line) == pytest.approx(corridor_length_km(route), rel=1e-6)
    assert corridor_length_km(route) == pytest.approx(
        geodesic_km(ANADYR, NOME) + geodesic_km(NOME, PEVEK), rel=1e-12
    )


def test_going_west_ends_at_minus_180_and_branches_split_on_their_own():
    line = corridor_geometry([[TASHKENT, ALMATY], [NOME, ANADYR]])
    parts = [list(part.coords) for part in line.geoms]
    assert len(parts) == 3 and parts[0][0] == TASHKENT
    assert parts[1][0] == NOME and parts[1][-1][0] == -180
    assert parts[2][0][0] == 180 and parts[2][-1] == ANADYR


def test_lines_that_do_not_cross_are_kept_as_they_were():
    assert split_at_antimeridian([TASHKENT, ALMATY]) == [[TASHKENT, ALMATY]]
    # Touching the antimeridian is not crossing it.
    assert split_at_antimeridian([(179.0, 10.0), (180.0, 11.0), (179.5, 12.0)]) == [
        [(179.0, 10.0), (180.0, 11.0), (179.5, 12.0)]
    ]
    # Crossing at a vertex splits there.
    assert split_at_antimeridian([(179.0, 10.0), (180.0, 11.0), (-179.0, 12.0)]) == [
        [(179.0, 10.0), (180.0, 11.0)],
        [(-180.0, 11.0), (-179.0, 12.0)],
    ]


def test_a_collection_across_the_antimeridian_has_a_bbox_west_of_east():
    line = corridor_geometry([[ANADYR, NOME]])
    feature = {"type": "Feature", "geometry": mapping(line), "properties": {}}
    west, south, east, north = feature_collection([feature])["bbox"]
    assert (west, east) == (ANADYR[0], NOME[0])
    assert south == NOME[1] and north > ANADYR[1]  # the geodesic bulges poleward
    tashkent = {"type": "Feature", "geometry": mapping(Point(TASHKENT)), "properties": {}}
    assert feature_collection([tashkent])["bbox"] == [*TASHKENT, *TASHKENT]


def test_near_pairs_are_every_pair_within_the_distance_on_the_ellipsoid() -> None:
    """Against every pair measured: towns with sites at their very point and around them (up to
    about 1.5 km away, so pairs fall on both sides of 1 km), and points across the
    antimeridian and near a pole, where degrees of longitude are short."""
    rng = random.Random(20261201)
    points: list[tuple[float, float]] = []
    for _ in range(60):
        town = (rng.uniform(50.0, 80.0), rng.uniform(30.0, 55.0))
        for _ in range(rng.randint(1, 4)):
            near = (town[0] + rng.uniform(-0.015, 0.015), town[1] + rng.uniform(-0.01, 0.01))
            points.append(town if rng.random() < 0.4 else (round(near[0], 5), round(near[1], 5)))
    points += [(179.9995, 10.0), (-179.9995, 10.0), (0.0, 89.9995), (150.0, 89.9995)]
    every = sorted(
        (i, j, round(geodesic_km(points[i], points[j]), 1))
        for i, j in itertools.combinations(range(len(points)), 2)
        if geodesic_km(points[i], points[j]) <= 1.0
    )
    found = near_pairs(points, 1.0)
    assert found == every
    assert (len(points) - 4, len(points) - 3, 0.1) in found  # across the antimeridian
    assert any(0.9 < km <= 1.0 for _, _, km in found)  # close to the limit, still found
