"""Where a facility the article puts "on the border" is: the border point nearest its town.

An article often places a cross-border facility only by the border and the towns or regions on
either side ("near the Atameken and Gulistan border crossing points"). The town's own point is
then tens of kilometres off; the nearest point of the country borders of the offline base
layer (Natural Earth 1:50m, ``geodata/basemap``) is where a crossing is. The result is always
flagged for a curator: it is an inference, not a position the article gives.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from geodata.geometry import geodesic_km

BASEMAP = Path(__file__).parents[1] / "basemap" / "natural-earth.geojson"
#: A town farther than this from any border is not "at the border": nothing is moved.
BORDER_KM = 50.0


class BorderPoint(NamedTuple):
    """The border point nearest a place, and how far it is from that place."""

    lon: float
    lat: float
    km: float


@cache
def border_vertices(path: Path = BASEMAP) -> tuple[tuple[float, float], ...]:
    """Every vertex (lon, lat) of the base layer's country borders, read once."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        (point[0], point[1])
        for feature in collection["features"]
        if feature["properties"].get("layer") == "border"
        for line in feature["geometry"]["coordinates"]
        for point in line
    )


def nearest_border(lon: float, lat: float) -> BorderPoint | None:
    """The border vertex nearest (lon, lat), if within :data:`BORDER_KM`.

    >>> point = nearest_border(68.66167, 40.84361)  # Sirdaryo, by the Kazakh-Uzbek border
    >>> point is not None and point.km < 10
    True
    >>> nearest_border(64.4, 39.8) is None  # Bukhara, far from any border
    True
    """
    # Cheap filter first: a degree of latitude is 111 km, so nothing beyond 1 degree counts.
    near = [v for v in border_vertices() if abs(v[1] - lat) < 1.0 and abs(v[0] - lon) < 1.5]
    if not near:
        return None
    best = min(near, key=lambda v: geodesic_km((lon, lat), v))
    km = geodesic_km((lon, lat), best)
    return BorderPoint(best[0], best[1], round(km, 1)) if km <= BORDER_KM else None
