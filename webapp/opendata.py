"""Everything the open-data endpoints serve, built once per app from the loaded atlas.

:class:`OpenData` holds the GeoJSON features as a :class:`~webapp.featurestore.FeatureStore`
(where each feature's line is in atlas.geojson, read back when asked for, plus the columns
queries filter on: no dict per feature), their search index, the table's sort order, the
downloads, the OpenAPI document, the cache of compressed API answers, and what a large atlas's
map fetches: its feed of features and each feature's popup. It knows nothing of Flask;
``webapp.adapter`` keeps one per app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, ClassVar

import numpy as np

from webapp.atlas import Atlas
from webapp.downloads import Downloads
from webapp.featurestore import KINDS, FeatureStore
from webapp.http_cache import GzipCache, Representation, compress
from webapp.listing import TableOrder
from webapp.mapdata import map_feed
from webapp.openapi import openapi_document
from webapp.popups import popup_html
from webapp.query import FeatureIndex

#: Popups of a large atlas's map kept once rendered.
POPUP_CACHE_SIZE = 1024


@dataclass
class OpenData:
    """The atlas prepared for the API, the OGC API and the downloads."""

    atlas: Atlas
    store: FeatureStore
    cache: GzipCache = field(default_factory=GzipCache)

    #: What is built with the app rather than on a request, in order (bench/memory.py
    #: profiles each).
    PREBUILT: ClassVar[tuple[str, ...]] = (
        "index",
        "table_order",
        "downloads",
        "openapi",
        "map_feed",
    )

    @classmethod
    def from_atlas(cls, atlas: Atlas) -> OpenData:
        """Index the atlas's features and build everything derived from them."""
        data = cls(atlas=atlas, store=atlas.store)
        for name in cls.PREBUILT:
            getattr(data, name)
        return data

    @cached_property
    def index(self) -> FeatureIndex:
        """The search index over every feature."""
        return FeatureIndex(self.store)

    @cached_property
    def table_order(self) -> TableOrder:
        """The rank of every feature in each column of the /features table."""
        return TableOrder(self.store)

    @cached_property
    def downloads(self) -> Downloads:
        """Every /data file, with gzip variants."""
        return Downloads(self.atlas, self.store)

    @cached_property
    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.0 document of /api, /ogc and /data."""
        return openapi_document(self.index.categories(), self.store.ids)

    @cached_property
    def map_feed(self) -> Representation:
        """The features a large atlas's map draws (``webapp.mapdata.map_feed``), with gzip."""
        body = map_feed(self.store)
        return Representation(body, "application/json", self.atlas.built_at, compress(body))

    def popup(self, feature_id: str) -> Representation | None:
        """The popup of a feature (``webapp.popups``) as an HTML fragment, or None."""
        return self._popup(feature_id) if self.store.position(feature_id) is not None else None

    @cached_property
    def _popup(self):
        @lru_cache(maxsize=POPUP_CACHE_SIZE)
        def render(feature_id: str) -> Representation:
            html = str(popup_html(self.atlas.feature(feature_id))).encode("utf-8")
            return Representation(html, "text/html; charset=utf-8", self.atlas.built_at)

        return render

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
