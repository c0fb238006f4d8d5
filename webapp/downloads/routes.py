"""Downloads: the atlas as GeoJSON, CSV and KML, one GeoJSON per feature, and the /data page.

Files are made once (``webapp.downloads.files``: at app creation for an atlas of ordinary size,
at the first download for a large one); a request only picks the bytes, plain or gzip, and
Werkzeug answers 304, 206 or 416 from the validators (``webapp.responses``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_time
from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext, ngettext

from webapp.downloads.files import Downloads
from webapp.i18n import current_language
from webapp.i18n.formatting import long_date
from webapp.model.store import KINDS
from webapp.responses import allow_other_origins, replayable, send
from webapp.state import get_state

bp = Blueprint("data", __name__, url_prefix="/data")
bp.after_request(allow_other_origins)


def downloads() -> Downloads:
    """What the downloads part prepared for the app handling the current request."""
    return get_state().part("downloads")


def file_size(size: int) -> str:
    """A file's size in binary units as a reader of the page's language writes it: CLDR's
    digits and separators, the unit from the catalogue (CLDR has no KiB or MiB).

    >>> file_size(1), file_size(512), file_size(1536), file_size(5 * 1024**3)
    ('1 Byte', '512 Bytes', '1.5 KiB', '5.0 GiB')
    """
    if size < 1024:
        return ngettext(
            "%(size)s Byte",
            "%(size)s Bytes",
            size,
            size=format_decimal(size, locale=current_language()),
        )
    units = (
        gettext("%(size)s KiB"), gettext("%(size)s MiB"), gettext("%(size)s GiB"),
        gettext("%(size)s TiB"),
    )  # fmt: skip
    power = 1
    while power < len(units) and size >= 1024 ** (power + 1):
        power += 1
    value = format_decimal(size / 1024**power, format="#,##0.0", locale=current_language())
    return units[power - 1] % {"size": value}


def build_time(built_at: datetime) -> str:
    """When the data was built, to the minute in UTC: "22 November 2026, 10:05 UTC" or
    "22 ноября 2026 г., 10:05 UTC" (the date as the page's language writes it)."""
    moment = built_at.astimezone(UTC)
    time = format_time(moment, "HH:mm", tzinfo=UTC, locale=current_language())
    return gettext("%(date)s, %(time)s UTC", date=long_date(moment.date().isoformat()), time=time)


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
        built=build_time(state.atlas.built_at),
        file_size=file_size,
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
