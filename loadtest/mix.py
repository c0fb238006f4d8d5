"""The request mix of the load test: which pages, downloads and queries, and how often.

Pure data and pure functions (no locust, no gevent), so the runner can import it to check
that every endpoint of the mix was exercised. Each endpoint is a name (one row of the
report), a weight (its share of the requests), the media type its answer must have, and a
function drawing a concrete URL from the atlas's own ids with the user's random generator.

>>> import random
>>> targets = Targets(("a", "b"), ("s1",), ("technopark",), ("UZ",), ("planned",))
>>> ENDPOINTS["/features/<id>"].url(targets, random.Random(1))
'/features/a'
>>> sum(endpoint.weight for endpoint in ENDPOINTS.values())
100
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Targets:
    """What the server holds, discovered when the test starts."""

    feature_ids: tuple[str, ...]
    source_slugs: tuple[str, ...]
    categories: tuple[str, ...]
    countries: tuple[str, ...]
    stages: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    weight: int
    media_type: str
    url: Callable[[Targets, random.Random], str]


#: Boxes over Central Asia (minLon,minLat,maxLon,maxLat), from one oblast to the whole region.
BBOXES = (
    "66,37,72,42",
    "55,35,88,55",
    "69,41,70,42",
    "60,38,65,42",
    "68.5,40.5,74,43.5",
    "50,40,62,48",
)
#: Cities as lat,lon: Tashkent, Almaty, Bishkek, Samarkand, Dushanbe, Ashgabat, Astana.
PLACES = (
    "41.31,69.28",
    "43.24,76.95",
    "42.87,74.59",
    "39.65,66.96",
    "38.56,68.78",
    "37.95,58.38",
    "51.17,71.45",
)
RADII_KM = ("25", "100", "300", "1000")
WORDS = ("Tashkent", "rail", "Bekobod", "park", "corridor", "Almaty", "logistics")
KINDS = ("site", "corridor")

HTML = "text/html"
GEOJSON = "application/geo+json"


def _api(**params: str) -> str:
    return f"/api/features?{urlencode(params)}"


def _filters(t: Targets, r: random.Random) -> str:
    draws = {
        "kind": r.choice(KINDS),
        "country": ",".join(r.sample(t.countries, k=min(2, len(t.countries)))),
        "category": r.choice(t.categories),
        "status": r.choice(t.stages),
    }
    names = r.sample(sorted(draws), k=r.randint(1, 3))
    return _api(**{name: draws[name] for name in names})


ENDPOINTS: dict[str, Endpoint] = {
    "/": Endpoint(10, HTML, lambda t, r: "/"),
    "/features": Endpoint(6, HTML, lambda t, r: "/features"),
    "/features/<id>": Endpoint(12, HTML, lambda t, r: f"/features/{r.choice(t.feature_ids)}"),
    "/sources/<slug>": Endpoint(6, HTML, lambda t, r: f"/sources/{r.choice(t.source_slugs)}"),
    "/data/atlas.geojson": Endpoint(6, GEOJSON, lambda t, r: "/data/atlas.geojson"),
    "/data/sites.csv": Endpoint(4, "text/csv", lambda t, r: "/data/sites.csv"),
    "/data/atlas.kml": Endpoint(
        4, "application/vnd.google-earth.kml+xml", lambda t, r: "/data/atlas.kml"
    ),
    "/api/features?<filters>": Endpoint(12, GEOJSON, _filters),
    "/api/features?q": Endpoint(6, GEOJSON, lambda t, r: _api(q=r.choice(WORDS))),
    "/api/features?bbox": Endpoint(
        10, GEOJSON, lambda t, r: _api(bbox=r.choice(BBOXES), kind=r.choice(KINDS))
    ),
    "/api/features?near": Endpoint(
        12,
        GEOJSON,
        lambda t, r: _api(near=r.choice(PLACES), radius_km=r.choice(RADII_KM)),
    ),
    "/ogc/collections/sites/items?bbox": Endpoint(
        12,
        GEOJSON,
        lambda t, r: f"/ogc/collections/sites/items?{urlencode({'bbox': r.choice(BBOXES)})}",
    ),
}


def targets_from(collection: dict, source_slugs: list[str]) -> Targets:
    """The Targets of a server: its /api/features answer and the slugs its /sources lists."""
    properties = [feature["properties"] for feature in collection["features"]]
    return Targets(
        feature_ids=tuple(feature["id"] for feature in collection["features"]),
        source_slugs=tuple(source_slugs),
        categories=tuple(sorted({p["category"] for p in properties})),
        countries=tuple(sorted({c for p in properties for c in p.get("countries", ())})),
        stages=tuple(sorted({p["status"]["stage"] for p in properties if p.get("status")})),
    )
