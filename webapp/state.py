"""The one per-app state: what the application factory builds once, and how a request reaches it.

Loading the data, indexing it and preparing each part's answers happen at app creation, never
per request. The result is one :class:`AtlasState` in ``app.extensions`` (so several apps, e.g.
tests over different data, coexist): the loaded atlas and its search index, which every part
shares, the limits the app was configured with, and what each part prepared for itself
(``parts``, filled by each part's ``init_app``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from flask import Flask, current_app

from webapp.model.atlas import Atlas
from webapp.model.search import FeatureIndex

EXTENSION_KEY = "corridor_atlas"


@dataclass(frozen=True)
class Limits:
    """Sizes the app works within, set through ``create_app({"LIMITS": {...}})``.

    >>> Limits.from_config({"table_page_size": 5}).table_page_size
    5
    >>> Limits.from_config({"page_size": 5})
    Traceback (most recent call last):
    ValueError: unknown limit 'page_size'; known: table_page_size, listed_downloads, ...
    """

    #: Rows of the /features table per page.
    table_page_size: int = 500
    #: The /data page lists each feature's file up to this many features.
    listed_downloads: int = 1000
    #: Downloads of an atlas whose atlas.geojson is larger than this are made at their first
    #: request (to disk), not at app creation.
    eager_download_bytes: int = 4 * 1024 * 1024
    #: Features a source page lists by name; beyond, it says how many more there are.
    listed_supported: int = 500
    #: The OpenAPI document enumerates feature ids up to this many, else gives their pattern.
    openapi_enum_ids: int = 1000
    #: Atlases of up to this many features draw every feature inline in the map page; larger
    #: ones get a small page that fetches a compact feed and clusters the sites.
    map_inline_features: int = 1000
    #: Validated feature models kept once read.
    feature_models: int = 512
    #: Popups of a large atlas's map kept once rendered.
    popups: int = 1024
    #: Per-feature GeoJSON downloads kept once made.
    feature_downloads: int = 2048
    #: Bytes of gzip-compressed answers kept by each cache of them: the API's, the filtered
    #: downloads' and the pages' (``webapp.compression``).
    gzip_bytes: int = 8 * 1024 * 1024
    #: Bytes of whole responses the app replays without running its views, and the largest
    #: single body it keeps.
    replay_bytes: int = 16 * 1024 * 1024
    replay_body_bytes: int = 8 * 1024 * 1024

    @classmethod
    def from_config(cls, values: Mapping[str, int] | None) -> Limits:
        """Defaults overridden by ``values``; an unknown name is an error, not ignored."""
        known = [f.name for f in fields(cls)]
        for name in values or {}:
            if name not in known:
                raise ValueError(f"unknown limit {name!r}; known: {', '.join(known[:2])}, ...")
        return cls(**(values or {}))


@dataclass
class AtlasState:
    """The loaded atlas, its search index, the limits, and each part's prepared data."""

    atlas: Atlas
    index: FeatureIndex
    limits: Limits = field(default_factory=Limits)
    #: The Content-Security-Policy of every response (set once every part has registered the
    #: hashes of its inline scripts in ``script_hashes``).
    csp: str = ""
    script_hashes: list[str] = field(default_factory=list)
    parts: dict[str, Any] = field(default_factory=dict)

    def part(self, name: str) -> Any:
        """What the part ``name`` (map, pages, downloads, api) prepared in its ``init_app``."""
        return self.parts[name]


def set_state(app: Flask, state: AtlasState) -> None:
    """Attach ``state`` to ``app``."""
    app.extensions[EXTENSION_KEY] = state


def state_of(app: Flask) -> AtlasState:
    """The state of ``app`` (for ``init_app`` functions and tests)."""
    return app.extensions[EXTENSION_KEY]


def get_state() -> AtlasState:
    """The state of the app handling the current request."""
    return state_of(current_app)
