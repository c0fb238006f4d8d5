"""Spatial answers agree with a brute-force geodesic reference (geographiclib) within 0.5 %."""

from __future__ import annotations

import copy
from itertools import pairwise

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

import geodata.spatial
from geodata.geometry import densify
from geodata.spatial import (
    NEAR_SITES_LISTED,
    LegIndex,
    add_spatial_answers,
    lambert_km,
    point_to_feature_km,
)


def _km(point: tuple[float, float], other: tuple[float, float]) -> float:
    return Geodesic.WGS84.Inverse(point[1], point[0], other[1], other[0])["s12"] / 1000


def brute_force_km(point: tuple[float, float], geometry: dict) -> float:
    """Minimum geodesic distance to the geometry sampled every 100 m near its closest vertices.

    Legs are at most 25 km long, so the closest point lies on a leg with an end within 25 km of
    the closest vertex distance; only those legs are sampled finely.
    """
    parts = geometry["coordinates"]
    if geometry["type"] == "LineString":
        parts = [parts]
    legs = [(tuple(a), tuple(b)) for part in parts for a, b in pairwise(part)]
    ends = {leg: min(_km(point, leg[0]), _km(point, leg[1])) for leg in legs}
    closest_end = min(ends.values())
    best = closest_end
    for leg, distance in ends.items():
        if distance <= closest_end + 26:
            best = min(best, *(_km(point, p) for p in densify(list(leg), max_step_km=0.1)))
    return best


def agrees(value: float, reference: float) -> bool:
    return abs(value - reference) <= max(0.005 * reference, 0.1)


@pytest.fixture(scope="module")
def reference(features) -> dict[tuple[str, str], float]:
    """Brute-force distance from every site to every corridor, computed once for the module."""
    sites = [f for f in features if f["properties"]["kind"] == "site"]
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    return {
        (site["id"], corridor["id"]): brute_force_km(
            tuple(site["geometry"]["coordinates"]), corridor["geometry"]
        )
        for site in sites
        for corridor in corridors
    }


def test_nearest_corridor_of_each_site_matches_brute_force(features, reference):
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    for site in (f for f in features if f["properties"]["kind"] == "site"):
        distances = {c["id"]: reference[site["id"], c["id"]] for c in corridors}
        nearest = site["properties"]["nearest_corridor"]
        assert agrees(nearest["distance_km"], min(distances.values())), site["id"]
        assert agrees(distances[nearest["id"]], min(distances.values())), site["id"]


@pytest.mark.parametrize("cap", [NEAR_SITES_LISTED, 3])
def test_sites_within_100km_match_brute_force(features, reference, cap):
    if cap != NEAR_SITES_LISTED:  # the real catalogue again, its lists cut shorter
        features = copy.deepcopy(features)
        add_spatial_answers(features, listed=cap)
    sites = [f["id"] for f in features if f["properties"]["kind"] == "site"]
    for corridor in (f for f in features if f["properties"]["kind"] == "corridor"):
        properties = corridor["properties"]
        listed = properties["sites_within_100km"]
        count = properties["sites_within_100km_count"]
        distances = {site: reference[site, corridor["id"]] for site in sites}
        surely_in = sum(d < 99.5 for d in distances.values())
        maybe_in = sum(99.5 <= d <= 100.5 for d in distances.values())
        assert surely_in <= count <= surely_in + maybe_in, corridor["id"]
        assert len(listed) == min(count, cap), corridor["id"]
        for neighbour in listed:
            assert agrees(neighbour["distance_km"], distances[neighbour["id"]]), neighbour
        keys = [(n["distance_km"], n["id"]) for n in listed]
        assert keys == sorted(keys)
        # The first N of the brute-force order: a site left out is beyond 100 km or, when the
        # list was cut, no nearer than the farthest one listed.
        cut = count > len(listed)
        bound = max(distances[n["id"]] for n in listed) if cut else 100.0
        for site in set(sites) - {n["id"] for n in listed}:
            assert agrees(distances[site], bound) or distances[site] > bound, (corridor["id"], site)


@pytest.mark.parametrize("point", [(69.5, 41.5), (60.0, 45.0), (75.0, 30.0), (69.2, 41.3)])
def test_point_to_feature_agrees_with_geographiclib(features, point):
    for feature in features:
        computed = point_to_feature_km(*point, feature["geometry"])
        assert agrees(computed, brute_force_km(point, _as_line(feature["geometry"])))


def _as_line(geometry: dict) -> dict:
    if geometry["type"] == "Point":
        return {"type": "LineString", "coordinates": [geometry["coordinates"]] * 2}
    return geometry


