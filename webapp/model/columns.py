"""Many short strings kept as one: columns without a Python object per value.

A hundred thousand ids, names or search keys as separate ``str`` objects cost about 60 bytes
of overhead each, and, made one at a time among the temporary objects of parsing, they pin
memory that would otherwise be given back. :class:`StringColumn` joins them into one string
with an array of offsets and makes each value again when it is read; :class:`Lookup` finds a
value's position through an array of hashes instead of a dict.

>>> names = StringColumn(["Bekabad", "Navoi", "Bukhara"])
>>> len(names), names[1], list(names)[-1], Lookup(names).find("Bukhara")
(3, 'Navoi', 'Bukhara', 2)
>>> from bisect import bisect_left
>>> bisect_left(StringColumn(sorted(["b", "a", "c"])), "b")
1
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

import numpy as np


class StringColumn(Sequence[str]):
    """Strings stored joined, each found again by its end offset; read-only."""

    def __init__(self, values: Iterable[str]) -> None:
        values = list(values)
        self._joined = "".join(values)
        self._ends = np.cumsum([len(v) for v in values], dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = int(self._ends[index - 1]) if index else 0
        return self._joined[start : int(self._ends[index])]

    def __iter__(self) -> Iterator[str]:
        start = 0
        for end in self._ends.tolist():
            yield self._joined[start:end]
            start = end


class Lookup:
    """Positions of the values of a sequence of strings, found by hash: a sorted array of
    hashes and the positions in that order (16 bytes a value, no dict).

    The hashes are BLAKE2b's, the same in every process (Python's ``hash`` of a string is
    not), so the serving index keeps a lookup whole and a server does not hash every id
    again at start.
    """

    #: Not kept by the serving index: the owner gives its values back (:meth:`over`).
    _TRANSIENT = ("_values",)

    def __init__(self, values: Sequence[str]) -> None:
        self._values = values
        hashes = np.fromiter((_hash(v) for v in values), dtype=np.int64, count=len(values))
        self._order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._order]

    def over(self, values: Sequence[str]) -> Lookup:
        """This lookup (read back from the serving index) finding ``values``, the sequence it
        was made of."""
        self._values = values
        return self

    def find(self, value: str) -> int | None:
        """The first position holding ``value``, or None."""
        key = _hash(value)
        at = int(np.searchsorted(self._hashes, key))
        while at < len(self._hashes) and self._hashes[at] == key:
            position = int(self._order[at])
            if self._values[position] == value:
                return position
            at += 1
        return None


def _hash(value: str) -> int:
    """A 64-bit hash of ``value``, the same in every process (a lone surrogate included).

    >>> _hash("Bekabad") == _hash("Bekabad") != _hash("Bekobod")
    True
    """
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
