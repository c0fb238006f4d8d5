"""Response bodies that stay on disk: the large downloads of a large atlas.

A 100,000-feature atlas's files weigh hundreds of megabytes with their gzip variants; held
in memory they would be most of the server's footprint for files few readers fetch.
:class:`FileBody` reads an open file in chunks as it is sent. Files the server makes itself
(CSV, KML, gzip variants) are spooled to anonymous temporary files, which the system removes
when they are closed, so nothing is left behind however the server stops.

>>> body = FileBody.spool([b"hello ", b"world"])
>>> len(body), b"".join(body), body.sha256()[:12]
(11, b'hello world', 'b94d27b9934d')
>>> import gzip
>>> gzip.decompress(b"".join(body.gzip()))
b'hello world'
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from typing import BinaryIO

#: Bytes read from the file per chunk sent.
CHUNK_BYTES = 256 * 1024


class FileBody:
    """The bytes of an open file, read a chunk at a time when iterated (``os.pread``, so
    several responses can read one file at once). The file is closed with the body."""

    def __init__(self, handle: BinaryIO, *, close: bool = True) -> None:
        self._handle = handle
        self._size = os.fstat(handle.fileno()).st_size
        if close:
            weakref.finalize(self, handle.close)

    @classmethod
    def spool(cls, chunks: Iterable[bytes]) -> FileBody:
        """A body holding ``chunks``, written to an anonymous temporary file."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the body
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        return cls(handle)

    @property
    def handle(self) -> BinaryIO:
        """The open file."""
        return self._handle

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, span: slice) -> bytes:
        """The bytes ``span`` covers (a step is not supported)."""
        start, stop, _ = span.indices(self._size)
        return os.pread(self._handle.fileno(), max(stop - start, 0), start)

    def __iter__(self) -> Iterator[bytes]:
        offset = 0
        while offset < self._size:
            chunk = os.pread(self._handle.fileno(), min(CHUNK_BYTES, self._size - offset), offset)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    def read(self) -> bytes:
        """Every byte at once (for small files and tests)."""
        return b"".join(self)

    def reader(self) -> FileReader:
        """A reader of these bytes with its own position, for one response (Werkzeug seeks it
        to answer a ``Range`` request without reading what comes before)."""
        return FileReader(self)

    def sha256(self) -> str:
        """The SHA-256 of the bytes (hex)."""
        digest = hashlib.sha256()
        for chunk in self:
            digest.update(chunk)
        return digest.hexdigest()

    def gzip(self) -> FileBody:
        """The bytes gzip-compressed (level 6: a large file's first request should not wait
        for level 9's last per cent), spooled to disk."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the body
        with gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=6, mtime=0) as packed:
            for chunk in self:
                packed.write(chunk)
        handle.flush()
        return FileBody(handle)


class FileReader:
    """One response's read of a :class:`FileBody`: an iterator of chunks that can seek.

    >>> reader = FileBody.spool([b"0123456789"]).reader()
    >>> reader.seek(4), next(reader), reader.tell()
    (4, b'456789', 10)
    """

    def __init__(self, body: FileBody) -> None:
        self._body = body
        self._offset = 0

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._offset, os.SEEK_END: len(self._body)}[whence]
        self._offset = max(0, base + offset)
        return self._offset

    def tell(self) -> int:
        return self._offset

    def __iter__(self) -> FileReader:
        return self

    def __next__(self) -> bytes:
        size = min(CHUNK_BYTES, len(self._body) - self._offset)
        if size <= 0:
            raise StopIteration
        chunk = self._body[self._offset : self._offset + size]
        if not chunk:
            raise StopIteration
        self._offset += len(chunk)
        return chunk
