"""The features of atlas.geojson held lean: each feature's exact JSON bytes plus a few columns.

Parsed into Python dicts, a 100,000-feature atlas takes gigabytes; the API needs only a few
fields to filter on and each feature's JSON to answer with. The build writes one feature a
line (``geodata.geojson.dumps``), in the compact form the API sends, so the file's bytes are
kept as they are and each feature is a span of them: nothing is copied, and an answer joins
spans instead of serialising dicts. A file laid out otherwise (any valid GeoJSON) is parsed
whole and each feature re-serialised compactly, which gives the same bytes.

>>> raw = (b'{"type": "FeatureCollection", "features": [\\n'
...        b'{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[69.2,41.3]},'
...        b'"properties":{"id":"a","name":"A","kind":"site","category":"park"}}\\n]}\\n')
>>> store = FeatureStore.from_bytes(raw)
>>> len(store), store.ids, store.raw(0)[:17]
(1, ['a'], b'{"type":"Feature"')
>>> store.feature(store.position("a"))["properties"]["name"]
'A'
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import shapely
from shapely.geometry import shape

#: How the build starts each feature's line (compact JSON, ``type`` first).
_LINE_START = b'{"type":"Feature"'
KINDS = ("corridor", "site")


def compact(document: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what the build writes for a feature."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class _Columns:
    """Per-feature values gathered while reading, turned into arrays by :meth:`freeze`."""

    ids: list[str] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    stages: list[str | None] = field(default_factory=list)
    countries: list[tuple[str, ...]] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    lines: dict[int, Any] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    texts: list[tuple[list[str], str]] = field(default_factory=list)

    def add(self, feature: dict[str, Any]) -> None:
        properties = feature["properties"]
        position = len(self.ids)
        self.ids.append(feature.get("id", properties["id"]))
        self.kinds.append(KINDS.index(properties["kind"]))
        self.categories.append(properties["category"])
        self.stages.append((properties.get("status") or {}).get("stage"))
        self.countries.append(tuple(properties.get("countries") or ()))
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"][:2]
            self.points.append((float(lon), float(lat)))
        else:
            self.points.append((np.nan, np.nan))
            self.lines[position] = shape(geometry)
        self.names.append(properties["name"])
        names = [properties["name"], *properties.get("aliases", [])]
        names += [place["place"] for place in properties.get("located_by", [])]
        words = " ".join([properties.get("category", ""), properties.get("description", "")])
        self.texts.append((names, words))


class FeatureStore:
    """Every feature as its compact JSON bytes, with the columns the API filters on.

    ``kinds`` holds indexes into :data:`KINDS`, ``categories`` and ``stages`` indexes into
    ``category_names`` and ``stage_names`` (-1: no stage), ``countries`` one boolean column
    per code of ``country_codes``; ``lon``/``lat`` are NaN for lines, whose shapely geometries
    are in ``lines`` by position. ``texts`` (names, other words) is handed once to the text
    index, which drops it.
    """

    def __init__(self, buffer: bytes | _FileBytes, spans: np.ndarray, columns: _Columns) -> None:
        self._buffer = buffer
        self._spans = spans
        self.ids = columns.ids
        self._positions = {fid: i for i, fid in enumerate(self.ids)}
        self.kinds = np.array(columns.kinds, dtype=np.int8)
        self.category_names = sorted(set(columns.categories))
        codes = {name: i for i, name in enumerate(self.category_names)}
        self.categories = np.array([codes[c] for c in columns.categories], dtype=np.int16)
        self.stage_names = sorted({s for s in columns.stages if s is not None})
        codes = {name: i for i, name in enumerate(self.stage_names)}
        self.stages = np.array([codes.get(s, -1) for s in columns.stages], dtype=np.int16)
        self.country_codes = sorted({c for cs in columns.countries for c in cs})
        codes = {code: i for i, code in enumerate(self.country_codes)}
        self.countries = np.zeros((len(self.ids), len(self.country_codes)), dtype=bool)
        for position, feature_countries in enumerate(columns.countries):
            self.countries[position, [codes[c] for c in feature_countries]] = True
        points = np.array(columns.points, dtype=float).reshape(-1, 2)
        self.lon, self.lat = points[:, 0].copy(), points[:, 1].copy()
        self.lines: dict[int, shapely.Geometry] = columns.lines
        self.names = columns.names
        self.texts: list[tuple[list[str], str]] | None = columns.texts

    # --- reading ---------------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, raw: bytes) -> FeatureStore:
        """Read a GeoJSON FeatureCollection; one feature a line is read without copying."""
        store = cls._from_lines(raw, _lines(raw))
        if store is None:
            features = json.loads(raw)["features"]
            return cls.from_features(features)
        return store

    @classmethod
    def from_features(cls, features: Sequence[dict[str, Any]]) -> FeatureStore:
        """Features given as dicts, each serialised compactly."""
        columns = _Columns()
        blobs = []
        for feature in features:
            columns.add(feature)
            blobs.append(compact(feature))
        ends = np.cumsum([len(b) for b in blobs], dtype=np.int64)
        spans = np.stack([ends - [len(b) for b in blobs], ends], axis=1).reshape(-1, 2)
        return cls(b"".join(blobs), spans, columns)

    @classmethod
    def from_file(cls, path: Path) -> FeatureStore:
        """Read a GeoJSON file without keeping its bytes in memory: each feature is read back
        from the file when asked for (the file stays open, so a build that replaces it does
        not change what this store answers). Any other layout than one feature a line is
        read whole, as :meth:`from_bytes` does."""
        handle = open(path, "rb")  # noqa: SIM115 - closed with the store (_FileBytes)
        store = cls._from_lines(_FileBytes(handle), _file_lines(handle))
        if store is None:
            with open(path, "rb") as again:
                return cls.from_features(json.load(again)["features"])
        return store

    @classmethod
    def _from_lines(
        cls, buffer: bytes | _FileBytes, lines: Iterable[tuple[int, bytes]]
    ) -> FeatureStore | None:
        """The store over ``buffer`` if ``lines`` (offset, line) hold one compact feature a
        line after a first line opening the features, else None."""
        lines = iter(lines)
        first = next(lines, (0, b""))[1]
        if not first.rstrip().endswith(b"["):
            return None
        columns = _Columns()
        spans: list[tuple[int, int]] = []
        for start, line in lines:
            content = line.rstrip(b"\n")
            content = content[:-1] if content.endswith(b",") else content
            if content.startswith(_LINE_START):
                try:
                    feature = json.loads(content)
                except ValueError:
                    return None
                columns.add(feature)
                spans.append((start, start + len(content)))
            elif content.strip() not in (b"]}", b""):
                return None
        return cls(buffer, np.array(spans, dtype=np.int64).reshape(-1, 2), columns)

    # --- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def raw(self, position: int) -> bytes:
        """The feature's compact JSON bytes."""
        start, end = self._spans[position]
        return self._buffer[start:end]

    def feature(self, position: int) -> dict[str, Any]:
        """The feature as a dict, parsed now (the store keeps no dicts)."""
        return json.loads(self.raw(position))

    def position(self, feature_id: str) -> int | None:
        """The position of the feature with this id, or None."""
        return self._positions.get(feature_id)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self.feature(i) for i in range(len(self)))

    def bounds(self, position: int) -> tuple[float, float, float, float]:
        """[minLon, minLat, maxLon, maxLat] of one feature."""
        line = self.lines.get(position)
        if line is not None:
            return line.bounds
        lon, lat = float(self.lon[position]), float(self.lat[position])
        return lon, lat, lon, lat

    def in_countries(self, codes: Sequence[str]) -> np.ndarray:
        """Whether each feature lies in any of ``codes`` (unknown codes match nothing)."""
        columns = [i for i, code in enumerate(self.country_codes) if code in set(codes)]
        return self.countries[:, columns].any(axis=1)


def _lines(raw: bytes) -> Iterator[tuple[int, bytes]]:
    """Each line of ``raw`` (with its newline) and where it starts."""
    start = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end + 1
        yield start, raw[start:end]
        start = end


def _file_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Each line of an open file and where it starts."""
    offset = 0
    for line in handle:
        yield offset, line
        offset += len(line)


class _FileBytes:
    """Slices of an open file, read when taken (``os.pread``: safe across threads)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        weakref.finalize(self, handle.close)  # closed with the store, not left to the GC

    def __getitem__(self, span: slice) -> bytes:
        return os.pread(self._handle.fileno(), span.stop - span.start, span.start)


class FeatureList(Sequence[dict[str, Any]]):
    """The store's features as a read-only sequence of dicts, each parsed when asked for."""

    def __init__(self, store: FeatureStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._store.feature(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._store.feature(index)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._store)
