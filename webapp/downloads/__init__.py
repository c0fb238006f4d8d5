"""Downloads under /data: the atlas, its corridors and its sites as GeoJSON, CSV and KML, the
atlas as a GeoPackage, one GeoJSON file per feature, and the selections of the /features table.

``init_app`` registers the blueprint and prepares the files (``webapp.downloads.files``).
"""

from __future__ import annotations

from flask import Flask

from webapp.downloads.files import Downloads
from webapp.downloads.routes import bp
from webapp.downloads.selection import Selections
from webapp.state import state_of


def init_app(app: Flask) -> None:
    """Register /data on ``app`` and prepare its files."""
    state = state_of(app)
    limits = state.limits
    selections = Selections(state.atlas.store, state.index, state.atlas.built_at, limits.gzip_bytes)
    state.parts["downloads"] = Downloads(
        state.atlas,
        state.atlas.store,
        limits.eager_download_bytes,
        limits.feature_downloads,
        selections,
    )
    app.register_blueprint(bp)
