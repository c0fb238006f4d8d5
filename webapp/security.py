"""Security headers on every response, with a Content-Security-Policy fitted to the map page.

folium writes its map as inline scripts. Rather than allow every inline script
('unsafe-inline'), the policy lists the SHA-256 hash of each inline script of the page rendered
at app creation, so an injected script would not run even if escaping failed somewhere.
Styles keep 'unsafe-inline': folium emits inline <style> blocks and the legend colours its
swatches with style attributes. JSON data blocks (``<script type="application/json">``) are not
scripts: the browser never runs them, so they need no hash.

Every response refuses to be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``)
except the views marked :func:`frameable` (``/embed``), which any site may frame.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Response, g

from webapp.state import get_state

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
#: ``type`` values that make a <script> executable (no type at all is JavaScript too).
_EXECUTABLE_TYPES = frozenset({"text/javascript", "application/javascript", "module"})

P = ParamSpec("P")
R = TypeVar("R")

#: Headers that do not depend on the page.
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Tile servers (OpenStreetMap's policy) want a Referer; send only the origin, never paths.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources ('sha256-…') of every inline <script> in ``html``, in page order.

    >>> inline_script_hashes('<script src="/a.js"></script><script>x = 1;</script>')
    ["'sha256-03jAmr2rYzY2g8yeHqeQY8HHCKsHFGpYa4WklgyYdMk='"]
    """
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if "src" in attrs.lower() or not _is_executable(attrs):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return list(dict.fromkeys(hashes))


def _is_executable(attrs: str) -> bool:
    """Whether a <script> with these attributes runs (JSON data blocks do not).

    >>> _is_executable(""), _is_executable(' type="application/json" id="d"')
    (True, False)
    """
    declared = _SCRIPT_TYPE.search(attrs)
    return declared is None or declared.group(1).lower() in _EXECUTABLE_TYPES


def content_security_policy(script_hashes: Iterable[str], tile_origins: Iterable[str]) -> str:
    """The policy: everything from this origin, map tiles from the listed hosts, no framing
    (``framing_allowed`` lifts that for /embed), forms only to this app."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *tile_origins],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],  # the /features filter form submits (GET) to this app
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def frameable(view: Callable[P, R]) -> Callable[P, R]:
    """Let any site frame this view's responses (``frame-ancestors *``, no X-Frame-Options)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        g.atlas_frameable = True
        return view(*args, **kwargs)

    return wrapper


def framing_allowed(policy: str) -> str:
    """``policy`` with ``frame-ancestors *`` instead of ``'none'``.

    >>> framing_allowed("default-src 'self'; frame-ancestors 'none'")
    "default-src 'self'; frame-ancestors *"
    """
    return policy.replace("frame-ancestors 'none'", "frame-ancestors *")


def _add_headers(response: Response) -> Response:
    policy = get_state().csp
    headers = dict(STATIC_HEADERS)
    if g.get("atlas_frameable", False):
        policy = framing_allowed(policy)
        del headers["X-Frame-Options"]
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of ``app``."""
    app.after_request(_add_headers)
