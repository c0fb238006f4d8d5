"""The text search of the features: every word of their names (in any script), aliases,
waypoints, category and description, inverted once so that a query word is a range of sorted
keys.

Search reads every text in Latin letters first (:func:`search_form`): anyascii transliterates
Cyrillic, Kazakh, Uzbek and any other script, and apostrophe-like marks are dropped inside a
word, so "Бекабад" keys as "bekabad" and "Fargʻona", "Farg'ona" and "Fargona" are one word. A
query word then matches a word of a feature by the start of its :func:`search_key` or, for words
of four letters or more, by its :func:`search_skeleton` (so Bekobod finds Bekabad and Tirmiz
finds Termez); the whole query may also match a whole name the same ways (``Xian`` finds
Xi'an). The store builds one :class:`TextIndex` as it reads the features and keeps only the
index, not the words. ``webapp/static/map-names.js`` computes the same keys in the browser.

>>> index = TextIndex([(["Bekabad industrial park"], "technopark"), (["Termez"], "")])
>>> index.mask("bekobod").tolist(), index.mask("techno").tolist(), index.mask("Тирмиз").tolist()
([True, False], [True, False], [False, True])
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np
from anyascii import anyascii

from geodata.names import exact_key, skeleton_key
from webapp.model.columns import StringColumn

_WORD = re.compile(r"\w+")
#: Letters whose anyascii reading is not the one the region's Latin spelling uses: Uzbek
#: Cyrillic ў is Uzbek Latin oʻ (anyascii reads it as Belarusian u), and Azerbaijani ə is a as
#: :func:`~geodata.names.exact_key` reads it (anyascii: e), so Ələt still finds Alat.
#: webapp/static/map-names.js holds the same table.
_REGIONAL_LETTERS = str.maketrans({"ў": "o", "ə": "a"})
#: What anyascii makes of the apostrophe-like marks (ʻ ʼ ' ‘ ’): a mark inside a word, never a
#: word break (Fargʻona, Farg'ona and Fargona are one word).
_APOSTROPHES = re.compile(r"['`]")
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
        name_key, name_skeleton = functools.cache(search_key), functools.cache(search_skeleton)
        words: dict[str, list[int]] = {}
        skeletons: dict[str, list[int]] = {}
        name_skeletons: dict[str, list[int]] = {}
        chunks: list[str] = []
        starts: list[int] = []
        length = 0
        for position, (names, other) in enumerate(texts):
            found = {exact(word) for word in search_words(" ".join([*names, other]))} - {""}
            for word in found:
                words.setdefault(word, []).append(position)
            long_words = {skeleton(w) for w in found if len(w) >= MIN_SKELETON_LETTERS}
            for key in long_words - {""}:
                skeletons.setdefault(key, []).append(position)
            for key in {name_skeleton(name) for name in names} - {""}:
                name_skeletons.setdefault(key, []).append(position)
            chunk = _FEATURE_MARK + _NAME_MARK.join(sorted({name_key(n) for n in names} - {""}))
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
        """Features with ``key`` inside one of their names' search keys."""
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
        """Features with one name that the whole of ``text`` matches (inside its search key,
        or its whole skeleton)."""
        found = np.zeros(self._size, dtype=bool)
        whole, whole_skeleton = search_key(text), search_skeleton(text)
        if whole:
            found[self._in_names(whole)] = True
        if whole_skeleton:
            found[self._name_skeletons.exact(whole_skeleton)] = True
        return found

    def term_mask(self, term: str) -> np.ndarray:
        """Features with a word that ``term`` (one word's search key) starts, or, for a term of
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


def search_form(text: str) -> str:
    """``text`` lower-cased in Latin letters (anyascii, but ў as oʻ and ə as a) with its
    apostrophe-like marks dropped: what every search key is made from.

    >>> search_form("Бекабад"), search_form("Fargʻona"), search_form("Қўқон"), search_form("Xi'an")
    ('bekabad', 'fargona', 'qoqon', 'xian')
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = anyascii(folded.translate(_REGIONAL_LETTERS)).lower()  # 西安: XiAn
    return _APOSTROPHES.sub("", folded)


def search_key(text: str) -> str:
    """The :func:`~geodata.names.exact_key` of ``text``'s :func:`search_form`: equal for the
    Latin, Cyrillic and Uzbek spellings of one transliteration.

    >>> search_key("Ташкент"), search_key("Qoʻqon") == search_key("Qo'qon")
    ('tashkent', True)
    """
    return exact_key(search_form(text))


def search_skeleton(text: str) -> str:
    """The :func:`~geodata.names.skeleton_key` of ``text``'s :func:`search_form`.

    >>> search_skeleton("Тошкент") == search_skeleton("Tashkent")
    True
    """
    return skeleton_key(search_form(text))


def search_words(text: str) -> list[str]:
    """The words of ``text`` in its :func:`search_form`.

    >>> search_words("Farg'ona – Xiʼan")
    ['fargona', 'xian']
    """
    return _WORD.findall(search_form(text))


def query_terms(text: str) -> list[str]:
    """The search keys of the words of a query, in order, empty ones dropped.

    >>> query_terms("Xi'an – Tashkent!"), query_terms("Фарғона")
    (['xian', 'tashkent'], ['farghona'])
    """
    return [key for key in (exact_key(word) for word in search_words(text)) if key]


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
        name_key, name_skeleton = functools.cache(search_key), functools.cache(search_skeleton)
        wholes: dict[str, list[int]] = {}
        whole_skeletons: dict[str, list[int]] = {}
        word_keys: dict[str, list[int]] = {}
        word_skeletons: dict[str, list[int]] = {}
        for position, texts in enumerate(names):
            for text in texts:
                wholes.setdefault(name_key(text), []).append(position)
                whole_skeletons.setdefault(name_skeleton(text), []).append(position)
            if not words:
                continue
            found = {w for text in texts for w in search_words(text)}
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
        """A name whose search key, or whole skeleton, is the query's."""
        key, skeleton = search_key(text), search_skeleton(text)
        found = self._mask(self._wholes.exact(key))
        if len(key) >= MIN_SKELETON_LETTERS and skeleton:
            found |= self._mask(self._whole_skeletons.exact(skeleton))
        return found

    def starting(self, text: str) -> np.ndarray:
        """A name whose search key starts with the query's."""
        key = search_key(text)
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
