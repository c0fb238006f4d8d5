"""The SHA-256 of each built file, remembered between starts under the file's identity.

A server checks every file it loads against the build by its SHA-256: at 100,000 features
that is 480 MB hashed, about 0.2 s of every start, and the same answer each time the same
files are served again. As git's index does, the digest is kept under the file's identity as
the system reports it: device, inode, size, and the modification and change times in
nanoseconds. Writing to a file in place sets its change time, which no program can set back,
so a file with the same identity holds the same bytes.

A file written again within the same tick of the file system's clock as its last write could
keep both times (git calls it "racy"), so a digest is only remembered for a file whose last
change is at least :data:`RACY_SECONDS` older than the moment its hashing began. The digests
live in ``digests.json`` of the project's cache directory
(:func:`geodata.cachedir.default_cache_dir`), written whole or not at all; the :data:`KEPT`
newest are kept. A memo that cannot be read or written only costs the hashing.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as directory:
...     memo = DigestMemo(Path(directory) / "digests.json")
...     status = os.stat(directory)
...     memo.remember(status, "ab" * 32, hashed_at=status.st_ctime + 60)
...     memo.save()
...     DigestMemo(Path(directory) / "digests.json").known(status) == "ab" * 32
True
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from geodata.cachedir import default_cache_dir, write_cached

#: Seconds between a file's last change and the start of its hashing below which its digest
#: is not kept: more than the coarsest file system clock's tick (FAT's, 2 s).
RACY_SECONDS = 3.0
#: Digests kept (the files of a few builds); the oldest are dropped.
KEPT = 64
#: Bumped when what a key or a digest means changes.
FORMAT = 1


def identity(status: os.stat_result) -> str:
    """The key a file's digest is kept under: what changes whenever its bytes may have."""
    return (
        f"{status.st_dev}:{status.st_ino}:{status.st_size}:"
        f"{status.st_mtime_ns}:{status.st_ctime_ns}"
    )


class DigestMemo:
    """Digests by file identity, read from ``path`` (default: ``digests.json`` of the cache
    directory) when made; safe to use from several threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_dir() / "digests.json"
        self._lock = threading.Lock()
        self._known = self._read()
        self._added: dict[str, str] = {}

    def known(self, status: os.stat_result) -> str | None:
        """The SHA-256 (hex) remembered for the file ``status`` describes, or None."""
        key = identity(status)
        with self._lock:
            return self._added.get(key) or self._known.get(key)

    def remember(self, status: os.stat_result, sha256: str, hashed_at: float) -> None:
        """Keep ``sha256`` for the file ``status`` describes, whose hashing began at ``hashed_at``
        (seconds since the epoch), unless its last change was too recent to be told apart."""
        if hashed_at - status.st_ctime_ns / 1e9 < RACY_SECONDS:
            return
        with self._lock:
            self._added[identity(status)] = sha256

    def save(self) -> None:
        """Write the digests remembered since this memo was read, beside those the file holds
        now (another server may have added some), the :data:`KEPT` newest of them."""
        with self._lock:
            if not self._added:
                return
            merged = {**self._read(), **self._added}
            self._added.clear()
        newest = dict(list(merged.items())[-KEPT:])
        write_cached(self.path, json.dumps({"format": FORMAT, "digests": newest}).encode())

    def _read(self) -> dict[str, str]:
        try:
            document = json.loads(self.path.read_bytes())
            digests = document["digests"] if document.get("format") == FORMAT else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}
        if not isinstance(digests, dict):
            return {}
        return {k: v for k, v in digests.items() if isinstance(k, str) and isinstance(v, str)}
