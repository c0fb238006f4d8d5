"""The atlas as an OGC GeoPackage: layers ``corridors`` and ``sites`` for QGIS and ogr2ogr.

Written with pyogrio (GDAL bundled in its wheel, so every machine writes the same bytes): each
layer has an R-tree spatial index, EPSG:4326 and one column per property. Flat properties are
typed columns (``reported_on`` a Date, counts Integer, ``length_km`` Real, ``countries`` joined
with ", "), so QGIS styles and filters by them without expressions; nested ones (``status``,
``sources``, ``history`` …) are JSON text with GDAL's JSON subtype, recorded the way GDAL does it
(``gpkg_data_columns`` with ``mime_type`` application/json).

The bytes are reproducible: features keep their order (fid 1, 2, … as given), the layers are
written in a fixed order, and the timestamp GDAL stores (``gpkg_contents.last_change``) is the
data's own date (:func:`data_date`) rather than the clock. The build commits the file; the web
app makes the same bytes from the same features, and a selection's file on request.

>>> column_types([{"properties": {"id": "a", "reported_on": None, "countries": ["UZ"],
...     "status": {"stage": "planned"}, "source_count": 2}}])
{'id': 'String', 'reported_on': 'Date', 'countries': 'String', 'status': 'JSON', \
'source_count': 'Integer'}
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

#: The layers, in the order they are written, and the kind of feature each holds.
LAYERS = {"corridors": "corridor", "sites": "site"}
#: Each layer's geometry type; corridors mix lines and multilines, so all become multilines.
GEOMETRY_TYPES = {"corridors": "MultiLineString", "sites": "Point"}
MEDIA_TYPE = "application/geopackage+sqlite3"
#: Columns whose type does not follow from the values (a length may be written 120 in JSON).
KNOWN_TYPES = {
    "reported_on": "Date",
    "source_count": "Integer",
    "sites_within_100km_count": "Integer",
    "length_km": "Real",
    "distance_km": "Real",
}
#: Lists of words written as one text column, the way people read them.
JOINED = {"countries": ", "}
#: What a NUL in a text column becomes: GDAL hands text to SQLite as C strings, which end at
#: the first NUL, losing the rest (JSON columns escape it as \u0000 and keep it).
NUL_STAND_IN = "\ufffd"
#: The columns of a layer no feature of the selection fills.
EMPTY_LAYER_COLUMNS = ("id", "name", "kind", "category", "stage")
#: GeoPackage 1.2: read by every GDAL since 2.2 and QGIS 3 (1.4 makes GDAL 3.6 warn).
DATASET_OPTIONS = {"VERSION": "1.2"}
#: SQLite's settings while a file is written: pages of 1 KiB rather than 4 (the file is 136 KiB
#: instead of 230: each layer's R-tree is seven small tables), and no journal or syncs to disk
#: (a temporary file, read once whole: a crash loses nothing). Neither changes the bytes.
PRAGMAS = {"page_size": "1024", "synchronous": "OFF", "journal_mode": "OFF"}
GDAL_OPTIONS = {"OGR_SQLITE_PRAGMA": ",".join(f"{k}={v}" for k, v in PRAGMAS.items())}
#: The last_change of a file whose features cite no dated article.
UNDATED = "1970-01-01"

_NUMPY = {"String": object, "JSON": object, "Integer": np.int64, "Real": np.float64}
_DATA_COLUMNS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT "
    "NOT NULL, name TEXT UNIQUE, title TEXT, description TEXT, mime_type TEXT, constraint_name "
    "TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE "
    "(table_name, name))"
)
_SCHEMA_EXTENSION = (
    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
    "VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
    "'http://www.geopackage.org/spec121/#extension_schema', 'read-write')"
)
#: GDAL's configuration is process-wide: one file is written at a time.
_WRITING = threading.Lock()


def _type_of(name: str, values: Sequence[Any]) -> str:
    if name in KNOWN_TYPES:
        return KNOWN_TYPES[name]
    present = [v for v in values if v is not None]
    if name in JOINED and all(isinstance(v, list) for v in present):
        return "String"
    if all(isinstance(v, str) for v in present):
        return "String"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "Real"
    return "JSON"


def column_types(features: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each property of ``features`` (first seen first) and its column type: String, Date,
    Integer, Real or JSON (lists, objects, and anything of mixed types)."""
    names = dict.fromkeys(name for f in features for name in f["properties"])
    return {name: _type_of(name, [f["properties"].get(name) for f in features]) for name in names}


def _cell(value: Any, kind: str, name: str) -> Any:
    if value is None:
        return None
    if kind == "JSON":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if kind == "String" and isinstance(value, list):
        value = JOINED[name].join(str(v) for v in value)
    if isinstance(value, str):
        return value.replace("\x00", NUL_STAND_IN)
    return value


