"""A small map for the HTML pages of /ogc: an extent box, and optionally features, over the
offline Natural Earth land, as SVG path data (Flask-free).

The pages draw it as inline SVG: no script, no tile server and no request, so the map shows
offline and under the strictest Content-Security-Policy. The projection is equirectangular
with longitudes shrunk by the cosine of the middle latitude, which is faithful enough for a
box a few hundred pixels wide; land and borders are clipped to the view and simplified to
half a pixel, so a page carries a few kilobytes of paths rather than the whole layer.

>>> view = extent_map([66.0, 37.0, 72.0, 42.0])
>>> view.width, view.height, view.land.startswith("M"), len(view.boxes)
(320, 200, True, 1)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

import geodata

BASEMAP = Path(geodata.__file__).resolve().parent / "basemap" / "natural-earth.geojson"
WIDTH, HEIGHT = 320, 200
#: Space around the extent, as a share of its size, and at least this many degrees.
MARGIN, MIN_MARGIN_DEG = 0.15, 1.5

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ExtentMap:
    """What a page draws: path data of land, borders and line features, the points and the
    extent boxes in pixels (x, y, width, height), and the extent itself in degrees (west,
    south, east, north), which the page says in words in its own language."""

    width: int
    height: int
    land: str
    borders: str
    lines: str
    points: list[tuple[float, float]]
    boxes: list[Box]
    bounds: Box


@cache
def _basemap() -> tuple[BaseGeometry, BaseGeometry]:
    """The land and the borders (with coastlines) of the offline layer, read once; lines of
    a single point (left by the layer's clipping) are dropped."""
    polygons: list[BaseGeometry] = []
    lines: list[LineString] = []
    collection = json.loads(BASEMAP.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        layer, geometry = feature["properties"]["layer"], feature["geometry"]
        if layer == "land":
            polygons.extend(shapely.get_parts(shape(geometry)))
        elif layer in ("coastline", "border"):
            lines.extend(LineString(line) for line in geometry["coordinates"] if len(line) > 1)
    return MultiPolygon(polygons), MultiLineString(lines)


def _view(bbox: Sequence[float]) -> Box:
    """The west, south, east, north of the map: ``bbox`` with a margin, widened or heightened
    to the map's proportions (a box crossing the antimeridian shows the whole world)."""
    west, south, east, north = (float(v) for v in bbox[:4])
    if west > east:
        return -180.0, -60.0, 180.0, 85.0
    pad_x = max((east - west) * MARGIN, MIN_MARGIN_DEG)
    pad_y = max((north - south) * MARGIN, MIN_MARGIN_DEG)
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    shrink = math.cos(math.radians(max(-80.0, min(80.0, (south + north) / 2))))
    width_deg, height_deg = (east - west) * shrink, north - south
    if width_deg / height_deg > WIDTH / HEIGHT:
        grow = (width_deg * HEIGHT / WIDTH - height_deg) / 2
        south, north = south - grow, north + grow
    else:
        grow = (height_deg * WIDTH / HEIGHT - width_deg) / 2 / shrink
        west, east = west - grow, east + grow
    return west, south, east, north


class _Projection:
    """Longitude and latitude to pixels of a view."""

    def __init__(self, view: Box) -> None:
        self.west, self.south, self.east, self.north = view
        self.kx = WIDTH / (self.east - self.west)
        self.ky = HEIGHT / (self.north - self.south)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return round((lon - self.west) * self.kx, 1), round((self.north - lat) * self.ky, 1)

    def path(self, geometry: BaseGeometry, closed: bool) -> str:
        """SVG path data of every ring or line of ``geometry``, clipped to the view."""
        clipped = shapely.clip_by_rect(geometry, self.west, self.south, self.east, self.north)
        simple = clipped.simplify(0.5 / self.kx)
        parts = []
        for coordinates in _sequences(simple):
            points = [self.xy(x, y) for x, y, *_ in coordinates]
            if len(points) > 1:
                joined = " ".join(f"{x:g},{y:g}" for x, y in points)
                parts.append(f"M{joined}{'Z' if closed else ''}")
        return "".join(parts)


def _sequences(geometry: BaseGeometry) -> Iterable[Sequence[Sequence[float]]]:
    """The coordinate sequences of every line and polygon ring in ``geometry``."""
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            yield part.exterior.coords
            yield from (ring.coords for ring in part.interiors)
        elif part.geom_type == "LineString":
            yield part.coords
        elif part.geom_type.startswith(("Multi", "Geometry")):
            yield from _sequences(part)


@lru_cache(maxsize=128)
def _background(view: Box) -> tuple[str, str]:
    land, lines = _basemap()
    projection = _Projection(view)
    return projection.path(land, closed=True), projection.path(lines, closed=False)


def extent_map(bbox: Sequence[float], geometries: Iterable[Mapping[str, Any]] = ()) -> ExtentMap:
    """The map of ``bbox`` ([west, south, east, north] in degrees) with the GeoJSON
    ``geometries`` drawn on it: points as dots, lines as strokes."""
    view = _view(bbox)
    projection = _Projection(view)
    land, borders = _background(view)
    west, south, east, north = (float(v) for v in bbox[:4])
    spans = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    boxes = []
    for left, right in spans:
        x0, y0 = projection.xy(left, north)
        x1, y1 = projection.xy(right, south)
        boxes.append((x0, y0, round(x1 - x0, 1), round(y1 - y0, 1)))
    points, lines = [], []
    for geometry in geometries:
        found = shape(geometry)
        if found.geom_type in ("Point", "MultiPoint"):
            points.extend(projection.xy(p.x, p.y) for p in shapely.get_parts(found))
        else:
            lines.append(projection.path(found, closed=False))
    bounds = (west, south, east, north)
    return ExtentMap(WIDTH, HEIGHT, land, borders, "".join(lines), points, boxes, bounds)
