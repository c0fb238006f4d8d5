"""The one cache behind every cache of the app: a bounded, thread-safe least-recently-used map.

cachetools' :class:`~cachetools.LRUCache` does the bookkeeping (it drops the least recently used
entries once the sum of their sizes passes ``maxsize``); what it leaves to its user, a lock
around every access, is added here once instead of in each cache. ``size`` measures an entry
(``len`` of a body, or 1 to count entries); an entry larger than the whole cache is made but
not kept.

>>> cache = BoundedCache(max_size=10, size=len)
>>> cache.get_or_make("a", lambda: b"12345"), cache.get_or_make("b", lambda: b"67890")
(b'12345', b'67890')
>>> cache.get_or_make("c", lambda: b"xyz"), sorted(cache.keys()), cache.hits
(b'xyz', ['b', 'c'], 0)
>>> cache.get_or_make("c", lambda: b"never made"), cache.hits
(b'xyz', 1)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


def _one(_value: object) -> int:
    return 1


class BoundedCache(Generic[V]):
    """Values by key, the least recently used dropped once their sizes add up to ``max_size``."""

    def __init__(self, max_size: int, size: Callable[[V], int] = _one) -> None:
        self._entries: LRUCache[Hashable, V] = LRUCache(maxsize=max_size, getsizeof=size)
        self._size = size
        self._lock = threading.Lock()
        #: How many lookups found their value (for tests and the benchmark).
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def current_size(self) -> int:
        """The sizes of the kept values added up."""
        return int(self._entries.currsize)

    def keys(self) -> list[Hashable]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._entries.keys())

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def get(self, key: Hashable) -> V | None:
        """The value kept under ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        """Keep ``value`` unless it alone is larger than the cache."""
        if self._size(value) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under ``key``, made by ``make()`` and kept if missing.

        ``make`` runs outside the lock, so two threads may both make a missing value; the
        first one kept wins and both get a correct value.
        """
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value
