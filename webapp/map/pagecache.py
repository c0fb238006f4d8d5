"""Rendered map pages kept on disk between starts, so a server over a build it has served
before starts without importing folium or rendering anything.

Rendering the page takes folium (half a second to import: it compiles some 280 templates) and
a render per language; together most of a second of every start, the same each time for the
same build and code. A page is kept under a key made of everything it is made from:

* the build (:attr:`webapp.model.atlas.Atlas.content_id`: the SHA-256 of each file loaded,
  and when it was built);
* the language and the number of features drawn inline;
* the code that renders it (:func:`code_fingerprint`: every file of the ``webapp`` package,
  the templates, scripts and compiled translations with it, the ``geodata`` modules, and the
  versions of the libraries that take part).

So any change to one of them renders the page again; nothing is ever invalidated by hand.
Pages live in ``pages/`` of the project's cache directory
(:func:`geodata.cachedir.default_cache_dir`), each written whole or not at all, the :data:`KEPT`
most recently written kept. A cache that cannot be read or written only costs the render.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from geodata.cachedir import default_cache_dir, write_cached

#: Pages kept (two languages of a few builds and settings); older ones are deleted.
KEPT = 48
#: The distributions whose code renders the page.
LIBRARIES = ("folium", "branca", "jinja2", "markupsafe", "flask", "flask-babel", "babel")
_PACKAGES = Path(__file__).resolve().parents[2]
#: Bumped when what a key covers changes.
FORMAT = 1


@cache
def code_fingerprint() -> str:
    """SHA-256 of every file of the ``webapp`` package and every ``geodata`` module (each
    preceded by its path), and of the versions of :data:`LIBRARIES`; computed once a process."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    files = [
        *(p for p in (_PACKAGES / "webapp").rglob("*") if "__pycache__" not in p.parts),
        *(_PACKAGES / "geodata").glob("*.py"),
    ]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(f"{path.relative_to(_PACKAGES).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library} {importlib.metadata.version(library)}\n".encode())
    return digest.hexdigest()


class PageCache:
    """Rendered pages by key in ``directory`` (default: ``pages/`` of the cache directory).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     pages = PageCache(Path(directory))
    ...     key = pages.key("build", "en", 1000)
    ...     first = pages.get_or_render(key, lambda: "<p>rendered</p>")
    ...     again = pages.get_or_render(key, lambda: "never called")
    >>> first, again
    ('<p>rendered</p>', '<p>rendered</p>')
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir() / "pages"

    @staticmethod
    def key(content_id: str, language: str, inline_limit: int) -> str:
        """The key of a page of the build ``content_id`` in ``language``, with at most
        ``inline_limit`` features drawn inline, rendered by this code."""
        parts = f"{code_fingerprint()}\n{content_id}\n{language}\n{inline_limit}"
        return hashlib.sha256(parts.encode()).hexdigest()

    def get_or_render(self, key: str, render: Callable[[], str]) -> str:
        """The page kept under ``key``, or ``render()`` kept under it."""
        path = self.directory / f"{key}.html"
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        page = render()
        write_cached(path, page.encode("utf-8"))
        self._prune()
        return page

    def _prune(self) -> None:
        try:
            pages = sorted(
                self.directory.glob("*.html"), key=lambda p: p.stat().st_mtime, reverse=True
            )
            for stale in pages[KEPT:]:
                stale.unlink(missing_ok=True)
        except OSError:  # another process pruned the same file first
            pass
