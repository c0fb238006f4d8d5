"""Precompressed copies beside each compressible file: ``x.gz`` (gzip -9) and ``x.br``
(brotli), which nginx's ``gzip_static`` / ``brotli_static`` and common static hosts send to
clients that accept them, so no server compresses anything per request.

Both are reproducible: gzip's header carries no name and mtime 0, brotli has no header, so
publishing the same atlas twice gives the same bytes (and the same ETags behind a CDN).

>>> import gzip
>>> gzip.decompress(gzipped(b"a" * 1000)) == b"a" * 1000
True
>>> gzipped(b"x") == gzipped(b"x")
True
"""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

#: File name endings worth compressing: text, JSON, vector data (images and GeoPackages,
#: already compressed or binary-dense, are not).
COMPRESSIBLE = frozenset(
    {".html", ".css", ".js", ".json", ".geojson", ".csv", ".kml", ".svg", ".txt", ".xml"}
)
#: Smaller files gain nothing a compressed copy would be worth its request header.
MIN_BYTES = 256
#: Brotli's quality: 11, its best, is several times slower for a percent or two less.
BROTLI_QUALITY = 9
#: Brotli's window (log2 bytes) bounds: its default, the largest here, costs a small file's
#: compression twenty times its work (3.3 ms against 0.17 ms for a feature page, measured
#: over 400 published pages and items), for the same bytes.
_BROTLI_WINDOWS = (10, 24)


def compressible(path: str) -> bool:
    """Whether a published file gets ``.gz`` and ``.br`` copies (by its name's ending).

    >>> compressible("features/x.html"), compressible("previews/atlas.png")
    (True, False)
    """
    dot = path.rfind(".")
    return (dot > path.rfind("/") and path[dot:].lower() in COMPRESSIBLE) or path.endswith(
        "LICENSE"
    )


def gzipped(body: bytes) -> bytes:
    """``body`` as gzip at level 9 with a zero mtime and no file name: the same every time."""
    return gzip.compress(body, compresslevel=9, mtime=0)


def brotlied(body: bytes) -> bytes:
    """``body`` as Brotli, with a window no larger than ``body`` needs.

    >>> import brotli
    >>> brotli.decompress(brotlied(b"ab" * 5000)) == b"ab" * 5000
    True
    """
    smallest, largest = _BROTLI_WINDOWS
    window = min(largest, max(smallest, (len(body) + 16).bit_length()))  # 2**w - 16 bytes
    return brotli.compress(body, quality=BROTLI_QUALITY, lgwin=window)


def write_compressed(path: Path, body: bytes) -> int:
    """Write ``path.gz`` and ``path.br`` beside ``path`` (a file of ``body``) where each is
    smaller than ``body``; return the bytes written (0 for a file too small to gain)."""
    if len(body) < MIN_BYTES:
        return 0
    written = 0
    for suffix, packed in (
        (".gz", gzipped(body)),
        (".br", brotlied(body)),
    ):
        if len(packed) < len(body):
            path.with_name(path.name + suffix).write_bytes(packed)
            written += len(packed)
    return written
