"""Every media type the atlas sends, in one table, and the one compact JSON encoding.

>>> MEDIA_TYPES["geojson"], compact_json({"a": [1, 2], "name": "Бекабад"}).decode()
('application/geo+json', '{"a":[1,2],"name":"Бекабад"}')
"""

from __future__ import annotations

import json
from typing import Any

#: Media types by the short name the code uses for them.
MEDIA_TYPES = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "problem": "application/problem+json",
    "openapi": "application/vnd.oai.openapi+json;version=3.0",
    "csv": "text/csv; charset=utf-8",
    "kml": "application/vnd.google-earth.kml+xml",
    "html": "text/html; charset=utf-8",
    "schema": "application/schema+json",
    "gpkg": "application/geopackage+sqlite3",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
}
JSON = MEDIA_TYPES["json"]
GEOJSON = MEDIA_TYPES["geojson"]
PROBLEM = MEDIA_TYPES["problem"]
OPENAPI = MEDIA_TYPES["openapi"]
CSV = MEDIA_TYPES["csv"]
KML = MEDIA_TYPES["kml"]
HTML = MEDIA_TYPES["html"]
SCHEMA = MEDIA_TYPES["schema"]
GEOPACKAGE = MEDIA_TYPES["gpkg"]
JAVASCRIPT = MEDIA_TYPES["js"]
CSS = MEDIA_TYPES["css"]


def compact_json(document: Any) -> bytes:
    """``document`` as compact UTF-8 JSON (no spaces, non-ASCII kept): the form of every JSON
    body the atlas sends and of each feature line the build writes."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
