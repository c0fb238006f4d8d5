"""What the API functions of /api and /ogc read: the atlas, its search index, the OpenAPI
document and the cache of compressed answers, prepared once per app by ``webapp.api.init_app``.

Free of Flask, like every module of this package but the adapter and the routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from webapp.http.representation import GzipCache
from webapp.model.atlas import Atlas
from webapp.model.search import FeatureIndex
from webapp.model.store import KINDS, FeatureStore


@dataclass(frozen=True)
class ApiData:
    """The atlas prepared for the API and the OGC API."""

    atlas: Atlas
    index: FeatureIndex
    openapi: dict[str, Any]
    cache: GzipCache

    @property
    def store(self) -> FeatureStore:
        """The atlas's features in columns."""
        return self.atlas.store

    def by_id(self, feature_id: str) -> dict[str, Any] | None:
        """The feature dict with this id, or None."""
        position = self.store.position(feature_id)
        return None if position is None else self.store.feature(position)

    def bbox(self, kinds: Sequence[str]) -> list[float]:
        """[minLon, minLat, maxLon, maxLat] of the features of ``kinds`` (the atlas's if none)."""
        store = self.store
        chosen = np.isin(store.kinds, [KINDS.index(kind) for kind in kinds])
        if not chosen.any():
            return list(self.atlas.bbox())
        points = chosen & ~np.isnan(store.lon)
        boxes = [store.bounds(int(p)) for p in np.flatnonzero(chosen & np.isnan(store.lon))]
        if points.any():
            lon, lat = store.lon[points], store.lat[points]
            boxes.append((lon.min(), lat.min(), lon.max(), lat.max()))
        bounds = np.array(boxes, dtype=float)
        west, south = bounds[:, 0].min(), bounds[:, 1].min()
        east, north = bounds[:, 2].max(), bounds[:, 3].max()
        return [round(float(v), 6) for v in (west, south, east, north)]
