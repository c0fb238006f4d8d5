"""Downloads: the atlas as GeoJSON, CSV, KML and GeoPackage, one GeoJSON per feature, the
selections of the /features table (``/data/selection.geojson?kind=site…``), and the /data page.

Files are made once (``webapp.downloads.files``: at app creation for an atlas of ordinary size,
at the first download for a large one); a request only picks the bytes, plain or gzip, and
Werkzeug answers 304, 206 or 416 from the validators (``webapp.responses``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from babel.dates import format_time
from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext, ngettext

from webapp.downloads.files import Downloads
from webapp.downloads.selection import (
    SELECTION_FORMATS,
    SELECTION_LIMIT,
    SelectionError,
    api_url,
    parse_selection,
    query_parameters,
)
from webapp.i18n import current_language
from webapp.i18n.formatting import long_date
from webapp.model.store import KINDS
from webapp.responses import allow_other_origins, public_root, replayable, send
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
        selection_limit=SELECTION_LIMIT,
    )


@bp.get("/selection.<extension>")
@replayable
def selection(extension: str) -> Response:
    """The features the /features table shows for the same filters, e.g.
    /data/selection.gpkg?kind=site&country=UZ: the file /api/features answers as GeoJSON."""
    if extension not in SELECTION_FORMATS:
        formats = ", ".join(f"selection.{e}" for e in SELECTION_FORMATS)
        abort(404, f"There is no selection file selection.{extension}; try {formats}.")
    state = get_state()
    try:
        query = parse_selection(request.args.to_dict(flat=False), state.index.categories())
    except SelectionError as err:
        abort(400, str(err))
    selections = downloads().selections
    return send(selections.get(extension, query, public_root()), selections.gzip)


@bp.app_context_processor
def selection_downloads() -> dict[str, Any]:
    """``selection_links(query)`` for the /features table's template (``query``: the table's
    query, whose ``index_query()`` holds its filters): the download link of each format
    (keys geojson, csv, gpkg) and the same query in the API (key ``api``)."""

    def selection_links(query: Any) -> dict[str, str]:
        selection = query.index_query()
        params = query_parameters(selection)
        links = {
            extension: url_for("data.selection", extension=extension, **params)
            for extension in SELECTION_FORMATS
        }
        links["api"] = api_url("", selection)
        return links

    return {"selection_links": selection_links}


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
