"""What a data response is made of, before any framework sees it: the body, its media type,
validators, and the variant (plain or gzip) a request gets.

Free of Flask. The data only changes with a new build, so

* the ETag is a hash of the exact bytes sent (the gzip variant carries a ``-gzip`` suffix: the
  two encodings are different representations);
* Last-Modified is the build time;
* gzip is used when the client accepts it: downloads and the files the map loads are
  compressed once (when the app is created, or for a large atlas's downloads at their first
  request, to disk), API answers above :data:`MIN_GZIP_BYTES` once per distinct body and kept
  in a bounded cache, never recompressed per request. The app's other text answers (its
  pages) are compressed the same way after their view (``webapp.compression``).

Which request is answered 304, 206 or 416 is Werkzeug's business
(``Response.make_conditional``, applied in ``webapp.responses``), not this module's.

>>> from datetime import UTC, datetime
>>> entity = Representation(b"{}", "application/json", datetime(2025, 1, 1, tzinfo=UTC))
>>> headers, body = variant(entity, "gzip")
>>> headers["ETag"] == entity.etag, headers["Content-Type"], body
(True, 'application/json', b'{}')
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path

from webapp.cache import BoundedCache
from webapp.model.filebody import FileBody

CACHE_CONTROL = "public, max-age=300"
#: Smaller bodies fit in a packet or two; compressing them costs more than it saves.
MIN_GZIP_BYTES = 1024
GZIP_SUFFIX = "-gzip"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Disposition, Content-Range",
}

#: Compressed bodies by the strong ETag of their plain bytes (:func:`strong_etag`).
GzipCache = BoundedCache[bytes]


def compress(body: bytes) -> bytes:
    """gzip with a fixed timestamp, so the same body always compresses to the same bytes."""
    return gzip.compress(body, compresslevel=9, mtime=0)


def gzip_cache(max_bytes: int) -> GzipCache:
    """A cache of compressed bodies bounded by their bytes."""
    return BoundedCache(max_bytes, size=len)


def strong_etag(body: bytes) -> str:
    """The strong ETag of ``body`` (quoted): the first 128 bits of its SHA-256, in hex."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@dataclass(frozen=True)
class Representation:
    """A response body with its media type, build time and, for downloads and the map's files,
    its gzip bytes.

    The bodies of a large atlas's downloads stay on disk
    (:class:`~webapp.model.filebody.FileBody`).
    """

    body: bytes | FileBody
    media_type: str
    last_modified: datetime
    gzipped: bytes | FileBody | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def with_gzip(
        cls, body: bytes, media_type: str, modified: float, headers: Mapping[str, str] | None = None
    ) -> Representation:
        """``body`` with its gzip, made now: a file the app sends as it is or joins from
        several. ``modified`` is in seconds since the epoch (a file's ``st_mtime``); the
        Last-Modified date keeps its whole seconds, as HTTP dates do."""
        last_modified = datetime.fromtimestamp(int(modified), UTC)
        return cls(body, media_type, last_modified, compress(body), headers or {})

    @classmethod
    def from_file(
        cls, path: Path, media_type: str, headers: Mapping[str, str] | None = None
    ) -> Representation:
        """The file at ``path`` with its gzip (:meth:`with_gzip`), last modified when it was."""
        return cls.with_gzip(path.read_bytes(), media_type, path.stat().st_mtime, headers)

    @cached_property
    def etag(self) -> str:
        """The strong ETag of the uncompressed body (quoted)."""
        if isinstance(self.body, FileBody):
            return f'"{self.body.sha256()[:32]}"'
        return strong_etag(self.body)

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


def variant(
    entity: Representation, accept_encoding: str | None, cache: GzipCache | None = None
) -> tuple[dict[str, str], bytes | FileBody]:
    """The headers and body of ``entity`` for a client accepting ``accept_encoding``: gzip when
    it is accepted and a gzip variant exists (or ``cache`` can make one), else the plain body."""
    use_gzip = accepts_gzip(accept_encoding) and (
        entity.gzipped is not None or (cache is not None and len(entity.body) >= MIN_GZIP_BYTES)
    )
    headers = {
        "ETag": entity.gzip_etag if use_gzip else entity.etag,
        "Last-Modified": format_datetime(entity.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        **CORS_HEADERS,
        **entity.headers,
        "Content-Type": entity.media_type,
    }
    body = entity.body
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        if entity.gzipped is not None:
            body = entity.gzipped
        else:
            plain = body
            body = cache.get_or_make(entity.etag, lambda: compress(plain))  # type: ignore[union-attr,arg-type]
    return headers, body
