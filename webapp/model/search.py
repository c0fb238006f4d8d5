"""Find features: property filters, transliteration-insensitive text, bbox and geodesic ``near``.

A :class:`FeatureIndex` is built once per app over a :class:`~webapp.model.store.FeatureStore`
(each feature's bytes and a few columns), so a query never touches a Python dict per feature:
every filter is a boolean mask over the features, computed with numpy. ``bbox`` keeps features
whose geometry intersects the box (points by comparing coordinates, lines through a shapely
``STRtree``); ``near`` measures the geodesic distance to each candidate inside
:func:`geodata.spatial.search_box`, all points at once.

Text (``q``) matches names, aliases, waypoint names, category and description. Every word of
the query must match a word of the feature, by the start of its :func:`~geodata.names.exact_key`
or, for words of four letters or more, by :func:`~geodata.names.skeleton_key` (so Bekobod finds
Bekabad and Tirmiz finds Termez); or the whole query may match a whole name the same ways
(``Xian`` finds Xi'an). The keys are inverted once (:class:`TextIndex`): a word prefix is a
range of the sorted words, whose positions lie side by side.

>>> index = FeatureIndex(FeatureStore.from_features([{"type": "Feature", "id": "a",
...     "geometry": {"type": "Point", "coordinates": [69.27, 40.22]}, "properties": {"id": "a",
...     "name": "Bekabad park", "kind": "site", "category": "industrial park"}}]))
>>> index.select_positions(FeatureQuery(text="bekobod")).positions.tolist()
[0]
>>> found = index.select_positions(FeatureQuery(near=(41.31, 69.28), radius_km=200))
>>> found.distances_km.round().tolist()
[121.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree
from shapely.affinity import translate

from geodata.spatial import distance_to_legs_km, lambert_km, search_box
from webapp.model.filters import FeatureQuery
from webapp.model.store import KINDS, FeatureStore


@dataclass(frozen=True)
class Selection:
    """What a query keeps: positions in the store (in answer order) and, for ``near``, km."""

    positions: np.ndarray
    distances_km: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.positions)


def _boxes(west: float, south: float, east: float, north: float) -> list[shapely.Geometry]:
    """The bbox as shapely boxes; one crossing the antimeridian (west > east) becomes two.

    A box whose south edge is north of its north edge holds nothing.
    """
    if south > north:
        return []
    if west <= east:
        return [shapely.box(west, south, east, north)]
    return [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]


def _wrapped(area: shapely.Geometry) -> list[shapely.Geometry]:
    """``area`` plus copies shifted by ±360° when it reaches past the antimeridian."""
    west, _, east, _ = area.bounds
    shifted = [area]
    if west < -180.0:
        shifted.append(translate(area, xoff=360.0))
    if east > 180.0:
        shifted.append(translate(area, xoff=-360.0))
    return shifted


def _legs(line: shapely.Geometry) -> np.ndarray:
    """The legs of a LineString or MultiLineString as an (n, 2, 2) lon/lat array."""
    parts = line.geoms if hasattr(line, "geoms") else [line]
    coordinates = [np.asarray(part.coords)[:, :2] for part in parts]
    return np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coordinates])


class FeatureIndex:
    """The features' columns (a :class:`FeatureStore`), an STRtree of lines and text keys."""

    def __init__(self, features: FeatureStore) -> None:
        self.store = features
        self._text = features.text_index
        self._line_positions = np.array(sorted(features.lines), dtype=np.int64)
        self._tree = STRtree([features.lines[p] for p in self._line_positions])

    def categories(self) -> list[str]:
        """The categories present, sorted."""
        return list(self.store.category_names)

    def _codes(self, names: Sequence[str], known: Sequence[str]) -> list[int]:
        return [i for i, name in enumerate(known) if name in set(names)]

    def _properties_mask(self, query: FeatureQuery) -> np.ndarray:
        store = self.store
        keep = np.ones(len(store), dtype=bool)
        if query.kinds:
            keep &= np.isin(store.kinds, self._codes(query.kinds, KINDS))
        if query.categories:
            keep &= np.isin(store.categories, self._codes(query.categories, store.category_names))
        if query.countries:
            keep &= store.in_countries(query.countries)
        if query.stages:
            keep &= np.isin(store.stages, self._codes(query.stages, store.stage_names))
        if query.text is not None:
            keep &= self._text.mask(query.text)
        return keep

    def _touching(self, areas: Sequence[shapely.Geometry], predicate: str | None) -> np.ndarray:
        """Features whose geometry (``predicate`` "intersects") or envelope (None) meets one
        of ``areas``; for points both are the same comparison of coordinates."""
        store = self.store
        found = np.zeros(len(store), dtype=bool)
        for area in areas:
            west, south, east, north = area.bounds
            with np.errstate(invalid="ignore"):
                found |= (
                    (store.lon >= west)
                    & (store.lon <= east)
                    & (store.lat >= south)
                    & (store.lat <= north)
                )
            if len(self._line_positions):
                found[self._line_positions[self._tree.query(area, predicate=predicate)]] = True
        return found

    def _distances(self, lon: float, lat: float, positions: np.ndarray) -> np.ndarray:
        """Geodesic km from (lon, lat) to each feature at ``positions``."""
        store = self.store
        km = np.empty(len(positions), dtype=float)
        is_point = ~np.isnan(store.lon[positions])
        km[is_point] = lambert_km(
            lon, lat, store.lon[positions[is_point]], store.lat[positions[is_point]]
        )
        for i in np.flatnonzero(~is_point):
            line = store.lines[int(positions[i])]
            km[i] = float(distance_to_legs_km((lon, lat), _legs(line)).min())
        return km

    def select_positions(self, query: FeatureQuery) -> Selection:
        """Every feature the query keeps: in file order, or nearest first for ``near``."""
        keep = self._properties_mask(query)
        if query.bbox is not None:
            keep &= self._touching(_boxes(*query.bbox), "intersects")
        if query.near is None:
            return Selection(np.flatnonzero(keep))
        lat, lon = query.near
        keep &= self._touching(_wrapped(search_box((lon, lat), query.radius_km)), None)
        positions = np.flatnonzero(keep)
        km = self._distances(lon, lat, positions)
        close = km <= query.radius_km
        positions, km = positions[close], km[close]
        ids = [self.store.ids[p] for p in positions]
        order = sorted(range(len(positions)), key=lambda i: (km[i], ids[i]))
        return Selection(positions[order], km[order])
