"""The atlas as CSV: one row per feature, properties flattened into readable cells.

For spreadsheets first: UTF-8 with a byte-order mark (Excel then reads the curly quotes and
Cyrillic right), RFC 4180 quoting and CRLF line ends. The names in Russian, Uzbek and Kazakh
follow ``name`` (empty where there is none); ``stage``, ``reported_on``, ``source_count`` and
``first_source`` follow ``status``, as the GeoJSON's flat properties. Lists are joined with
`` | ``, a source as ``“quote” — Headline, Publisher, date``; sites get ``lon``/``lat`` columns
and every feature a ``wkt`` geometry, so GIS tools can load the file too. A corridor names only its
nearest sites within 100 km; the ``sites_within_100km_count`` column beside them counts them
all. A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or
``@``) is prefixed with an apostrophe.

>>> row = feature_row({"type": "Feature", "id": "x", "geometry": {"type": "Point",
...     "coordinates": [69.5, 41.25]}, "properties": {"id": "x", "name": "X park", "kind": "site",
...     "category": "technopark", "countries": ["UZ"], "sources": [{"seed": "000.txt",
...     "quote": "a park"}], "nearest_corridor": {"id": "c", "name": "C", "distance_km": 4.5}}})
>>> row["sources"]
'“a park” — untitled article, publisher unknown, date unknown'
>>> row["lon"], row["nearest_corridor_km"], row["wkt"]
(69.5, 4.5, 'POINT (69.5 41.25)')
>>> row["name_ru"]
''
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import shapely
from shapely.geometry import shape

from webapp.i18n.formatting import cited_quote
from webapp.model.schema import NAME_LANGUAGES

JOIN = " | "
#: The flat properties beside the nested ones (the stage, as of ``as_of`` in a selection; the
#: first exact publication date; how many articles; the seed file of the earliest), so a GIS
#: styles and filters by them without parsing a cell.
FLAT_COLUMNS = ("stage", "reported_on", "source_count", "first_source")
#: The feature's names in the region's languages, each its own property of the GeoJSON.
NAME_COLUMNS = tuple(f"name_{language}" for language in NAME_LANGUAGES)
COLUMNS = (
    "id",
    "name",
    *NAME_COLUMNS,
    "aliases",
    "kind",
    "category",
    "countries",
    "status",
    *FLAT_COLUMNS,
    "dates",
    "figures",
    "description",
    "sources",
    "length_km",
    "lon",
    "lat",
    "nearest_corridor",
    "nearest_corridor_id",
    "nearest_corridor_km",
    "sites_within_100km",
    "sites_within_100km_count",
    "waypoints",
    "wkt",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _figure(figure: dict[str, Any]) -> str:
    value = figure["value"]
    amount = f"{value:,}" if isinstance(value, int | float) else str(value)
    unit = f" {figure['unit']}" if figure.get("unit") else ""
    return f"{figure['label']}: {amount}{unit}"


def _safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def feature_row(feature: dict[str, Any]) -> dict[str, Any]:
    """The CSV cells of one GeoJSON feature (a dict), keyed by :data:`COLUMNS`."""
    p = feature["properties"]
    status = p.get("status") or {}
    nearest = p.get("nearest_corridor") or {}
    point = feature["geometry"]["coordinates"] if feature["geometry"]["type"] == "Point" else None
    text = {
        "id": p["id"],
        "name": p["name"],
        **{column: p.get(column) or "" for column in NAME_COLUMNS},
        "aliases": JOIN.join(p.get("aliases", [])),
        "kind": p["kind"],
        "category": p["category"],
        "countries": JOIN.join(p.get("countries", [])),
        "status": status.get("stage", ""),
        "stage": p.get("stage") or "",
        "reported_on": p.get("reported_on") or "",
        "first_source": p.get("first_source") or "",
        "dates": JOIN.join(f"{d['event']}: {d['when']}" for d in status.get("dates", [])),
        "figures": JOIN.join(_figure(f) for f in p.get("figures", [])),
        "description": p.get("description", ""),
        "sources": JOIN.join(cited_quote(s) for s in p.get("sources", [])),
        "nearest_corridor": nearest.get("name", ""),
        "nearest_corridor_id": nearest.get("id", ""),
        "sites_within_100km": JOIN.join(
            f"{s['name']} ({s['distance_km']} km)" for s in p.get("sites_within_100km", [])
        ),
        "waypoints": JOIN.join(w["place"] for w in p.get("located_by", [])),
    }
    numbers = {
        "length_km": p.get("length_km", ""),
        "source_count": p.get("source_count", ""),
        "lon": point[0] if point else "",
        "lat": point[1] if point else "",
        "nearest_corridor_km": nearest.get("distance_km", ""),
        "sites_within_100km_count": p.get("sites_within_100km_count", ""),
        "wkt": shapely.to_wkt(shape(feature["geometry"]), rounding_precision=6, trim=True),
    }
    row = {name: _safe(value) for name, value in text.items()} | numbers
    return {name: row[name] for name in COLUMNS}


def csv_pieces(features: Iterable[dict[str, Any]], rows: int = 1000) -> Iterator[bytes]:
    """The CSV file (UTF-8 with BOM, CRLF) of ``features`` in pieces of ``rows`` rows, header
    row first, so a file of any size is written without holding it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    features = iter(features)
    encoding = "utf-8-sig"
    while batch := list(itertools.islice(features, rows)):
        writer.writerows(feature_row(feature) for feature in batch)
        yield out.getvalue().encode(encoding)
        out.seek(0)
        out.truncate()
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        yield out.getvalue().encode(encoding)
