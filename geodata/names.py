"""Place-name keys that make spelling and transliteration variants meet.

Central Asian names reach English text through Russian, Uzbek Latin, Kazakh and Chinese
romanisations, so one town is Bekabad, Bekobod and Бекабад. Two keys are used:

* :func:`exact_key` ignores case, accents, apostrophes, hyphens, spaces and words such as
  "Shahri" (town) that only say what kind of settlement it is;
* :func:`skeleton_key` also folds the usual transliteration pairs (q/k, kh/x/h, gh/g, dzh/j)
  and drops vowels after the first letter, so vowel shifts such as Termez/Tirmiz meet.

The skeleton is deliberately loose; the gazetteer uses it only when no exact key matches, and
reports ambiguity instead of choosing.

>>> exact_key("Xi’an") == exact_key("Xi'an") == exact_key("XI AN")
True
>>> skeleton_key("Bekabad") == skeleton_key("Bekobod")
True
>>> skeleton_key("Khorgos") == skeleton_key("Qorghas")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

_NOT_WORD = re.compile(r"[\W_]+")
_TRANSLITERATION_PAIRS = (
    ("dzh", "j"),
    ("dj", "j"),
    ("kh", "k"),
    ("gh", "g"),
    ("q", "k"),
    ("x", "k"),
    ("w", "v"),
)
#: Latin letters that Unicode does not decompose into a base letter plus accents.
_LATIN_LETTERS = str.maketrans(
    {"ı": "i", "ə": "a", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ŋ": "ng"}
)
_SETTLEMENT_WORDS = frozenset(
    {"shahri", "shahar", "gorod", "poselok", "posyolok", "selo", "qishloq", "kishlak", "aul"}
)
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
#: Joins names into one text for the batch functions; no name carries it, and every step of a
#: key leaves it alone (it has no case, no decomposition, is not a letter and is not combining).
_SEP = "\x00"
# The batch functions' patterns assume "_" was made a space, so \w is a letter or digit.
_NOT_WORD_KEEP_SEP = re.compile(r"[^\w\x00]+")
#: Ends of a settlement word; the character before it is checked apart (a pattern that starts
#: with a literal word scans several times faster than one that starts with a look-behind).
_SETTLEMENT_WORD = re.compile(r"(?:" + "|".join(sorted(_SETTLEMENT_WORDS)) + r")\b")
_NOT_LATIN_KEY = re.compile(r"\x00[A-Za-z]*[^A-Za-z\x00][^\x00]*")
_VOWELS_NOT_FIRST = re.compile(r"(?<!\x00)[aeiouy]")
_REPEATS_NOT_SEP = re.compile(r"([^\x00])\1+")


def exact_key(name: str) -> str:
    """Lower-case, accent-free letters and digits of ``name``, in any script.

    Words that only say what kind of settlement it is ("Shahri", "Gorod", ...) are dropped,
    so "Uchquduq Shahri" and "Gorod Uchkuduk" key like the bare name.

    >>> exact_key("Mazār-i-Sharīf")
    'mazarisharif'
    >>> exact_key("Uchquduq Shahri")
    'uchquduq'
    >>> exact_key("Qaramanlı"), exact_key("Əhmədbəyli")
    ('qaramanli', 'ahmadbayli')
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _words_key(bare.translate(_LATIN_LETTERS))


def _words_key(bare: str) -> str:
    words = [word for word in _NOT_WORD.split(bare) if word]
    named = [word for word in words if word not in _SETTLEMENT_WORDS]
    return "".join(named or words)


def exact_keys(names: Sequence[str]) -> list[str]:
    """``[exact_key(name) for name in names]``, many times faster for many names.

    Building the gazetteer keys over a million names; each step of :func:`exact_key` runs once
    over all of them joined (case folding and decomposition work letter by letter), so only
    the few names holding a settlement word are keyed one by one.

    >>> exact_keys(["Mazār-i-Sharīf", "Uchquduq Shahri", "Shahri", "", "Бекабад"])
    ['mazarisharif', 'uchquduq', 'shahri', '', 'бекабад']
    """
    if not names:
        return []
    text = unicodedata.normalize("NFKD", _SEP.join(names).casefold())
    if text.count(_SEP) != len(names) - 1:  # a name carries the separator: key one by one
        return [exact_key(name) for name in names]
    text = _without_combining_marks(text)
    for code, plain in _LATIN_LETTERS.items():
        text = text.replace(chr(code), plain)
    text = text.replace("_", " ")
    keys = _NOT_WORD_KEEP_SEP.sub("", text).split(_SEP)
    settled = [
        match.start()
        for match in _SETTLEMENT_WORD.finditer(text)
        if match.start() == 0 or not text[match.start() - 1].isalnum()
    ]
    if settled:
        bare = text.split(_SEP)
        ends = np.cumsum(np.fromiter(map(len, bare), dtype=np.int64, count=len(bare)) + 1)
        for i in set(np.searchsorted(ends, settled, side="right").tolist()):
            keys[i] = _words_key(bare[i])
    return keys


def _without_combining_marks(text: str) -> str:
    """``text`` without the characters :func:`unicodedata.combining` calls marks.

    The class lists only the marks ``text`` holds (about a hundred in GeoNames' names): a regex
    over all of Unicode's ~900 marks scans four times slower.
    """
    marks = sorted(char for char in set(text) if unicodedata.combining(char))
    if not marks:
        return text
    return re.compile(f"[{''.join(map(re.escape, marks))}]+").sub("", text)


def skeleton_key(name: str) -> str:
    """A transliteration-insensitive key; empty for names not written in Latin letters.

    >>> skeleton_key("Uchkuduq"), skeleton_key("Uchquduq")
    ('uchkdk', 'uchkdk')
    >>> skeleton_key("Navoi") == skeleton_key("Navoiy")
    True
    >>> skeleton_key("Бекабад")
    ''
    """
    key = exact_key(name)
    if not key.isascii() or not key.isalpha():
        return ""
    for variant, canonical in _TRANSLITERATION_PAIRS:
        key = key.replace(variant, canonical)
    key = key[0] + _VOWELS.sub("", key[1:])
    return _REPEATS.sub(r"\1", key)


def skeletons_of_keys(keys: Sequence[str]) -> list[str]:
    """The skeleton of each exact key: ``skeleton_key(name)`` is
    ``skeletons_of_keys([exact_key(name)])[0]``; all keys are folded at once, like
    :func:`exact_keys`.

    >>> skeletons_of_keys(["bekabad", "uchquduq", "бекабад", "", "navoiy"])
    ['bkbd', 'uchkdk', '', '', 'nv']
    """
    if not keys:
        return []
    # Each key follows a separator; keys with anything but Latin letters are emptied.
    text = _NOT_LATIN_KEY.sub(_SEP, _SEP + _SEP.join(keys))
    for variant, canonical in _TRANSLITERATION_PAIRS:
        text = text.replace(variant, canonical)
    text = _REPEATS_NOT_SEP.sub(r"\1", _VOWELS_NOT_FIRST.sub("", text))
    return text.split(_SEP)[1:]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: how many letters to insert, delete or change to turn a into b.

    >>> edit_distance("uchkuduq", "uchkuduk"), edit_distance("lenger", "linger")
    (1, 1)
    """
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other))
            )
        previous = current
    return previous[-1]
