"""HTTP caching for data responses: strong ETags, Last-Modified, 304s, gzip and CORS.

Free of Flask: :func:`negotiate` takes a :class:`Representation` and the request headers and
returns ``(headers, status, body)``. The data only changes with a new build, so

* the ETag is a hash of the exact bytes sent (the gzip variant carries a ``-gzip`` suffix, as
  the two encodings are different representations; revalidation accepts either tag);
* Last-Modified is the build time; If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2);
* gzip is used when the client accepts it: downloads are compressed once (when the app is
  created, or for a large atlas at their first request, to disk), API answers above
  :data:`MIN_GZIP_BYTES` once per distinct body and kept in a small cache, never recompressed
  per request.

>>> from datetime import UTC, datetime
>>> entity = Representation(b"{}", "application/json", datetime(2025, 1, 1, tzinfo=UTC))
>>> headers, status, _ = negotiate(entity, {"If-None-Match": entity.etag})
>>> status, headers["ETag"] == entity.etag
(304, True)
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property

from webapp.filebody import FileBody

CACHE_CONTROL = "public, max-age=300"
#: Smaller bodies fit in a packet or two; compressing them costs more than it saves.
MIN_GZIP_BYTES = 1024
GZIP_SUFFIX = "-gzip"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Disposition",
}


def compress(body: bytes) -> bytes:
    """gzip with a fixed timestamp, so the same body always compresses to the same bytes."""
    return gzip.compress(body, compresslevel=9, mtime=0)


class GzipCache:
    """Compressed bodies by ETag, least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str, body: bytes) -> bytes:
        """The gzip of ``body`` (whose ETag is ``etag``), compressed at most once while cached."""
        with self._lock:
            if etag in self._bodies:
                self._bodies.move_to_end(etag)
                return self._bodies[etag]
        compressed = compress(body)
        with self._lock:
            if etag not in self._bodies:
                self._bodies[etag] = compressed
                self._bytes += len(compressed)
            while self._bytes > self._max_bytes and len(self._bodies) > 1:
                self._bytes -= len(self._bodies.popitem(last=False)[1])
        return compressed


@dataclass(frozen=True)
class Representation:
    """A response body with its media type, build time and, for downloads, its gzip bytes.

    The bodies of a large atlas's downloads stay on disk (:class:`~webapp.filebody.FileBody`).
    """

    body: bytes | FileBody
    media_type: str
    last_modified: datetime
    gzipped: bytes | FileBody | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def etag(self) -> str:
        """The strong ETag of the uncompressed body (quoted)."""
        if isinstance(self.body, FileBody):
            return f'"{self.body.sha256()[:32]}"'
        return f'"{hashlib.sha256(self.body).hexdigest()[:32]}"'

    @property
    def gzip_etag(self) -> str:
        """The strong ETag of the gzip variant."""
        return f'{self.etag[:-1]}{GZIP_SUFFIX}"'


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (``q=0`` refuses it).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1.0, gzip;q=0"), accepts_gzip("*")
    (True, False, True)
    """
    if not accept_encoding:
        return False
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        weights[coding.strip().lower()] = quality
    quality = weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0)))
    return quality > 0


def _tag_matches(if_none_match: str, entity: Representation) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or entity.etag in tags or entity.gzip_etag in tags


def _not_modified_since(if_modified_since: str, entity: Representation) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if since.tzinfo is None:
        return False
    return entity.last_modified <= since


def negotiate(
    entity: Representation, request_headers: Mapping[str, str], cache: GzipCache | None = None
) -> tuple[dict[str, str], int, bytes | FileBody]:
    """The response to a GET for ``entity``: 304 if the client's copy is current, else 200."""
    use_gzip = accepts_gzip(request_headers.get("Accept-Encoding")) and (
        entity.gzipped is not None or (cache is not None and len(entity.body) >= MIN_GZIP_BYTES)
    )
    headers = {
        "ETag": entity.gzip_etag if use_gzip else entity.etag,
        "Last-Modified": format_datetime(entity.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        **CORS_HEADERS,
    }
    if_none_match = request_headers.get("If-None-Match")
    if_modified_since = request_headers.get("If-Modified-Since")
    if if_none_match is not None:
        fresh = _tag_matches(if_none_match, entity)
    else:
        fresh = if_modified_since is not None and _not_modified_since(if_modified_since, entity)
    if fresh:
        return headers, 304, b""
    headers.update(entity.headers)
    headers["Content-Type"] = entity.media_type
    body = entity.body
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        body = entity.gzipped if entity.gzipped is not None else cache.get(entity.etag, body)  # type: ignore[union-attr]
    return headers, 200, body
