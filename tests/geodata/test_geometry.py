"""Geodesic densification and lengths, checked against geopy's independent geodesic."""

from __future__ import annotations

from itertools import pairwise

import pytest
from geopy.distance import geodesic
from shapely.geometry import LineString, MultiLineString

from geodata.geometry import corridor_geometry, corridor_length_km, densify, geodesic_km

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
