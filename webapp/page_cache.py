"""Rendered text pages kept per URL, so a page is rendered once rather than on every request.

A page of the atlas depends only on the loaded data and its URL (path, query string and host,
the host appearing in the embed snippet). The cache lives in ``app.extensions`` beside the
atlas it was filled from and is replaced if the app's atlas changes. Only successful renders
are stored: a view that aborts (400, 404) stores nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, current_app, request

from webapp.atlas import Atlas
from webapp.state import get_state

EXTENSION_KEY = "corridor_atlas_pages"
#: Pages kept per app, and characters of HTML kept in all. Query strings are unbounded, so the
#: least recently used page is dropped beyond either (a large atlas's table pages are big).
CACHE_SIZE = 256
CACHE_CHARS = 8 * 1024 * 1024


@dataclass
class PageCache:
    """Rendered pages by URL (least recently used first), for one loaded atlas."""

    atlas: Atlas
    pages: OrderedDict[tuple, str] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    chars: int = 0

    def get(self, key: tuple) -> str | None:
        """The page stored under ``key``, marked as recently used, or None."""
        with self.lock:
            html = self.pages.get(key)
            if html is not None:
                self.pages.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        """Store a page, dropping the least recently used beyond ``CACHE_SIZE`` pages or
        ``CACHE_CHARS`` characters."""
        with self.lock:
            self.chars += len(html) - len(self.pages.pop(key, ""))
            self.pages[key] = html
            while len(self.pages) > 1 and (
                len(self.pages) > CACHE_SIZE or self.chars > CACHE_CHARS
            ):
                _, dropped = self.pages.popitem(last=False)
                self.chars -= len(dropped)


def page_cache() -> PageCache:
    """The cache of the app handling the current request."""
    atlas = get_state().atlas
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None or cache.atlas is not atlas:
        cache = current_app.extensions[EXTENSION_KEY] = PageCache(atlas)
    return cache


def cached_page(view: Callable[..., str]) -> Callable[..., Response]:
    """Decorate a view returning HTML so that each URL is rendered once."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        cache = page_cache()
        key = (request.host_url, request.path, tuple(sorted(request.args.items(multi=True))))
        html = cache.get(key)
        if html is None:
            html = view(**kwargs)
            cache.put(key, html)
        return Response(html, mimetype="text/html")

    return wrapper
