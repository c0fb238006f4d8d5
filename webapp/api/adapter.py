"""The thin Flask side of the API functions: the request they see in, their answer out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from webapp.api.core import ApiRequest, answer
from webapp.api.data import ApiData
from webapp.http.problems import ApiResponse
from webapp.responses import public_root, replayable, to_response
from webapp.state import get_state


def api_data() -> ApiData:
    """What the API part prepared for the app handling the current request."""
    return get_state().part("api")


def api_request() -> ApiRequest:
    """The current Flask request as the API functions see it."""
    return ApiRequest(
        root=public_root(),
        path=request.path,
        args=request.args.to_dict(flat=False),
        headers=request.headers,
    )


def run(function: Callable[..., ApiResponse], *args: Any) -> Response:
    """Answer the current request with ``function(api_data, api_request, *args)``."""
    return to_response(answer(function, api_data(), api_request(), *args))


def get(bp: Blueprint, rule: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a GET view at ``rule`` and at ``rule`` with a trailing slash: API clients
    (OWSLib asks for ``/ogc/``) and people append one, and both must answer the same.
    Both answers may be replayed (``webapp.responses.replayable``)."""

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        marked = replayable(view)
        bp.add_url_rule(rule, view_func=marked, methods=["GET"])
        bp.add_url_rule(f"{rule}/", f"{view.__name__}_slash", marked, methods=["GET"])
        return marked

    return register
