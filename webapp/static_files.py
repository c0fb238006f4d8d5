"""The site's own text files under ``/static/`` (its stylesheets, scripts, SVG and JSON) sent
with gzip when accepted.

Flask's ``static`` view streams each file from disk (``send_from_directory``), which the
compression step (``webapp.compression``) leaves alone, so ``site.css`` and ``theme.js`` went
uncompressed with every page. :func:`init_app` keeps Flask's rule (``/static/<path:filename>``,
so ``url_for("static", filename=…)`` is unchanged) and gives its ``static`` endpoint the view
:func:`static_file`: a text file of :data:`~webapp.http.representation.MIN_GZIP_BYTES` or more
is read and compressed at its first request, once per process, and sent by
``webapp.responses.send`` (strong ETags, plain and ``-gzip``; ``Vary: Accept-Encoding``; 304;
ranges). Any other file (images, fonts, small files) and any path outside the folder or missing
go Flask's own way, which sends the file or answers 404. Both ways keep the Cache-Control Flask
gives static files (``SEND_FILE_MAX_AGE_DEFAULT``; by default none, so ``no-cache``: browsers
revalidate each time, which the ETag answers with a 304).

The map's bundles under ``/static/`` (``webapp.map.routes``) have rules of their own, which the
router tries before this one: an ``any`` converter weighs more than ``path``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, current_app
from werkzeug.security import safe_join
from werkzeug.utils import get_content_type

from webapp.compression import is_text
from webapp.http.representation import MIN_GZIP_BYTES, Representation
from webapp.responses import replayable, send
from webapp.state import get_state, state_of

#: The key of the representations made so far in the app's state: the static file's full
#: path -> its representation, or None for a text file too small to compress.
PART = "static"


def cache_control(max_age: int | None) -> str:
    """The Cache-Control Werkzeug's ``send_file`` gives a file kept ``max_age`` seconds (None:
    no time at all, revalidate each time). Its ``Expires`` is left out: ``max-age`` overrides
    it (RFC 9111, section 5.3).

    >>> cache_control(None), cache_control(0), cache_control(3600)
    ('no-cache', 'no-cache, max-age=0', 'public, max-age=3600')
    """
    if max_age is None:
        return "no-cache"
    return f"public, max-age={max_age}" if max_age > 0 else f"no-cache, max-age={max_age}"


def text_file(filename: str) -> Representation | None:
    """File ``filename`` of the current app's static folder with its gzip, if it is text of
    :data:`MIN_GZIP_BYTES` or more; None for any other file, or none, which Flask then sends
    or answers 404. Each file is read once, kept under its joined path (never the name asked
    for: ``./site.css`` and ``site.css`` are one file)."""
    mimetype, encoding = mimetypes.guess_type(filename)
    if mimetype is None or encoding is not None or not is_text(mimetype):
        return None  # ``x.css.gz`` is a gzip file already: Flask says so in Content-Encoding
    joined = safe_join(str(current_app.static_folder), filename)
    if joined is None:
        return None
    kept: dict[str, Representation | None] = get_state().part(PART)
    if joined not in kept:
        path = Path(joined)
        if not path.is_file():
            return None
        headers = {"Cache-Control": cache_control(current_app.get_send_file_max_age(filename))}
        kept[joined] = (
            Representation.from_file(path, get_content_type(mimetype, "utf-8"), headers)
            if path.stat().st_size >= MIN_GZIP_BYTES
            else None
        )
    return kept[joined]


@replayable
def static_file(filename: str) -> Response:
    """One file of the static folder: a text file by :func:`text_file`, any other as Flask
    sends it (its 404 included)."""
    if filename.endswith("/"):
        abort(404)  # a file's name with a slash after it: pathlib would drop the slash
    entity = text_file(filename)
    return current_app.send_static_file(filename) if entity is None else send(entity)


def init_app(app: Flask) -> None:
    """Serve ``app``'s static folder through :func:`static_file`, under Flask's own rule."""
    state_of(app).parts[PART] = {}
    app.view_functions["static"] = static_file
