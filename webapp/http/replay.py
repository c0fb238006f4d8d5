"""Whole responses replayed without running Flask: the map page, assets, downloads, API answers.

What a view marked replayable (``webapp.responses.replayable``) answers to a GET is decided by
the request line, the ``Host``, ``Accept`` and ``Accept-Language`` headers and whether gzip
is accepted (a request with a cookie, which may choose the language, always reaches Flask); the
data only changes with a new build, which means a new app. So :class:`ResponseCache`, a WSGI
middleware the factory puts in front of the app, keeps each 200 answer of such a view once Flask
has made it, with every header (security headers, ETag…), and replays it; a request that revalidates
(``If-None-Match``…) or asks for a range still reaches Flask, which answers 304 or 206. A hit
costs a dictionary lookup instead of Flask's routing, hooks and response objects, which is most
of the time a prebuilt download takes to serve. Views opt in where they are defined, so a new
route needs no list kept here.

>>> def app(environ, start_response):
...     environ[REPLAYABLE] = True
...     start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "15")])
...     return [b"made by ", b"the app"]
>>> cached = ResponseCache(app)
>>> environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/data/x", "HTTP_HOST": "h"}
>>> b"".join(cached(environ, lambda status, headers: None)), len(cached)
(b'made by the app', 1)
>>> b"".join(cached(dict(environ), lambda status, headers: None)), cached.hits
(b'made by the app', 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from webapp.cache import BoundedCache
from webapp.http.representation import accepts_gzip

#: Request headers whose presence sends the request to the app: it answers them itself.
BYPASS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
)
#: ``Vary`` values the key covers; a response varying on anything else is not kept. A request
#: with a cookie is never replayed (BYPASS), so answers to the others do not vary on it.
KEYED_VARY = frozenset({"accept-encoding", "accept", "accept-language", "cookie"})
#: The WSGI environ key a replayable view sets (``webapp.responses.replayable``).
REPLAYABLE = "corridor_atlas.replayable"

Entry = tuple[str, list[tuple[str, str]], bytes]


class ResponseCache:
    """A WSGI middleware that replays the app's replayable 200 answers (see the module)."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        max_bytes: int = 16 * 1024 * 1024,
        max_body: int = 8 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self._entries: BoundedCache[Entry] = BoundedCache(max_bytes, size=lambda e: len(e[2]))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def hits(self) -> int:
        """Answers replayed so far."""
        return self._entries.hits

    @property
    def bytes_kept(self) -> int:
        """Bytes of the bodies kept."""
        return self._entries.current_size

    def clear(self) -> None:
        """Forget every kept answer."""
        self._entries.clear()

    def _key(self, environ: dict[str, Any]) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in BYPASS):
            return None
        return (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("SERVER_PROTOCOL"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self._entries.get(key)
        if entry is not None:
            status, headers, body = entry
            start_response(status, list(headers))
            return [body]
        seen: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        result = self.app(environ, remember)
        if not (
            environ.get(REPLAYABLE)
            and seen
            and _keepable(seen["status"], seen["headers"], self.max_body)
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self._entries.put(key, (seen["status"], list(seen["headers"]), body))
        return [body]


def _keepable(status: str, headers: list[tuple[str, str]], max_body: int) -> bool:
    """A 200 of known, small enough length, with no cookie, not private, varying only on
    what the key holds (a streamed body is never read here)."""
    if not status.startswith("200"):
        return False
    length = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-length":
            length = int(value) if value.isdigit() else None
        elif lowered == "set-cookie":
            return False
        if lowered == "cache-control" and ("no-store" in value or "private" in value):
            return False
        if lowered == "vary":
            varies = {v.strip().lower() for v in value.split(",") if v.strip()}
            if not varies <= KEYED_VARY:
                return False
    return length is not None and length <= max_body
