"""Whole responses replayed without running Flask: the map page, assets, downloads, API answers.

Everything this app serves for a GET is decided by the request line, the ``Host`` and the
``Accept`` headers and whether gzip is accepted; the data only changes with a new build, which
means a new app (the /data page, which says which downloads are made yet, is left out).
So :class:`ResponseCache`, a WSGI middleware in front of the app (see ``webapp.server``),
keeps each 200 answer of the cacheable paths once Flask has made it, with
every header (security headers, ETag…), and replays it; a request that revalidates
(``If-None-Match``…) or asks for a range still reaches Flask, which answers 304 or 206. A hit
costs a dictionary lookup instead of Flask's routing, hooks and response objects, which is most
of the time a prebuilt download takes to serve.

>>> def app(environ, start_response):
...     start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "15")])
...     return [b"made by ", b"the app"]
>>> cached = ResponseCache(app, prefixes=("/data/",))
>>> environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/data/x", "HTTP_HOST": "h"}
>>> b"".join(cached(environ, lambda status, headers: None)), len(cached)
(b'made by the app', 1)
>>> b"".join(cached(dict(environ), lambda status, headers: None)), cached.hits
(b'made by the app', 1)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from webapp.http_cache import accepts_gzip

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
#: ``Vary`` values the key covers; a response varying on anything else is not kept.
KEYED_VARY = frozenset({"accept-encoding", "accept"})
#: Paths answered from the cache: the map (/, /embed), its files, downloads, pages and API.
#: Not /data: on a large atlas it tells which downloads are made yet, which changes.
PATHS = frozenset({"/", "/embed", "/features", "/sources", "/api"})
PREFIXES = (
    "/static/",
    "/assets/",
    "/basemap/",
    "/data/",
    "/features/",
    "/sources/",
    "/api/features",
    "/ogc",
)
#: Bytes kept in all (least recently used dropped first), and the largest single body kept.
MAX_BYTES = 16 * 1024 * 1024
MAX_BODY = 8 * 1024 * 1024

Entry = tuple[str, list[tuple[str, str]], bytes]


class ResponseCache:
    """A WSGI middleware that replays the app's cacheable 200 answers (see the module)."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        paths: frozenset[str] = PATHS,
        prefixes: tuple[str, ...] = PREFIXES,
        max_bytes: int = MAX_BYTES,
        max_body: int = MAX_BODY,
    ) -> None:
        self.app = app
        self.paths = paths
        self.prefixes = prefixes
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.hits = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _key(self, environ: dict[str, Any]) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in BYPASS):
            return None
        path = environ.get("PATH_INFO", "")
        if path not in self.paths and not path.startswith(self.prefixes):
            return None
        return (
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("SERVER_PROTOCOL"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("HTTP_ACCEPT", ""),
            accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
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
        if not (seen and _keepable(seen["status"], seen["headers"], self.max_body)):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self._keep(key, (seen["status"], list(seen["headers"]), body))
        return [body]

    def _keep(self, key: tuple, entry: Entry) -> None:
        size = len(entry[2])
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)


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
