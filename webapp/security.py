"""Security headers on every response, with a Content-Security-Policy fitted to the map page.

folium writes its map as inline scripts. Rather than allow every inline script
('unsafe-inline'), the policy lists the SHA-256 hash of each inline script of the page rendered
at app creation, so an injected script would not run even if escaping failed somewhere.
Styles keep 'unsafe-inline': folium emits inline <style> blocks and the legend colours its
swatches with style attributes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from flask import Flask, Response

from webapp.state import get_state

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)

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
        if "src" in match.group("attrs").lower():
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return list(dict.fromkeys(hashes))


def content_security_policy(script_hashes: Iterable[str], tile_origins: Iterable[str]) -> str:
    """The policy: everything from this origin, map tiles from the listed hosts, no framing."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *tile_origins],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", get_state().csp)
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of ``app``."""
    app.after_request(_add_headers)
