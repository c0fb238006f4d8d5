"""Where the project caches what it derives from installed data (GeoNames' files), and how.

A light module (nothing but the standard library), so the web app finds the cache the build
filled without importing the gazetteer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def default_cache_dir() -> Path:
    """``$CORRIDOR_ATLAS_CACHE``, or ``corridor-atlas`` in the user's cache directory."""
    explicit = os.environ.get("CORRIDOR_ATLAS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "corridor-atlas"


def write_cached(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file beside it, then
    ``os.replace``); a cache that cannot be written only costs speed next time.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     write_cached(Path(directory) / "new" / "x.bin", b"abc")
    ...     (Path(directory) / "new" / "x.bin").read_bytes()
    b'abc'
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