def _field(values: list[Any], kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    """A column as pyogrio takes it: the values, and a mask of the nulls (None: no nulls)."""
    missing = np.array([v is None for v in values], dtype=bool)
    if kind == "Date":
        array = np.array([v or "NaT" for v in values], dtype="datetime64[D]")
    elif kind in ("Integer", "Real"):
        array = np.array([0 if v is None else v for v in values], dtype=_NUMPY[kind])
        if kind == "Integer" and (not len(array) or np.abs(array).max() < 2**31):
            array = array.astype(np.int32)  # an Integer column, not Integer64, when it fits
    else:
        array = np.array(values, dtype=object)
    return array, (missing if kind != "String" and missing.any() else None)


def _write_layer(
    path: Path, layer: str, features: Sequence[Mapping[str, Any]], append: bool
) -> dict[str, str]:
    types = column_types(features) or dict.fromkeys(EMPTY_LAYER_COLUMNS, "String")
    # GEOS parses the GeoJSON geometries in one call: shapely.geometry.shape per feature
    # takes as long as writing the file on an atlas of long lines.
    geometry = shapely.to_wkb(
        shapely.from_geojson([json.dumps(f["geometry"]) for f in features]).reshape(-1)
    )
    columns = [
        _field([_cell(f["properties"].get(name), kind, name) for f in features], kind)
        for name, kind in types.items()
    ]
    from pyogrio.raw import write  # GDAL is loaded when a file is written, not at import

    write(
        str(path),
        np.asarray(geometry, dtype=object),
        [array for array, _ in columns],
        list(types),
        field_mask=[mask for _, mask in columns],
        layer=layer,
        driver="GPKG",
        geometry_type=GEOMETRY_TYPES[layer],
        crs="EPSG:4326",
        append=append,
        promote_to_multi=GEOMETRY_TYPES[layer].startswith("Multi"),
        dataset_options=None if append else DATASET_OPTIONS,
        layer_options={"SPATIAL_INDEX": "YES", "FID": "fid", "GEOMETRY_NAME": "geom"},
    )
    return types


def _mark_json(path: Path, columns: Iterable[tuple[str, str]]) -> None:
    """Record the JSON columns as GDAL does (its JSON subtype), which pyogrio cannot ask for.

    Done between the two layers, so that GDAL's own SQLite writes the file last and the header
    names its version, not the system's: the bytes then depend on the pinned wheel alone.
    """
    connection = sqlite3.connect(path)
    try:
        for name in ("synchronous", "journal_mode"):
            connection.execute(f"PRAGMA {name} = {PRAGMAS[name]}")
        with connection:
            connection.execute(_DATA_COLUMNS)
            connection.execute(_SCHEMA_EXTENSION)
            connection.executemany(
                "INSERT INTO gpkg_data_columns (table_name, column_name, mime_type) "
                "VALUES (?, ?, 'application/json')",
                list(columns),
            )
    finally:
        connection.close()


def data_date(features: Iterable[Mapping[str, Any]]) -> str:
    """The day the data speaks for: the latest publication date its articles may have
    (``published_latest``, else ``published``), or :data:`UNDATED`."""
    days = [
        source.get("published_latest") or source.get("published")
        for feature in features
        for source in feature["properties"].get("sources") or ()
    ]
    return max((day for day in days if day), default=UNDATED)


def geopackage_bytes(features: Sequence[Mapping[str, Any]]) -> bytes:
    """The GeoPackage of ``features`` (GeoJSON feature dicts, in the order given): the
    corridors in layer ``corridors``, the sites in ``sites`` (either may be empty)."""
    import pyogrio  # GDAL is loaded when a file is written: a server serves the built one

    by_layer = {
        layer: [f for f in features if f["properties"]["kind"] == kind]
        for layer, kind in LAYERS.items()
    }
    first, second = LAYERS
    with _WRITING, tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as directory:
        path = Path(directory) / "atlas.gpkg"
        options = {**GDAL_OPTIONS, "OGR_CURRENT_DATE": f"{data_date(features)}T00:00:00.000Z"}
        previous = {name: pyogrio.get_gdal_config_option(name) for name in options}
        pyogrio.set_gdal_config_options(options)
        try:
            types = {first: _write_layer(path, first, by_layer[first], append=False)}
            # Both layers' JSON columns are known before the second is written (see _mark_json).
            types[second] = column_types(by_layer[second])
            _mark_json(
                path,
                [
                    (layer, name)
                    for layer in LAYERS
                    for name, t in types[layer].items()
                    if t == "JSON"
                ],
            )
            _write_layer(path, second, by_layer[second], append=True)
        finally:
            pyogrio.set_gdal_config_options(previous)
        return path.read_bytes()


def atlas_geopackage(atlas_geojson: bytes) -> bytes:
    """The GeoPackage of a built atlas.geojson (the build's hook: the web app reads the same
    file back, so both make it from identical features)."""
    return geopackage_bytes(json.loads(atlas_geojson)["features"])
