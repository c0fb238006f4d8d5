"""The thin Flask side of the API functions: the request they see in, their answer out.

An OGC API function may answer a browser with an :class:`~webapp.api.ogc.HtmlPage`; it is
rendered here with Flask's templates (so the page has the site's layout) and sent like a JSON
answer: ETag, Last-Modified, gzip, conditional, ``Vary: Accept``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, render_template, request

from webapp.api.core import ApiRequest, answer
from webapp.api.data import ApiData
from webapp.api.ogc import VARY, HtmlPage
from webapp.http import mediatypes
from webapp.http.problems import ApiResponse
from webapp.http.representation import Representation, variant
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


def run(function: Callable[..., ApiResponse | HtmlPage], *args: Any) -> Response:
    """Answer the current request with ``function(api_data, api_request, *args)``."""
    result = answer(function, api_data(), api_request(), *args)
    if isinstance(result, HtmlPage):
        return html_response(result)
    return to_response(result)


def html_response(page: HtmlPage) -> Response:
    """``page`` rendered, with the validators, gzip and Vary of a negotiated JSON answer."""
    body = render_template(page.template, **page.context).encode("utf-8")
    entity = Representation(body, mediatypes.HTML, page.last_modified, headers={"Vary": VARY})
    headers, sent = variant(entity, request.headers.get("Accept-Encoding"), page.cache)
    return to_response((headers, 200, sent))


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
