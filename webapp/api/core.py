"""What the API functions of /api and /ogc share: the request they see and how they answer.

As in pygeoapi, an API function knows nothing of Flask: it takes an :class:`ApiRequest` and
returns ``(headers, status, body)``; ``webapp.responses`` turns that into a Flask response.
:func:`answer` runs an API function and turns an :class:`~webapp.http.problems.ApiError` into
problem details, so every error has one shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from webapp.http.mediatypes import compact_json
from webapp.http.problems import ApiError, ApiResponse, problem
from webapp.http.representation import GzipCache, Representation, variant


@dataclass(frozen=True)
class ApiRequest:
    """A GET request: ``root`` is scheme and host (``http://host:port``), no trailing slash."""

    root: str
    path: str
    args: Mapping[str, Sequence[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def url(self, path: str | None = None, params: Mapping[str, str] | None = None) -> str:
        """An absolute URL on this server (default: this request's path), with ``params``."""
        query = f"?{urlencode(params, safe=',')}" if params else ""
        return f"{self.root}{path if path is not None else self.path}{query}"


def to_json(document: Any) -> bytes:
    """Compact UTF-8 JSON; a document with a ``to_json`` method (a page of prebuilt features,
    ``webapp.api.features.FeaturePage``) serialises itself."""
    serialise = getattr(document, "to_json", None)
    if callable(serialise):
        return serialise()
    return compact_json(document)


def json_response(
    request: ApiRequest,
    document: Any,
    media_type: str,
    last_modified: datetime,
    cache: GzipCache,
) -> ApiResponse:
    """``document`` as JSON, with ETag, Last-Modified and gzip as for downloads (the adapter
    answers 304 or a range from the validators)."""
    entity = Representation(to_json(document), media_type, last_modified)
    headers, body = variant(entity, request.headers.get("Accept-Encoding"), cache)
    return headers, 200, body


def answer(function: Callable[..., ApiResponse], *args: Any) -> ApiResponse:
    """``function(*args)``, or the problem details of the ApiError it raised."""
    try:
        return function(*args)
    except ApiError as error:
        return problem(error)
