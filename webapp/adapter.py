"""The thin Flask side of the open-data endpoints: per-app data, requests in, responses out.

The :class:`~webapp.opendata.OpenData` of an app is built when the blueprints are registered
(inside ``create_app``, after the atlas is loaded) and kept in ``app.extensions``; requests
only read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request

from webapp.apicore import ApiRequest, answer
from webapp.filebody import FileBody
from webapp.http_cache import Representation, negotiate
from webapp.opendata import OpenData
from webapp.problems import ApiResponse
from webapp.state import EXTENSION_KEY as ATLAS_KEY

EXTENSION_KEY = "corridor_atlas_open_data"


#: Answers to CORS preflights: a page elsewhere may revalidate with If-None-Match itself.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def allow_other_origins(response: Response) -> Response:
    """Every answer of the open-data blueprints may be read by any origin (after_request)."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        for name, value in PREFLIGHT_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Build the app's OpenData once (a second blueprint asking finds it built)."""
    if EXTENSION_KEY not in app.extensions:
        app.extensions[EXTENSION_KEY] = OpenData.from_atlas(app.extensions[ATLAS_KEY].atlas)


def get_open_data() -> OpenData:
    """The OpenData of the app handling the current request."""
    init_app(current_app)
    return current_app.extensions[EXTENSION_KEY]


def api_request() -> ApiRequest:
    """The current Flask request as the API functions see it."""
    return ApiRequest(
        root=request.root_url.rstrip("/"),
        path=request.path,
        args=request.args.to_dict(flat=False),
        headers=request.headers,
    )


def to_response(result: ApiResponse | tuple[dict[str, str], int, FileBody]) -> Response:
    """``(headers, status, body)`` as a Flask response; a body on disk is streamed."""
    headers, status, body = result
    response = Response(body, status=status, headers=headers)
    if isinstance(body, FileBody):
        response.headers["Content-Length"] = str(len(body))
        response.direct_passthrough = True
    if status == 304:
        response.headers.pop("Content-Type", None)
    return response


def run(function: Callable[..., ApiResponse], *args: Any) -> Response:
    """Answer the current request with ``function(open_data, api_request, *args)``."""
    return to_response(answer(function, get_open_data(), api_request(), *args))


def send(entity: Representation) -> Response:
    """A prebuilt file, with 304 / gzip as the request allows."""
    return to_response(negotiate(entity, request.headers))
