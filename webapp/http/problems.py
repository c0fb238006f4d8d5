"""Errors of the data API as RFC 9457 problem details (``application/problem+json``).

The API functions raise :class:`ApiError`; one place (:func:`problem`) turns it into a response,
so every 400 and 404 of /api and /ogc has the same shape and says what would have worked.
Problems are English in every interface language, ``detail`` included: they are read by the
API's clients and their developers (an /ogc page for people answers errors as problems too),
and a detail names parameters and values that are English in any language::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "limit must be an integer from 1 to 10000, not 'ten'.",
     "parameter": "limit", "allowed": "an integer from 1 to 10000 (larger values are clamped)"}

>>> import json
>>> headers, status, body = problem(ApiError(404, "There is no collection 'roads'."))
>>> status, headers["Content-Type"], json.loads(body)["title"]
(404, 'application/problem+json', 'Not Found')
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from webapp.http import mediatypes
from webapp.http.mediatypes import compact_json

#: What every API function returns, as in pygeoapi: headers, status code and body bytes.
ApiResponse = tuple[dict[str, str], int, bytes]


class ApiError(Exception):
    """A request the API cannot answer; ``parameter`` and ``allowed`` say how to fix it."""

    def __init__(
        self,
        status: int,
        detail: str,
        parameter: str | None = None,
        allowed: Any = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.parameter = parameter
        self.allowed = allowed


class ParameterError(ApiError):
    """A query parameter is unknown, repeated or has a value outside what is allowed (400)."""

    def __init__(self, parameter: str, detail: str, allowed: Any) -> None:
        super().__init__(400, detail, parameter=parameter, allowed=allowed)


def problem_document(error: ApiError) -> dict[str, Any]:
    """The problem details object for ``error``; ``parameter``/``allowed`` only when known."""
    document: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "detail": error.detail,
    }
    if error.parameter is not None:
        document["parameter"] = error.parameter
    if error.allowed is not None:
        document["allowed"] = error.allowed
    return document


def problem(error: ApiError) -> ApiResponse:
    """``error`` as a response; errors are not cached, and other origins may read them."""
    body = compact_json(problem_document(error))
    headers = {
        "Content-Type": mediatypes.PROBLEM,
        "Cache-Control": "no-store",
        "Access-Control-Allow-Origin": "*",
    }
    return headers, error.status, body
