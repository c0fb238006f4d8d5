"""Find features: property filters, transliteration-insensitive text, bbox and geodesic ``near``.

A :class:`FeatureIndex` is built once per app from the GeoJSON features (plain dicts, exactly as
the build wrote them). Spatial filters first ask a shapely ``STRtree`` over the prebuilt
geometries for candidates, then test only those: ``bbox`` keeps features whose geometry
intersects the box; ``near`` measures the geodesic distance to each candidate found in
:func:`geodata.spatial.search_box` with :func:`geodata.spatial.point_to_feature_km`.

Text (``q``) matches names, aliases, waypoint names, category and description. Every word of
the query must match a word of the feature, by the start of its :func:`~geodata.names.exact_key`
or, for words of four letters or more, by :func:`~geodata.names.skeleton_key` (so Bekobod finds
Bekabad and Tirmiz finds Termez); or the whole query may match a whole name the same ways
(``Xian`` finds Xi'an).

>>> index = FeatureIndex([{"type": "Feature", "id": "a", "geometry": {"type": "Point",
...     "coordinates": [69.27, 40.22]}, "properties": {"id": "a", "name": "Bekabad park",
...     "kind": "site", "category": "industrial park", "countries": ["UZ"]}}])
>>> [m.feature["id"] for m in index.select(FeatureQuery(text="bekobod"))]
['a']
>>> [round(m.distance_km) for m in index.select(FeatureQuery(near=(41.31, 69.28), radius_km=200))]
[121]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely import STRtree
from shapely.affinity import translate
from shapely.geometry import shape

from geodata.names import exact_key, skeleton_key
from geodata.spatial import point_to_feature_km, search_box
from webapp.params import FeatureQuery

_WORD = re.compile(r"\w+")
#: Shorter words are compared by exact prefix only: their skeletons collide too easily.
MIN_SKELETON_LETTERS = 4


@dataclass(frozen=True)
class Match:
    """A feature (the GeoJSON dict) and, for ``near`` queries, its distance in km."""

    feature: dict[str, Any]
    distance_km: float | None = None


@dataclass(frozen=True)
class TextKeys:
    """The keys a feature can be found by."""

    words: frozenset[str]
    skeletons: frozenset[str]
    names: frozenset[str]
    name_skeletons: frozenset[str]

    @classmethod
    def of(cls, properties: dict[str, Any]) -> TextKeys:
        """Keys of the names, aliases, waypoints, category and description in ``properties``."""
        names = [properties["name"], *properties.get("aliases", [])]
        names += [place["place"] for place in properties.get("located_by", [])]
        text = " ".join([*names, properties.get("category", ""), properties.get("description", "")])
        words = {exact_key(word) for word in _WORD.findall(text)} - {""}
        return cls(
            words=frozenset(words),
            skeletons=frozenset(
                skeleton_key(word) for word in words if len(word) >= MIN_SKELETON_LETTERS
            )
            - {""},
            names=frozenset(exact_key(name) for name in names) - {""},
            name_skeletons=frozenset(skeleton_key(name) for name in names) - {""},
        )

    def match(self, text: str) -> bool:
        """Whether ``text`` (a user's query) finds this feature."""
        terms = [key for key in (exact_key(word) for word in _WORD.findall(text)) if key]
        if not terms:
            return False
        whole, whole_skeleton = exact_key(text), skeleton_key(text)
        if any(whole in name for name in self.names) or whole_skeleton in self.name_skeletons:
            return True
        return all(self._word_matches(term) for term in terms)

    def _word_matches(self, term: str) -> bool:
        if any(word.startswith(term) for word in self.words):
            return True
        return len(term) >= MIN_SKELETON_LETTERS and skeleton_key(term) in self.skeletons


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


class FeatureIndex:
    """The features with their prebuilt geometries, STRtree and text keys."""

    def __init__(self, features: Sequence[dict[str, Any]]) -> None:
        self.features = list(features)
        self._tree = STRtree([shape(f["geometry"]) for f in self.features])
        self._keys = [TextKeys.of(f["properties"]) for f in self.features]

    def categories(self) -> list[str]:
        """The categories present, sorted."""
        return sorted({f["properties"]["category"] for f in self.features})

    def _candidates(self, areas: Iterable[shapely.Geometry], predicate: str | None) -> set[int]:
        found: set[int] = set()
        for area in areas:
            found.update(int(i) for i in self._tree.query(area, predicate=predicate))
        return found

    def _keeps(self, position: int, query: FeatureQuery) -> bool:
        properties = self.features[position]["properties"]
        status = properties.get("status") or {}
        return (
            (not query.kinds or properties["kind"] in query.kinds)
            and (not query.categories or properties["category"] in query.categories)
            and (not query.countries or any(c in query.countries for c in properties["countries"]))
            and (not query.stages or status.get("stage") in query.stages)
            and (query.text is None or self._keys[position].match(query.text))
        )

    def select(self, query: FeatureQuery) -> list[Match]:
        """Every feature the query keeps: in file order, or nearest first for ``near``."""
        positions: Iterable[int] = range(len(self.features))
        if query.bbox is not None:
            positions = self._candidates(_boxes(*query.bbox), "intersects")
        distances: dict[int, float] = {}
        if query.near is not None:
            lat, lon = query.near
            area = search_box((lon, lat), query.radius_km)
            candidates = self._candidates(_wrapped(area), None) & set(positions)
            for position in candidates:
                geometry = self.features[position]["geometry"]
                distance = point_to_feature_km(lon, lat, geometry)
                if distance <= query.radius_km:
                    distances[position] = distance
            positions = distances
        kept = sorted(p for p in positions if self._keeps(p, query))
        if query.near is not None:
            kept.sort(key=lambda p: (distances[p], self.features[p]["id"]))
        return [Match(self.features[p], distances.get(p)) for p in kept]
