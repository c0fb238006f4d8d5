"""Everything the open-data endpoints serve, built once per app from the loaded atlas.

:class:`OpenData` holds the GeoJSON features as plain dicts (every property the build wrote,
unlike the validated models), their search index, the prebuilt downloads, the OpenAPI document
and the cache of compressed API answers. It knows nothing of Flask; ``webapp.adapter`` keeps
one per app.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import shapely
from shapely.geometry import shape

from webapp.atlas import Atlas
from webapp.downloads import Downloads
from webapp.http_cache import GzipCache
from webapp.openapi import openapi_document
from webapp.query import FeatureIndex


@dataclass
class OpenData:
    """The atlas prepared for the API, the OGC API and the downloads."""

    atlas: Atlas
    features: list[dict[str, Any]]
    cache: GzipCache = field(default_factory=GzipCache)

    @classmethod
    def from_atlas(cls, atlas: Atlas) -> OpenData:
        """Parse atlas.geojson once more as plain dicts and build everything derived from it."""
        features = json.loads(atlas.raw["atlas.geojson"])["features"]
        data = cls(atlas=atlas, features=features)
        _ = data.index, data.downloads, data.openapi  # built now, not on a first request
        return data

    @cached_property
    def index(self) -> FeatureIndex:
        """The search index over every feature."""
        return FeatureIndex(self.features)

    @cached_property
    def downloads(self) -> Downloads:
        """Every /data file, with gzip variants."""
        return Downloads(self.atlas, self.features)

    @cached_property
    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.0 document of /api, /ogc and /data."""
        return openapi_document(self.index.categories(), self.features)

    def by_id(self, feature_id: str) -> dict[str, Any] | None:
        """The feature dict with this id, or None."""
        return self._by_id.get(feature_id)

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {f["id"]: f for f in self.features}

    def bbox(self, kinds: Sequence[str]) -> list[float]:
        """[minLon, minLat, maxLon, maxLat] of the features of ``kinds`` (the atlas's if none)."""
        geometries = [
            shape(f["geometry"]) for f in self.features if f["properties"]["kind"] in kinds
        ]
        if not geometries:
            return list(self.atlas.bbox())
        return [round(v, 6) for v in shapely.GeometryCollection(geometries).bounds]
