"""Security headers on every response, with a Content-Security-Policy fitted to the map page.

folium writes its map as inline scripts. Rather than allow every inline script
('unsafe-inline'), the policy lists the SHA-256 hash of each inline script of the page rendered
at app creation, so an injected script would not run even if escaping failed somewhere.
Styles keep 'unsafe-inline': folium emits inline <style> blocks and the legend colours its
swatches with style attributes. JSON data blocks (``<script type="application/json">``) are not
scripts: the browser never runs them, so they need no hash.

Every response refuses to be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``)
except the views marked :func:`frameable` (``/embed``), which any site may frame.

Before any view runs, a malformed request is refused (:func:`request_problem`): an address
longer than :data:`MAX_URL_CHARS` (414), a path or query string that is not UTF-8 once
percent-decoded (400; Werkzeug would silently turn the bytes into U+FFFD), and an HTTP/1.1
request without a valid ``Host`` (400, as RFC 9112 section 3.2 requires). /api and /ogc answer
these as problem details, the rest as the HTML error page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, g, request
from werkzeug.sansio.utils import host_is_trusted

from webapp.http.problems import ApiError, problem
from webapp.state import get_state, state_of

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
}

#: Headers of pages that hold a secret: the review app (its token, its CSRF session).
#: Cross-Origin-Opener-Policy keeps other sites' windows from holding a reference to such a
#: page, against cross-window leaks of what it holds. The reader's pages do not send it: they
#: are the same for everyone and set no cookie but the language chosen, so there is nothing a
#: cross-origin window could learn from them that a plain request would not, while the header
#: costs every reader a new renderer process (40-80 ms of a 400 ms first paint when the atlas
#: is opened in a new tab; ``bench/limits.py``).
SECRET_PAGE_HEADERS = {**STATIC_HEADERS, "Cross-Origin-Opener-Policy": "same-origin"}


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


#: The longest path plus query string served (as common servers: nginx 8k, Apache 8190).
MAX_URL_CHARS = 8192
#: Paths whose errors are problem details (``application/problem+json``) rather than HTML.
API_PREFIXES = ("/api/", "/ogc/")


def request_problem(environ: Mapping[str, Any]) -> tuple[int, str] | None:
    """The status and message refusing a malformed request, or None if it may proceed.

    ``environ`` is the WSGI environment: PATH_INFO holds the percent-decoded path as Latin-1
    text of its bytes, QUERY_STRING the raw query.

    >>> request_problem({"PATH_INFO": "/features", "QUERY_STRING": "q=%ff"})
    (400, 'The query string is not valid UTF-8 text once percent-decoded.')
    >>> request_problem({"PATH_INFO": "/", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "a b"})
    (400, "The Host header 'a b' is not a host name (and port).")
    """
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    if len(environ.get("SCRIPT_NAME", "")) + len(path) + len(query) > MAX_URL_CHARS:
        return 414, f"The address is too long: at most {MAX_URL_CHARS} characters are served."
    try:
        path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return 400, "The path is not valid UTF-8 text once percent-decoded."
    try:
        unquote_to_bytes(query.replace("+", " ")).decode("utf-8")
    except UnicodeError:
        return 400, "The query string is not valid UTF-8 text once percent-decoded."
    host = environ.get("HTTP_HOST")
    if host is None:
        if environ.get("SERVER_PROTOCOL") == "HTTP/1.1":
            return 400, "An HTTP/1.1 request needs a Host header."
    elif not host_is_trusted(host) or not _is_host_name(host):
        return 400, f"The Host header {host!r} is not a host name (and port)."
    return None


def _is_host_name(host: str) -> bool:
    """Whether ``host`` (a name or an address, with an optional port) can name a server:
    a DNS name has labels of 1 to 63 characters, 253 in all (RFC 1035); Werkzeug cannot
    build a URL for anything else.

    >>> _is_host_name("atlas.example:8000"), _is_host_name("[::1]:80"), _is_host_name("127.0.0.1")
    (True, True, True)
    >>> _is_host_name("evil..example"), _is_host_name(".example"), _is_host_name("a" * 64 + ".x")
    (False, False, False)
    """
    if host.startswith("["):
        return True  # an IPv6 literal; host_is_trusted checked its form
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.removesuffix(".")  # a fully qualified name may end with a dot
    labels = name.split(".")
    return 0 < len(name) <= 253 and all(0 < len(label) <= 63 for label in labels)


def _refuse_malformed() -> Response | None:
    found = request_problem(request.environ)
    if found is None:
        return None
    status, detail = found
    if request.path == "/ogc" or request.path.startswith(API_PREFIXES):
        headers, status, body = problem(ApiError(status, detail))
        return Response(body, status=status, headers=headers)
    abort(status, detail)


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


def init_app(app: Flask, tile_origins: Iterable[str]) -> None:
    """Refuse malformed requests and add the security headers to every response of ``app``,
    with a policy allowing the inline scripts the parts registered and the tile hosts."""
    state = state_of(app)
    state.csp = content_security_policy(state.script_hashes, tile_origins)
    app.before_request(_refuse_malformed)
    app.after_request(_add_headers)
