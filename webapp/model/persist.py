"""Objects made of numpy arrays, strings and numbers written to disk and read back mapped.

The serving index (:mod:`webapp.model.serving`) keeps what the server would otherwise compute
at start from every feature (the store's columns, the search keys, the table's ranks): a
JSON tree for the structure and the small values, and one binary file holding every array,
each at an aligned offset, read back as views of a single memory map (no copy: pages are read
when touched and shared between processes). Only the classes of :data:`CLASSES` are made
again, each without calling its ``__init__``: its attributes are set as they were, then its
``_restored()`` hook (if any) remakes what cannot be stored (a hash table, a cache).

Pickle would do the same in a line but runs whatever the file names; this reads only data.
The output is the same bytes for the same objects (keys in their insertion order, arrays in
the order met), so a build that writes it is reproducible.

>>> import numpy as np
>>> from webapp.model.columns import StringColumn
>>> writer = ArrayWriter()
>>> tree = writer.dump({"names": StringColumn(["a", "bc"]), "n": np.arange(3), "t": (1, "x"),
...     "long": "ш" * 5000})
>>> back = restore(tree, memoryview(writer.getvalue()))
>>> list(back["names"]), back["n"].tolist(), back["t"], back["long"] == "ш" * 5000
(['a', 'bc'], [0, 1, 2], (1, 'x'), True)
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import shapely

#: The classes a tree may name, by ``module.Class``; nothing else is ever imported or made.
CLASSES = frozenset(
    {
        "webapp.model.articles.Article",
        "webapp.model.articles.Citations",
        "webapp.model.columns.Lookup",
        "webapp.model.columns.StringColumn",
        "webapp.model.text._Postings",
        "webapp.model.text.TextIndex",
        "webapp.model.text.NameKeys",
        "webapp.model.history.History",
        "webapp.model.store.FeatureStore",
        "webapp.model.search._Ranking",
        "webapp.pages.table.TableOrder",
    }
)
#: Arrays start at multiples of this many bytes (any dtype's alignment).
ALIGN = 64
#: Strings longer than this (a column's joined values) go to the arrays as UTF-8, which is
#: decoded several times faster than JSON's escaped strings are parsed.
LONG_TEXT = 4096


class ArrayWriter:
    """Collects the arrays of the trees it dumps into one buffer (:meth:`getvalue`)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def getvalue(self) -> bytes:
        """Every array added so far, each at its aligned offset."""
        return b"".join(self._chunks)

    def array(self, value: np.ndarray) -> dict[str, Any]:
        """Add ``value``; its place in the tree."""
        if value.dtype.hasobject:
            raise TypeError("arrays of Python objects cannot be stored")
        value = np.ascontiguousarray(value)
        padding = -self._size % ALIGN
        self._chunks.append(b"\0" * padding)
        offset = self._size + padding
        data = value.tobytes()
        self._chunks.append(data)
        self._size = offset + len(data)
        return {"$array": [offset, value.dtype.str, list(value.shape)]}

    def dump(self, value: Any) -> Any:
        """``value`` as a JSON-ready tree, its arrays added to this writer."""
        if isinstance(value, str) and len(value) > LONG_TEXT:
            return {"$text": self.array(np.frombuffer(value.encode(), dtype=np.uint8))}
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            return {"$float": repr(value)}  # NaN and infinities too, which JSON lacks
        if isinstance(value, np.generic):
            return self.dump(value.item())
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, bytes):
            return {"$bytes": self.array(np.frombuffer(value, dtype=np.uint8))}
        if isinstance(value, list):
            return [self.dump(item) for item in value]
        if isinstance(value, tuple):
            return {"$tuple": [self.dump(item) for item in value]}
        if isinstance(value, dict):
            return {"$dict": [[self.dump(k), self.dump(v)] for k, v in value.items()]}
        if isinstance(value, shapely.Geometry):
            return {"$wkb": self.array(np.frombuffer(shapely.to_wkb(value), dtype=np.uint8))}
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        if name not in CLASSES:
            raise TypeError(f"cannot store a {name}")
        skipped = getattr(value, "_TRANSIENT", ())
        state = {k: v for k, v in vars(value).items() if k not in skipped}
        return {"$object": name, "state": self.dump(state)}


def restore(tree: Any, arrays: memoryview) -> Any:
    """The objects of ``tree`` (from :meth:`ArrayWriter.dump`), arrays as read-only views of
    ``arrays``. Raises ``ValueError`` for a tree that names anything it may not make."""
    if tree is None or isinstance(tree, bool | int | str):
        return tree
    if isinstance(tree, list):
        return [restore(item, arrays) for item in tree]
    if not isinstance(tree, dict) or len(tree) not in (1, 2):
        raise ValueError(f"not a stored value: {str(tree)[:80]}")
    if "$array" in tree:
        offset, dtype, shape = tree["$array"]
        count = int(np.prod(shape)) if shape else 1
        view = np.frombuffer(arrays, dtype=np.dtype(dtype), count=count, offset=offset)
        return view.reshape(shape)
    if "$float" in tree:
        return float(tree["$float"])
    if "$bytes" in tree:
        return restore(tree["$bytes"], arrays).tobytes()
    if "$text" in tree:
        return str(restore(tree["$text"], arrays), "utf-8")
    if "$tuple" in tree:
        return tuple(restore(item, arrays) for item in tree["$tuple"])
    if "$dict" in tree:
        return {restore(k, arrays): restore(v, arrays) for k, v in tree["$dict"]}
    if "$wkb" in tree:
        return shapely.from_wkb(restore(tree["$wkb"], arrays).tobytes())
    if "$object" in tree:
        return _made(tree["$object"], restore(tree["state"], arrays))
    raise ValueError(f"not a stored value: {str(tree)[:80]}")


def _made(name: str, state: dict[str, Any]) -> Any:
    if name not in CLASSES:
        raise ValueError(f"a stored value names {name}, which is not a class it may make")
    module, _, qualname = name.rpartition(".")
    cls = getattr(importlib.import_module(module), qualname)
    made = cls.__new__(cls)
    made.__dict__.update(state)
    hook = getattr(made, "_restored", None)
    if hook is not None:
        hook()
    return made
