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

    def whole_mask(self, text: str) -> np.ndarray:
        """Features with one name that the whole of ``text`` matches (inside its exact key,
        or its whole skeleton)."""
        found = np.zeros(self._size, dtype=bool)
        whole, whole_skeleton = exact_key(text), skeleton_key(text)
        if whole:
            found[self._in_names(whole)] = True
        if whole_skeleton:
            found[self._name_skeletons.exact(whole_skeleton)] = True
        return found

    def term_mask(self, term: str) -> np.ndarray:
        """Features with a word that ``term`` (one word's exact key) starts, or, for a term of
        :data:`MIN_SKELETON_LETTERS` or more, a word of the same skeleton."""
        matches = np.zeros(self._size, dtype=bool)
        matches[self._words.prefix(term)] = True
        if len(term) >= MIN_SKELETON_LETTERS:
            matches[self._skeletons.exact(skeleton_key(term))] = True
        return matches

    def mask(self, text: str) -> np.ndarray:
        """Which features ``text`` (a user's query) finds."""
        terms = query_terms(text)
        if not terms:
            return np.zeros(self._size, dtype=bool)
        every = np.ones(self._size, dtype=bool)
        for term in terms:
            every &= self.term_mask(term)
        return self.whole_mask(text) | every


def query_terms(text: str) -> list[str]:
    """The exact keys of the words of a query, in order, empty ones dropped.

    >>> query_terms("Xi'an – Tashkent!")
    ['xi', 'an', 'tashkent']
    """
    return [key for key in (exact_key(word) for word in _WORD.findall(text)) if key]


class NameKeys:
    """One list of names per feature (its name, or its aliases, or its places), keyed so that a
    query can be graded against them: same name, name starting with the query, every query
    word starting a word of the name, or the same skeleton (whole or word by word).

    >>> keys = NameKeys([["Tashkent"], ["Tashkent branch of MEPhI"], ["Almaty"]])
    >>> keys.same("Tashkent").tolist(), keys.starting("tash").tolist()
    ([True, False, False], [True, True, False])
    >>> keys.words(["branch", "tash"]).tolist(), keys.same("Almati").tolist()
    ([False, True, False], [False, False, True])
    """

    def __init__(self, names: Sequence[Sequence[str]], words: bool = True) -> None:
        """``words=False`` keys whole names only (:meth:`words` then matches nothing)."""
        exact, skeleton = functools.cache(exact_key), functools.cache(skeleton_key)
        wholes: dict[str, list[int]] = {}
        whole_skeletons: dict[str, list[int]] = {}
        word_keys: dict[str, list[int]] = {}
        word_skeletons: dict[str, list[int]] = {}
        for position, texts in enumerate(names):
            for text in texts:
                wholes.setdefault(exact(text), []).append(position)
                whole_skeletons.setdefault(skeleton(text), []).append(position)
            if not words:
                continue
            found = {w for text in texts for w in _WORD.findall(text)}
            for key in {exact(w) for w in found}:
                word_keys.setdefault(key, []).append(position)
            for key in {skeleton(w) for w in found}:
                if len(key) >= MIN_SKELETON_LETTERS - 1:
                    word_skeletons.setdefault(key, []).append(position)
        for table in (wholes, whole_skeletons, word_keys):
            table.pop("", None)
            for key, positions in table.items():
                table[key] = sorted(set(positions))
        self._size = len(names)
        self._wholes, self._whole_skeletons = _Postings(wholes), _Postings(whole_skeletons)
        self._words, self._word_skeletons = _Postings(word_keys), _Postings(word_skeletons)

    def _mask(self, positions: np.ndarray) -> np.ndarray:
        found = np.zeros(self._size, dtype=bool)
        found[positions] = True
        return found

    def same(self, text: str) -> np.ndarray:
        """A name whose exact key, or whole skeleton, is the query's."""
        found = self._mask(self._wholes.exact(exact_key(text)))
        skeleton = skeleton_key(text)
        if len(exact_key(text)) >= MIN_SKELETON_LETTERS and skeleton:
            found |= self._mask(self._whole_skeletons.exact(skeleton))
        return found

    def starting(self, text: str) -> np.ndarray:
        """A name whose exact key starts with the query's."""
        key = exact_key(text)
        return self._mask(self._wholes.prefix(key)) if key else self._mask(np.array([], int))

    def words(self, terms: Sequence[str]) -> np.ndarray:
        """Every term starts a word of one of the names (same skeleton for longer terms)."""
        every = np.ones(self._size, dtype=bool)
        for term in terms:
            found = self._mask(self._words.prefix(term))
            if len(term) >= MIN_SKELETON_LETTERS:
                found |= self._mask(self._word_skeletons.exact(skeleton_key(term)))
            every &= found
        return every
