"""Every download of /data, built once from the loaded atlas: bytes, gzip bytes and validators.

GeoJSON files are served byte for byte as the build wrote them; CSV and KML are derived from
the same features; each feature also gets its own GeoJSON file. Everything, including the gzip
variant, is made when the app is created, so a request only picks bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import shape

from webapp.atlas import Atlas
from webapp.http_cache import Representation, compress
from webapp.kml import KML_MIMETYPE, to_kml
from webapp.style import corridor_colour
from webapp.subsets import SUBSETS
from webapp.tables import to_csv

GEOJSON_MIMETYPE = "application/geo+json"
CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMATS = {"geojson": "GeoJSON", "csv": "CSV", "kml": "KML"}
MIMETYPES = {"geojson": GEOJSON_MIMETYPE, "csv": CSV_MIMETYPE, "kml": KML_MIMETYPE}


@dataclass(frozen=True)
class Download:
    """One downloadable file and what the /data page says about it."""

    name: str
    title: str
    format: str
    features: int
    representation: Representation

    @property
    def size(self) -> int:
        """Bytes sent uncompressed."""
        return len(self.representation.body)

    @property
    def gzip_size(self) -> int:
        """Bytes sent with gzip."""
        return len(self.representation.gzipped or b"")


def _attachment(body: bytes, media_type: str, name: str, atlas: Atlas) -> Representation:
    return Representation(
        body=body,
        media_type=media_type,
        last_modified=atlas.built_at,
        gzipped=compress(body),
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def single_feature_geojson(feature: dict[str, Any]) -> bytes:
    """A FeatureCollection holding just ``feature``, with its bbox (RFC 7946)."""
    bbox = [round(value, 6) for value in shape(feature["geometry"]).bounds]
    document = {"type": "FeatureCollection", "bbox": bbox, "features": [feature]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class Downloads:
    """The files of /data by name, and the per-feature GeoJSON by feature id."""

    def __init__(self, atlas: Atlas, features: Sequence[dict[str, Any]]) -> None:
        self._colours = {c.properties.id: corridor_colour(i) for i, c in enumerate(atlas.corridors)}
        self.files: dict[str, Download] = {}
        for subset in SUBSETS.values():
            chosen = [f for f in features if f["properties"]["kind"] in subset.kinds]
            for extension, label in FORMATS.items():
                name = f"{subset.id}.{extension}"
                body = self._body(atlas, name, chosen, subset.title)
                representation = _attachment(body, MIMETYPES[extension], name, atlas)
                self.files[name] = Download(name, subset.title, label, len(chosen), representation)
        self.features: dict[str, Representation] = {
            f["id"]: _attachment(
                single_feature_geojson(f), GEOJSON_MIMETYPE, f"{f['id']}.geojson", atlas
            )
            for f in features
        }

    def _body(self, atlas: Atlas, name: str, chosen: list[dict[str, Any]], title: str) -> bytes:
        if name.endswith(".geojson"):
            return atlas.raw[name]
        if name.endswith(".csv"):
            return to_csv(chosen)
        return to_kml(chosen, title, self._colours)

    def by_format(self) -> dict[str, list[Download]]:
        """The files grouped by format label, each group in subset order (for the /data page)."""
        groups: dict[str, list[Download]] = {label: [] for label in FORMATS.values()}
        for download in self.files.values():
            groups[download.format].append(download)
        return groups
