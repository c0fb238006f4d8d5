"""gzip for every text answer of the reader's app that its view did not compress itself.

Downloads, API answers and the files the map loads are compressed where they are prepared
(``webapp.responses.send``); the other text answers (the map page, the feature and source
pages, the table, About, a large map's popups…) are compressed here, after their view, by one
``after_request`` step that :func:`init_app` registers. Each distinct body is compressed
once and kept in a bounded cache under the hash of its plain bytes, so a page replayed to
many readers costs one compression. The plain and gzip answers are two representations:
both carry ``Vary: Accept-Encoding``, and an ETag the view set gets a ``-gzip`` suffix on the
gzip one, which a revalidation may name (304), as with ``send``.

Left as they are: answers already encoded (``send``'s gzip, which is never compressed twice),
streamed ones (a file on disk, ``direct_passthrough``), anything but a whole 200 (a 206 is a
range of the plain bytes the view chose, a 304 has no body), bodies under
:data:`~webapp.http.representation.MIN_GZIP_BYTES`, and media types that are not text.

Never compress a response that carries a secret beside text an attacker can influence: the
compressed length would tell a guess of the secret from a wrong one, a byte at a time (the
BREACH attack). The reader's app holds no secret (its pages are the same for everyone; its
only cookie is the language chosen). The review app (``webapp.review``), whose pages hold
the review token's cookie and a CSRF token beside text from proposals files and the query
string, never registers this step; and a response marked ``private`` or ``no-store`` is not
compressed either, so a page that ever holds a secret here is kept out by saying so.

Neither Werkzeug nor Flask compresses responses. Flask-Compress keys its cache on the request
alone (a page in two languages has one URL) and compresses 206 answers, whose ranges would no
longer match the bytes sent; this step is the few lines the app needs of it, gzip only, so
``webapp.http.replay`` keeps one answer per "accepts gzip or not".
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Request, Response

from webapp.http.representation import (
    GZIP_SUFFIX,
    MIN_GZIP_BYTES,
    GzipCache,
    accepts_gzip,
    compress,
    gzip_cache,
    strong_etag,
)
from webapp.state import state_of

#: The key of the cache of compressed answers in the app's state (for tests and benchmarks).
PART = "compression"
#: Subtypes of ``application/`` that are text (with any ``+json`` or ``+xml`` suffix).
TEXT_SUBTYPES = frozenset({"json", "xml", "javascript", "x-javascript"})


def is_text(mimetype: str) -> bool:
    """Whether a media type (no parameters) is text, which gzip shrinks.

    >>> [is_text(m) for m in ("text/html", "application/geo+json", "image/svg+xml")]
    [True, True, True]
    >>> [is_text(m) for m in ("image/png", "application/geopackage+sqlite3", "")]
    [False, False, False]
    """
    kind, _, subtype = mimetype.partition("/")
    return kind == "text" or subtype in TEXT_SUBTYPES or subtype.endswith(("+json", "+xml"))


def compressible(response: Response) -> bool:
    """Whether ``response`` is a whole text answer held in memory, large enough, not yet
    encoded, and holding no secret (see the module)."""
    cache_control = response.cache_control
    return (
        response.status_code == 200
        and "Content-Encoding" not in response.headers
        and not response.direct_passthrough
        and response.is_sequence
        and is_text(response.mimetype)
        and not cache_control.private
        and not cache_control.no_store
        and (response.content_length or 0) >= MIN_GZIP_BYTES
    )


def gzip_text(response: Response, request: Request, cache: GzipCache) -> Response:
    """``response`` sent with gzip if it is :func:`compressible` and ``request`` accepts gzip,
    its body compressed once per distinct body (``cache``), and made conditional again on its
    gzip ETag; a compressible answer says it varies on Accept-Encoding either way."""
    if not compressible(response):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip(request.headers.get("Accept-Encoding")):
        return response
    body = response.get_data()
    response.set_data(cache.get_or_make(strong_etag(body), lambda: compress(body)))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag is not None:
        # The view answered a revalidation against its plain ETag; this one names the gzip
        # bytes. Ranges stay the view's: a 206 of the plain bytes never reaches this step.
        response.set_etag(f"{etag}{GZIP_SUFFIX}", weak)
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Compress ``app``'s text answers (one cache of ``LIMITS.gzip_bytes``). Register it
    before the other steps: Flask runs ``after_request`` steps last registered first, so this
    one sees each answer once every other step is done with it."""
    state = state_of(app)
    cache = gzip_cache(state.limits.gzip_bytes)
    state.parts[PART] = cache

    def gzip_answer(response: Response) -> Response:
        return gzip_text(response, request, cache)

    app.after_request(gzip_answer)
