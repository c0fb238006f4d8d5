"""Downloads under /data: the atlas, its corridors and its sites as GeoJSON, CSV and KML, and
one GeoJSON file per feature.

``init_app`` registers the blueprint and prepares the files (``webapp.downloads.files``).
"""

from __future__ import annotations

from flask import Flask

from webapp.downloads.files import Downloads
from webapp.downloads.routes import bp
from webapp.state import state_of


def init_app(app: Flask) -> None:
    """Register /data on ``app`` and prepare its files."""
    state = state_of(app)
    limits = state.limits
    state.parts["downloads"] = Downloads(
        state.atlas, state.atlas.store, limits.eager_download_bytes, limits.feature_downloads
    )
    app.register_blueprint(bp)
