"""What every deployment needs whatever the parts: ``/healthz`` and the HTML error pages.

Error pages render whatever failed before them: a request refused before routing (a bad
``Host``, say) has no URL adapter, so the page falls back to a layout that builds no URL.
They speak the request's language: the status's name and Werkzeug's standard description are
translated here; a message given to ``abort()`` is translated where it is written.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template
from flask_babel import LazyString, lazy_gettext
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from geodata.errors import ManifestError
from geodata.outputs import ATLAS, read_manifest
from webapp.http import mediatypes
from webapp.i18n import current_language
from webapp.i18n.languages import DEFAULT
from webapp.model.atlas import Atlas
from webapp.state import get_state

bp = Blueprint("service", __name__)

#: The error page when the full layout cannot be rendered (no URL can be built).
_PLAIN_ERROR = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{code} {name}</title>'
    '</head><body><h1>{code} {name}</h1><p>{description}</p><p><a href="/">Back to the map</a>'
    "</p></body></html>"
)

#: The statuses the atlas answers with, named in the reader's language (Werkzeug's English
#: names are the message ids, so English pages read as before).
STATUS_NAMES: dict[int, LazyString] = {
    400: lazy_gettext("Bad Request"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not Found"),
    405: lazy_gettext("Method Not Allowed"),
    406: lazy_gettext("Not Acceptable"),
    413: lazy_gettext("Request Entity Too Large"),
    414: lazy_gettext("Request URI Too Large"),
    416: lazy_gettext("Requested Range Not Satisfiable"),
    429: lazy_gettext("Too Many Requests"),
    431: lazy_gettext("Request Header Fields Too Large"),
    500: lazy_gettext("Internal Server Error"),
    503: lazy_gettext("Service Unavailable"),
}
#: Werkzeug's standard description of each status (shown when ``abort()`` gave no message),
#: word for word, in the reader's language.
STATUS_DESCRIPTIONS: dict[int, LazyString] = {
    400: lazy_gettext(
        "The browser (or proxy) sent a request that this server could not understand."
    ),
    403: lazy_gettext(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    404: lazy_gettext(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    405: lazy_gettext("The method is not allowed for the requested URL."),
    413: lazy_gettext("The data value transmitted exceeds the capacity limit."),
    414: lazy_gettext(
        "The length of the requested URL exceeds the capacity limit for this server. The "
        "request cannot be processed."
    ),
    416: lazy_gettext("The server cannot provide the requested range."),
    429: lazy_gettext("This user has exceeded an allotted request count. Try again later."),
    431: lazy_gettext("One or more header fields exceeds the maximum size."),
    500: lazy_gettext(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
}


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness and data check for deployments: what is loaded, and from which build.

    ``build_id`` is the SHA-256 of atlas.geojson, so two servers answer the same id exactly
    when they serve the same data. ``data_on_disk`` says whether the data directory still
    holds that build (``current``), a newer or damaged one (``changed``: the server keeps
    serving what it loaded; restart it to serve the new build), or is unreadable.
    """
    atlas = get_state().atlas
    return jsonify(
        status="ok",
        build_id=atlas.build_id,
        built_at=atlas.built_at.isoformat(),
        features=atlas.counts(),
        sources=len(atlas.seeds),
        data_on_disk=_on_disk(atlas),
    )


def _on_disk(atlas: Atlas) -> str:
    """Whether the data directory still holds the build loaded: its manifest names the same
    atlas.geojson (or, without a manifest, the file's modification time is the same) and the
    file has the size loaded. Nothing is hashed per request: a file rewritten in place with
    the same size and time goes unnoticed here (the server serves its copy all the same)."""
    data_dir = Path(current_app.config["DATA_DIR"])
    try:
        stat = (data_dir / ATLAS).stat()
    except OSError:
        return "unreadable"
    if stat.st_size != len(atlas.files[ATLAS]):
        return "changed"
    try:
        listed = read_manifest(data_dir).files.get(ATLAS)
    except ManifestError:
        listed = None
    if listed is not None:
        return "current" if listed.sha256 == atlas.build_id else "changed"
    return "current" if int(stat.st_mtime) == int(atlas.built_at.timestamp()) else "changed"


def error_page(error: HTTPException) -> Response:
    """Render any HTTP error (404, 405…) as a small HTML page, keeping its headers (Allow)."""
    response = error.get_response()
    try:
        html = render_template("error.html", error=error, **_in_language(error))
    except Exception:
        html = _PLAIN_ERROR.format(
            code=error.code, name=escape(error.name), description=escape(error.description)
        )
    response.set_data(html)
    response.content_type = mediatypes.HTML
    return response


def _in_language(error: HTTPException) -> dict[str, str | None]:
    """The error's name and description in the request's language, and the language of the
    description where it is not the page's (a message from ``abort()`` no catalogue holds)."""
    code = error.code or 500
    title = str(STATUS_NAMES.get(code, error.name))
    description = error.description or ""
    if description == type(error).description and code in STATUS_DESCRIPTIONS:
        description = str(STATUS_DESCRIPTIONS[code])
    language = current_language()
    # A Russian translation always has Cyrillic letters, so all-ASCII text is an English
    # message left untranslated: marked so, it is read as English and not as interface text.
    untranslated = language != DEFAULT and description.isascii()
    return {
        "title": title,
        "description": description,
        "description_lang": DEFAULT if untranslated else None,
    }


def init_app(app: Flask) -> None:
    """Register /healthz and the error pages on ``app``."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, error_page)
