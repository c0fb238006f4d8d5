"""Flask responses from what the parts prepared: ``(headers, status, body)`` answers and
prebuilt files, made conditional by Werkzeug, plus the two per-response marks the parts use.

Every answer carrying an ETag goes through Werkzeug's ``Response.make_conditional``: it
answers ``If-None-Match`` / ``If-Modified-Since`` with 304 and ``Range: bytes=…`` with 206 and
``Content-Range`` (416 when the range cannot be satisfied), and advertises
``Accept-Ranges: bytes``. A request for several ranges at once gets the whole body (200), as
RFC 9110 allows, rather than a multipart answer few clients want.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Response, current_app, request
from werkzeug.http import parse_etags, parse_range_header

from webapp.http.problems import ApiResponse
from webapp.http.replay import REPLAYABLE
from webapp.http.representation import GzipCache, Representation, variant
from webapp.model.filebody import FileBody

P = ParamSpec("P")
R = TypeVar("R")

#: Answers to CORS preflights: a page elsewhere may revalidate with If-None-Match itself.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since, Range",
    "Access-Control-Max-Age": "86400",
}


def public_root() -> str:
    """The scheme and host every absolute link starts with, no trailing slash: the configured
    public URL if there is one (the Host header is then never reflected), else this request's
    (which ProxyFix corrects behind a trusted proxy)."""
    configured = current_app.config.get("PUBLIC_URL")
    return (configured or request.root_url).rstrip("/")


def allow_other_origins(response: Response) -> Response:
    """Every answer of the open-data blueprints may be read by any origin (after_request)."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        for name, value in PREFLIGHT_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def replayable(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view whose 200 answers depend only on the request line and the loaded data, so
    that ``webapp.http.replay`` may keep and replay them without running the app."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request.environ[REPLAYABLE] = True
        return view(*args, **kwargs)

    return wrapper


def to_response(result: ApiResponse | tuple[dict[str, str], int, bytes | FileBody]) -> Response:
    """``(headers, status, body)`` as a Flask response; a 200 with an ETag is made conditional
    (304, 206, 416) by Werkzeug, and a body on disk is streamed a chunk at a time."""
    headers, status, body = result
    length = len(body)
    content = body.reader() if isinstance(body, FileBody) else body
    response = Response(content, status=status, headers=headers)
    if isinstance(body, FileBody):
        response.direct_passthrough = True
    response.headers["Content-Length"] = str(length)
    if status == 200 and "ETag" in response.headers:
        if _several_ranges(request.headers.get("Range")):
            request.environ.pop("HTTP_RANGE", None)
        response.make_conditional(request, accept_ranges=True, complete_length=length)
    if response.status_code == 304:
        response.headers.pop("Content-Type", None)
    return response


def send(entity: Representation, cache: GzipCache | None = None) -> Response:
    """A prebuilt representation, plain or gzip as the request allows, made conditional.

    Both encodings hold the same data, so a client revalidating with either one's ETag is
    answered 304 (it may have fetched the other encoding through another cache).
    """
    headers, body = variant(entity, request.headers.get("Accept-Encoding"), cache)
    sibling = entity.etag if headers["ETag"] == entity.gzip_etag else entity.gzip_etag
    if parse_etags(request.headers.get("If-None-Match")).contains_weak(sibling.strip('"')):
        headers["ETag"] = sibling
    return to_response((headers, 200, body))


def _several_ranges(header: str | None) -> bool:
    parsed = parse_range_header(header) if header else None
    return parsed is not None and len(parsed.ranges) > 1
