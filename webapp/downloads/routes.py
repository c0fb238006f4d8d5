"""Downloads: the atlas as GeoJSON, CSV and KML, one GeoJSON per feature, and the /data page.

Files are made once (``webapp.downloads.files``: at app creation for an atlas of ordinary size,
at the first download for a large one); a request only picks the bytes, plain or gzip, and
Werkzeug answers 304, 206 or 416 from the validators (``webapp.responses``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from webapp.downloads.files import Downloads
from webapp.model.store import KINDS
from webapp.responses import allow_other_origins, replayable, send
from webapp.state import get_state

bp = Blueprint("data", __name__, url_prefix="/data")
bp.after_request(allow_other_origins)


def downloads() -> Downloads:
    """What the downloads part prepared for the app handling the current request."""
    return get_state().part("downloads")


@bp.get("")
def page() -> str:
    """Every download with its size, feature count and licence (not replayed: on a large
    atlas it says which files are made yet, which changes)."""
    state = get_state()
    store = state.atlas.store
    features = None
    if len(store) <= state.limits.listed_downloads:
        features = [
            {"id": fid, "name": store.names[i], "kind": KINDS[store.kinds[i]]}
            for i, fid in enumerate(store.ids)
        ]
    return render_template(
        "pages/data.html",
        groups=downloads().by_format(),
        features=features,
        total=len(store),
        built_at=state.atlas.built_at,
    )


@bp.get("/<name>")
@replayable
def download(name: str) -> Response:
    """One file, e.g. atlas.geojson, sites.csv or corridors.kml, as an attachment."""
    files = downloads().files
    if name not in files:
        abort(404, f"There is no data file {name!r}; try one of {', '.join(files)}.")
    return send(files[name].representation)


@bp.get("/features/<feature_id>.geojson")
@replayable
def feature(feature_id: str) -> Response:
    """One feature as GeoJSON, e.g. /data/features/bukhara-technopark.geojson."""
    entity = downloads().features.get(feature_id)
    if entity is None:
        abort(404, f"There is no feature {feature_id!r}; the list is at /features.")
    return send(entity)
