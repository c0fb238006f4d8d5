"""The large map's clusters of sites at its lowest zooms, made by the build, so the map can
paint its first view before it has read its feed and clustered 100,000 sites itself.

The page clusters its sites with supercluster (``static/vendor/supercluster.min.js``), which
takes about a second here at 100,000 sites, after the feed has been read: the reader would
wait some three seconds for a first cluster. This module clusters the same points (the feed's
sites, in its order) the way supercluster does, and the page paints the clusters of its zoom
from them while its own index is made (``static/map-large.js``). Supercluster's way, at each
zoom from ``max_zoom`` down to 0, over the previous zoom's clusters and points in their order:
a point not yet taken gathers every point within ``radius`` pixels (of a 512-pixel tile) that
is not yet taken either; with at least one it becomes a cluster at their weighted centre, its
id made of its position, zoom and the number of points; otherwise it stays itself. So the
clusters here are the page's, with the same counts and ids at every zoom wherever they were
compared (the tests run supercluster itself; benchmark 5's 100,000 sites too). A centre may
differ in its last bit, as its sums run in another order, so a point lying exactly at the
radius of one could in principle be gathered on one side and not the other.

>>> first = first_clusters([69.0, 69.001, 120.0], [41.0, 41.0, 43.0], up_to=3)
>>> first[0]  # one cluster of three sites: [lon, lat, count, cluster id]
[[86.0003, 41.6736, 3, 4]]
>>> first[3]  # a cluster of two, and a site: [lon, lat, 1, its number]
[[69.0005, 41.0, 2, 19], [120.0, 43.0, 1, 2]]
>>> first_clusters([], [], up_to=1)
[[], []]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: supercluster's options as the large map sets them (``CLUSTER_OPTIONS`` in map-large.js).
RADIUS = 80
MAX_ZOOM = 16
#: supercluster's default tile extent, in pixels.
EXTENT = 512
#: The zooms, from 0, whose clusters the page is given: benchmark 5's 100,000-site atlas
#: opens at zoom 4.5 in a 1280x800 view (a zoom more in a view twice as wide), and zoom 6
#: alone would hold twice the bytes of zooms 0 to 5.
FIRST_ZOOMS = 5
#: How much farther than the radius (in tile units, 0 to 1) pairs are looked for before the
#: exact test: more than a position between 0 and 1 moves when rounded to 32 bits (2**-25).
SLACK = 2**-23
#: Decimal places of a cluster's centre (about 10 m; a pixel is kilometres at zoom 5).
DIGITS = 4


def _x(lon: np.ndarray) -> np.ndarray:
    return np.float32(lon / 360 + 0.5).astype(np.float64)


def _y(lat: np.ndarray) -> np.ndarray:
    sin = np.sin(lat * math.pi / 180)
    with np.errstate(divide="ignore"):
        y = 0.5 - 0.25 * np.log((1 + sin) / (1 - sin)) / math.pi
    return np.float32(np.clip(y, 0, 1)).astype(np.float64)


def _lon(x: float) -> float:
    return round((x - 0.5) * 360, DIGITS)


def _lat(y: float) -> float:
    return round(360 * math.atan(math.exp((180 - y * 360) * math.pi / 180)) / math.pi - 90, DIGITS)


def first_clusters(
    lon: Sequence[float], lat: Sequence[float], up_to: int = FIRST_ZOOMS
) -> list[list[list]]:
    """For each zoom from 0 to ``up_to``, supercluster's clusters and points of the sites at
    (``lon``, ``lat``): ``[lon, lat, count, id]``, where a point's id is its site's number and
    a cluster's is supercluster's ``cluster_id``."""
    total = len(lon)
    if not total:
        return [[] for _ in range(up_to + 1)]
    x, y = _x(np.asarray(lon, float)), _y(np.asarray(lat, float))
    count = np.ones(total, np.int64)
    ident = np.arange(total, dtype=np.int64)
    levels: dict[int, tuple[np.ndarray, ...]] = {}
    for zoom in range(MAX_ZOOM, -1, -1):
        x, y, count, ident = _cluster(x, y, count, ident, zoom, total)
        if zoom <= up_to:
            levels[zoom] = (x, y, count, ident)
    first = []
    for zoom in range(up_to + 1):
        x, y, count, ident = levels[zoom]
        first.append(
            [
                [lon[i], lat[i], 1, i] if n == 1 else [_lon(cx), _lat(cy), n, i]
                for cx, cy, n, i in zip(*(a.tolist() for a in (x, y, count, ident)), strict=True)
            ]
        )
    return first


def _cluster(
    x: np.ndarray, y: np.ndarray, count: np.ndarray, ident: np.ndarray, zoom: int, total: int
) -> tuple[np.ndarray, ...]:
    """One zoom of supercluster's ``_cluster``: the clusters and points of the zoom above.

    Points at one position go together (a point that gathers one gathers all of them, and the
    first of them, when its turn comes, gathers the rest), so they are paired as one: a
    thousand sites at a town's position make a pair per neighbour, not a million pairs.
    """
    radius = RADIUS / (EXTENT * 2**zoom)
    # Groups of points at one position, numbered in the order of their first point.
    _, first, group = np.unique(
        np.column_stack([x, y]), axis=0, return_index=True, return_inverse=True
    )
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group, first = rank[group.reshape(-1)], first[order]
    members = np.bincount(group)
    weight = np.bincount(group, weights=count).astype(np.int64)
    gx, gy = x[first], y[first]
    # supercluster's tree holds the positions as 32-bit floats and is asked about each point
    # at its 64-bit position: k is i's neighbour when that distance is within the radius.
    # Every point before i has been looked at (gathered, or kept) by the time i is.
    tx, ty = gx.astype(np.float32).astype(float), gy.astype(np.float32).astype(float)
    head, other = _near_pairs(tx, ty, radius + SLACK)
    near = (tx[other] - gx[head]) ** 2 + (ty[other] - gy[head]) ** 2 <= radius * radius
    pairs = np.column_stack([head, other])[near & (other > head)]
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    starts = np.searchsorted(pairs[:, 0], np.arange(len(first) + 1)).tolist()
    neighbours = pairs[:, 1].tolist()
    xs, ys, weights = gx.tolist(), gy.tolist(), weight.tolist()
    taken = bytearray(len(first))  # gathered into a cluster at this zoom
    merged: dict[int, tuple[float, float, int, int]] = {}  # a cluster by its first group
    for g in np.union1d(pairs[:, 0], np.flatnonzero(members > 1)).tolist():
        if taken[g]:
            continue
        gathered = [h for h in neighbours[starts[g] : starts[g + 1]] if not taken[h]]
        if not gathered and members[g] == 1:
            continue
        n, wx, wy = weights[g], xs[g] * weights[g], ys[g] * weights[g]
        for h in gathered:
            taken[h] = 1
            n += weights[h]
            wx += xs[h] * weights[h]
            wy += ys[h] * weights[h]
        merged[g] = (wx / n, wy / n, n, (int(first[g]) << 5) + (zoom + 1) + total)
    kept = np.flatnonzero(np.frombuffer(bytes(taken), np.uint8) == 0)
    rows = first[kept]
    x, y, count, ident = x[rows], y[rows], count[rows], ident[rows]
    if merged:
        heads = np.searchsorted(kept, list(merged))
        x[heads], y[heads], count[heads], ident[heads] = (
            np.array(v) for v in zip(*merged.values(), strict=True)
        )
    return x, y, count, ident


def _near_pairs(x: np.ndarray, y: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of distinct points (heads, others) in the same or touching cells of
    a grid ``reach`` wide: among them, every pair closer than ``reach``. (scipy's k-d tree
    does it too, but takes half a second to import into every build.)"""
    column = np.floor(x / reach).astype(np.int64)
    row = np.floor(y / reach).astype(np.int64) + 1  # a row above the first is still >= 0
    rows = int(row.max()) + 2
    cell = column * rows + row
    order = np.argsort(cell, kind="stable")
    cells = cell[order]
    heads, others = [], []
    for step in (-rows - 1, -rows, -rows + 1, -1, 0, 1, rows - 1, rows, rows + 1):
        first = np.searchsorted(cells, cell + step, "left")
        found = np.searchsorted(cells, cell + step, "right") - first
        within = np.arange(found.sum()) - np.repeat(np.cumsum(found) - found, found)
        heads.append(np.repeat(np.arange(len(x)), found))
        others.append(order[np.repeat(first, found) + within])
    head, other = np.concatenate(heads), np.concatenate(others)
    distinct = head != other
    return head[distinct], other[distinct]
