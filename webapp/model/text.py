"""The text search of the features: every word of their names, aliases, waypoints, category
and description, inverted once so that a query word is a range of sorted keys.

A query word matches a word of a feature by the start of its :func:`~geodata.names.exact_key`
or, for words of four letters or more, by its :func:`~geodata.names.skeleton_key` (so Bekobod
finds Bekabad and Tirmiz finds Termez); the whole query may also match a whole name the same
ways (``Xian`` finds Xi'an). The store builds one :class:`TextIndex` as it reads the features
and keeps only the index, not the words.

>>> index = TextIndex([(["Bekabad industrial park"], "technopark"), (["Termez"], "")])
>>> index.mask("bekobod").tolist(), index.mask("techno").tolist(), index.mask("Tirmiz").tolist()
([True, False], [True, False], [False, True])
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

from geodata.names import exact_key, skeleton_key
from webapp.model.columns import StringColumn

_WORD = re.compile(r"\w+")
#: Shorter words are compared by exact prefix only: their skeletons collide too easily.
MIN_SKELETON_LETTERS = 4
#: Separates features (and, within one, names) in the string that name substrings are found in.
_FEATURE_MARK, _NAME_MARK = "\x00", "\x01"


class _Postings:
    """Sorted keys, each with the positions holding it, side by side in one array."""

    def __init__(self, postings: dict[str, list[int]]) -> None:
        keys = sorted(postings)
        lists = [postings[key] for key in keys]
        self.keys = StringColumn(keys)
        self.offsets = np.cumsum([0, *map(len, lists)], dtype=np.int64)
        flat = [p for positions in lists for p in positions]
        self.positions = np.array(flat, dtype=np.int32)

    def range(self, low: int, high: int) -> np.ndarray:
        return self.positions[self.offsets[low] : self.offsets[high]]

    def exact(self, key: str) -> np.ndarray:
        low = bisect_left(self.keys, key)
        high = low + 1 if low < len(self.keys) and self.keys[low] == key else low
        return self.range(low, high)

    def prefix(self, start: str) -> np.ndarray:
        """Positions of every key starting with ``start``: one contiguous slice."""
        low = bisect_left(self.keys, start)
        return self.range(low, bisect_left(self.keys, start + "\U0010ffff", low))


class TextIndex:
    """The keys every feature can be found by (see the module), inverted: key -> positions."""

    def __init__(self, texts: Sequence[tuple[Sequence[str], str]]) -> None:
        # The same words recur across features: each key is computed once per index.
        exact, skeleton = functools.cache(exact_key), functools.cache(skeleton_key)
        words: dict[str, list[int]] = {}
        skeletons: dict[str, list[int]] = {}
        name_skeletons: dict[str, list[int]] = {}
        chunks: list[str] = []
        starts: list[int] = []
        length = 0
        for position, (names, other) in enumerate(texts):
            found = {exact(word) for word in _WORD.findall(" ".join([*names, other]))} - {""}
            for word in found:
                words.setdefault(word, []).append(position)
            long_words = {skeleton(w) for w in found if len(w) >= MIN_SKELETON_LETTERS}
            for key in long_words - {""}:
                skeletons.setdefault(key, []).append(position)
            for key in {skeleton(name) for name in names} - {""}:
                name_skeletons.setdefault(key, []).append(position)
            chunk = _FEATURE_MARK + _NAME_MARK.join(sorted({exact(n) for n in names} - {""}))
            starts.append(length)
            chunks.append(chunk)
            length += len(chunk)
        self._starts = np.array(starts, dtype=np.int64)
        self._size = len(starts)
        self._names = "".join(chunks)
        self._words = _Postings(words)
        self._skeletons = _Postings(skeletons)
        self._name_skeletons = _Postings(name_skeletons)

    def _in_names(self, key: str) -> list[int]:
        """Features with ``key`` inside one of their names' exact keys."""
        found = []
        at = self._names.find(key)
        while at >= 0:
            position = int(np.searchsorted(self._starts, at, side="right")) - 1
            found.append(position)
            if position + 1 >= self._size:
                break
            at = self._names.find(key, int(self._starts[position + 1]))
        return found

    def mask(self, text: str) -> np.ndarray:
        """Which features ``text`` (a user's query) finds."""
        found = np.zeros(self._size, dtype=bool)
        terms = [key for key in (exact_key(word) for word in _WORD.findall(text)) if key]
        if not terms:
            return found
        whole, whole_skeleton = exact_key(text), skeleton_key(text)
        found[self._in_names(whole)] = True
        if whole_skeleton:
            found[self._name_skeletons.exact(whole_skeleton)] = True
        every = np.ones(self._size, dtype=bool)
        for term in terms:
            matches = np.zeros(self._size, dtype=bool)
            matches[self._words.prefix(term)] = True
            if len(term) >= MIN_SKELETON_LETTERS:
                matches[self._skeletons.exact(skeleton_key(term))] = True
            every &= matches
        return found | every