def test_candidates_come_from_the_spatial_index(features, monkeypatch):
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    index = LegIndex(corridors)
    measured: list[int] = []
    real = geodata.spatial.distance_to_legs_km

    def counting(point, legs):
        measured.append(len(legs))
        return real(point, legs)

    monkeypatch.setattr(geodata.spatial, "distance_to_legs_km", counting)
    assert index.within((69.27, 40.22), 100)  # Bekabad
    assert 0 < sum(measured) < len(index) / 10, "the query measured most legs: no index used"


@pytest.mark.parametrize("seed", range(5))
def test_lambert_agrees_with_geographiclib(seed):
    rng = np.random.default_rng(seed)
    lon1, lon2 = rng.uniform(20, 130, 2000), rng.uniform(20, 130, 2000)
    lat1, lat2 = rng.uniform(0, 70, 2000), rng.uniform(0, 70, 2000)
    # Short distances too: the second point close to the first.
    lon2[:1000] = lon1[:1000] + rng.uniform(-0.05, 0.05, 1000)
    lat2[:1000] = lat1[:1000] + rng.uniform(-0.05, 0.05, 1000)
    fast = lambert_km(lon1, lat1, lon2, lat2)
    for i in range(0, 2000, 7):
        exact = Geodesic.WGS84.Inverse(lat1[i], lon1[i], lat2[i], lon2[i])["s12"] / 1000
        assert abs(fast[i] - exact) <= max(1e-4 * exact, 0.005)


def test_a_site_far_from_every_corridor_still_finds_the_nearest():
    corridor = {
        "id": "c",
        "geometry": {"type": "LineString", "coordinates": [[0.0, 0.0], [0.1, 0.0]]},
        "properties": {"id": "c", "name": "C", "kind": "corridor"},
    }
    site = {
        "id": "s",
        "geometry": {"type": "Point", "coordinates": [30.0, 30.0]},
        "properties": {"id": "s", "name": "S", "kind": "site"},
    }
    add_spatial_answers([corridor, site])
    assert site["properties"]["nearest_corridor"]["id"] == "c"
    assert site["properties"]["nearest_corridor"]["distance_km"] > 4000
    assert corridor["properties"]["sites_within_100km"] == []
    assert corridor["properties"]["sites_within_100km_count"] == 0


def _corridor_and_sites(near: int) -> tuple[dict, list[dict]]:
    """A short corridor on the equator, ``near`` sites north of its middle about 1.1 km apart
    (ids counting down as the distance grows), a tied pair nearest of all and two beyond 100 km."""
    corridor = {
        "id": "c",
        "geometry": {"type": "LineString", "coordinates": [[0.0, 0.0], [0.2, 0.0]]},
        "properties": {"id": "c", "name": "C", "kind": "corridor"},
    }
    places = [(f"s-{near - k:03d}", 0.01 * k) for k in range(1, near + 1)]
    places += [("tie-b", 0.005), ("tie-a", 0.005), ("far-1", 1.2), ("far-2", 1.5)]
    sites = [
        {
            "id": site_id,
            "geometry": {"type": "Point", "coordinates": [0.1, lat]},
            "properties": {"id": site_id, "name": site_id.upper(), "kind": "site"},
        }
        for site_id, lat in places
    ]
    return corridor, sites


def test_a_corridor_lists_its_nearest_sites_and_counts_them_all():
    near = NEAR_SITES_LISTED + 20
    corridor, sites = _corridor_and_sites(near)
    add_spatial_answers([corridor, *sites])
    properties = corridor["properties"]
    assert properties["sites_within_100km_count"] == near + 2  # the tied pair too, not the far
    listed = properties["sites_within_100km"]
    assert len(listed) == NEAR_SITES_LISTED
    by_distance = ["tie-a", "tie-b"] + [f"s-{near - k:03d}" for k in range(1, near + 1)]
    assert [n["id"] for n in listed] == by_distance[:NEAR_SITES_LISTED]
    assert listed[0]["distance_km"] == listed[1]["distance_km"]  # the tie goes by id
    assert listed[2]["name"] == f"S-{near - 1:03d}"
    assert all(s["properties"]["nearest_corridor"]["id"] == "c" for s in sites)


def test_a_short_list_is_not_cut():
    corridor, sites = _corridor_and_sites(3)
    add_spatial_answers([corridor, *sites])
    assert corridor["properties"]["sites_within_100km_count"] == 5
    ids = [n["id"] for n in corridor["properties"]["sites_within_100km"]]
    assert ids == ["tie-a", "tie-b", "s-002", "s-001", "s-000"]
