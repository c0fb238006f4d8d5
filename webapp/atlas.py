"""Load the three built GeoJSON files once, check them, and keep their bytes for downloads.

The web app never builds or edits data: it reads what ``geodata`` wrote. Everything is checked
at app creation so a missing or corrupt file stops the server with a message naming the file,
rather than surfacing later as a 500 on some request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from webapp.schema import Feature, FeatureCollection, SeedArticle, SourceIndex

#: The built files, in the order they are listed on the page.
FILES = ("atlas.geojson", "corridors.geojson", "sites.geojson")
#: The articles with their located quotes, written by the build beside the GeoJSON.
SOURCES_FILE = "sources.json"

#: Bounds [minLon, minLat, maxLon, maxLat] used only if the data has no features at all.
CENTRAL_ASIA_BBOX = (46.0, 35.0, 88.0, 56.0)


class AtlasDataError(RuntimeError):
    """A built data file is missing, unreadable, or does not follow the data contract."""


@dataclass(frozen=True)
class Atlas:
    """The loaded data: raw bytes per file name and the validated features of atlas.geojson."""

    raw: Mapping[str, bytes]
    collection: FeatureCollection
    seeds: list[SeedArticle] = field(default_factory=list)
    built_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    @property
    def features(self) -> list[Feature]:
        """Every feature, corridors first, each kind sorted by id (the file's order)."""
        return self.collection.features

    @cached_property
    def _by_id(self) -> dict[str, Feature]:
        return {f.properties.id: f for f in self.collection.features}

    @cached_property
    def _seeds_by_slug(self) -> dict[str, SeedArticle]:
        return {seed.slug: seed for seed in self.seeds}

    def feature(self, feature_id: str) -> Feature | None:
        """The feature with this id, or None."""
        return self._by_id.get(feature_id)

    def seed(self, slug: str) -> SeedArticle | None:
        """The article whose file name without ``.txt`` is ``slug``, or None."""
        return self._seeds_by_slug.get(slug)

    @cached_property
    def build_id(self) -> str:
        """Identifies this build: the SHA-256 of atlas.geojson (hex), e.g. for ETags."""
        return hashlib.sha256(self.raw["atlas.geojson"]).hexdigest()

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


def _read(path: Path, model: type[FeatureCollection] | type[SourceIndex]):
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err
    try:
        return data, model.model_validate_json(data)
    except ValidationError as err:
        raise AtlasDataError(f"{path} does not follow the data contract:\n{err}") from err


def _ids(collection: FeatureCollection) -> list[str]:
    return [f.properties.id for f in collection.features]


def load_atlas(data_dir: Path) -> Atlas:
    """Read and check atlas.geojson, corridors.geojson and sites.geojson in ``data_dir``.

    The split files must hold exactly the corridors and the sites of atlas.geojson, so the three
    downloads never disagree with the map.
    """
    data_dir = Path(data_dir)
    loaded = {name: _read(data_dir / name, FeatureCollection) for name in FILES}
    _, sources = _read(data_dir / SOURCES_FILE, SourceIndex)
    modified = (data_dir / "atlas.geojson").stat().st_mtime
    atlas = Atlas(
        raw={name: data for name, (data, _) in loaded.items()},
        collection=loaded["atlas.geojson"][1],
        seeds=sources.seeds,
        built_at=datetime.fromtimestamp(int(modified), tz=UTC),
    )
    expected = {
        "corridors.geojson": [f.properties.id for f in atlas.corridors],
        "sites.geojson": [f.properties.id for f in atlas.sites],
    }
    for name, ids in expected.items():
        if sorted(_ids(loaded[name][1])) != sorted(ids):
            raise AtlasDataError(
                f"{data_dir / name} does not hold the same features as atlas.geojson"
            )
    return atlas
