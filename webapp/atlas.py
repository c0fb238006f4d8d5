"""Load the three built GeoJSON files once, check them, and keep their bytes for downloads.

The web app never builds or edits data: it reads what ``geodata`` wrote. Everything is checked
at app creation so a missing or corrupt file stops the server with a message naming the file,
rather than surfacing later as a 500 on some request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from webapp.schema import Feature, FeatureCollection

#: The built files, in the order they are listed on the page.
FILES = ("atlas.geojson", "corridors.geojson", "sites.geojson")

#: Bounds [minLon, minLat, maxLon, maxLat] used only if the data has no features at all.
CENTRAL_ASIA_BBOX = (46.0, 35.0, 88.0, 56.0)


class AtlasDataError(RuntimeError):
    """A built data file is missing, unreadable, or does not follow the data contract."""


@dataclass(frozen=True)
class Atlas:
    """The loaded data: raw bytes per file name and the validated features of atlas.geojson."""

    raw: Mapping[str, bytes]
    collection: FeatureCollection

    @property
    def corridors(self) -> list[Feature]:
        """Corridor features, in file order (sorted by id)."""
        return [f for f in self.collection.features if f.properties.kind == "corridor"]

    @property
    def sites(self) -> list[Feature]:
        """Site features, in file order (sorted by id)."""
        return [f for f in self.collection.features if f.properties.kind == "site"]

    def counts(self) -> dict[str, int]:
        """Feature counts, as reported by /healthz."""
        corridors, sites = len(self.corridors), len(self.sites)
        return {"corridors": corridors, "sites": sites, "total": corridors + sites}

    def bbox(self) -> tuple[float, float, float, float]:
        """[minLon, minLat, maxLon, maxLat]: the file's bbox, else computed from the features."""
        if self.collection.bbox:
            return tuple(self.collection.bbox)  # type: ignore[return-value]
        points = [p for f in self.collection.features for p in _positions(f)]
        if not points:
            return CENTRAL_ASIA_BBOX
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        return min(lons), min(lats), max(lons), max(lats)


def _positions(feature: Feature) -> list[list[float]]:
    if feature.geometry.type == "Point":
        return [feature.geometry.coordinates]  # type: ignore[list-item]
    return [p for line in feature.lines() for p in line]


def _read(path: Path) -> tuple[bytes, FeatureCollection]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err
    try:
        return data, FeatureCollection.model_validate_json(data)
    except ValidationError as err:
        raise AtlasDataError(f"{path} does not follow the data contract:\n{err}") from err


def _ids(collection: FeatureCollection) -> list[str]:
    return [f.properties.id for f in collection.features]


def load_atlas(data_dir: Path) -> Atlas:
    """Read and check atlas.geojson, corridors.geojson and sites.geojson in ``data_dir``.

    The split files must hold exactly the corridors and the sites of atlas.geojson, so the three
    downloads never disagree with the map.
    """
    loaded = {name: _read(Path(data_dir) / name) for name in FILES}
    atlas = Atlas(
        raw={name: data for name, (data, _) in loaded.items()},
        collection=loaded["atlas.geojson"][1],
    )
    expected = {
        "corridors.geojson": [f.properties.id for f in atlas.corridors],
        "sites.geojson": [f.properties.id for f in atlas.sites],
    }
    for name, ids in expected.items():
        if sorted(_ids(loaded[name][1])) != sorted(ids):
            raise AtlasDataError(
                f"{Path(data_dir) / name} does not hold the same features as atlas.geojson"
            )
    return atlas
