"""Downloads: the atlas as GeoJSON, CSV and KML, one GeoJSON per feature, and the /data page.

Files are made once (``webapp.downloads``: at app creation for an atlas of ordinary size, at
the first download for a large one); a request only picks the bytes, plain or gzip, or
answers 304 when the client's copy is current.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from webapp import adapter
from webapp.featurestore import KINDS

bp = Blueprint("data", __name__, url_prefix="/data")
bp.record_once(lambda state: adapter.init_app(state.app))
bp.after_request(adapter.allow_other_origins)


#: The page lists each feature's file up to this many features.
LISTED_FEATURES = 1000


@bp.get("")
def page() -> str:
    """Every download with its size, feature count and licence."""
    data = adapter.get_open_data()
    store = data.store
    features = None
    if len(store) <= LISTED_FEATURES:
        features = [
            {"id": fid, "name": store.names[i], "kind": KINDS[store.kinds[i]]}
            for i, fid in enumerate(store.ids)
        ]
    return render_template(
        "pages/data.html",
        groups=data.downloads.by_format(),
        features=features,
        total=len(store),
        built_at=data.atlas.built_at,
    )


@bp.get("/<name>")
def download(name: str) -> Response:
    """One file, e.g. atlas.geojson, sites.csv or corridors.kml, as an attachment."""
    files = adapter.get_open_data().downloads.files
    if name not in files:
        abort(404, f"There is no data file {name!r}; try one of {', '.join(files)}.")
    return adapter.send(files[name].representation)


@bp.get("/features/<feature_id>.geojson")
def feature(feature_id: str) -> Response:
    """One feature as GeoJSON, e.g. /data/features/bukhara-technopark.geojson."""
    entity = adapter.get_open_data().downloads.features.get(feature_id)
    if entity is None:
        abort(404, f"There is no feature {feature_id!r}; the list is at /features.")
    return adapter.send(entity)
