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
>>> len(store), list(store.ids), store.raw(0)[:17]
(1, ['a'], b'{"type":"Feature"')
>>> store.feature(store.position("a"))["properties"]["name"]
'A'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson
import shapely
from shapely.geometry import shape

from geodata.vocabulary import KINDS
from webapp.http.mediatypes import compact_json
from webapp.model.columns import Lookup, StringColumn
from webapp.model.filebody import FileBody
from webapp.model.history import History, HistorySteps
from webapp.model.text import TextIndex

#: Called with each feature (a dict) and its number as it is read; raises to refuse the file.
Check = Callable[[dict[str, Any], int], None]

#: How the build starts each feature's line (compact JSON, ``type`` first).
_LINE_START = b'{"type":"Feature"'


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
    lengths: list[float] = field(default_factory=list)
    texts: list[tuple[list[str], str]] = field(default_factory=list)
    history: HistorySteps = field(default_factory=HistorySteps)
    check: Check | None = None

    def add(self, feature: dict[str, Any]) -> None:
        properties = feature["properties"]
        position = len(self.ids)
        if self.check is not None:
            self.check(feature, position)
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
        length = properties.get("length_km")
        self.lengths.append(np.nan if length is None else float(length))
        names = [properties["name"], *properties.get("aliases", [])]
        names += [place["place"] for place in properties.get("located_by", [])]
        words = " ".join([properties.get("category", ""), properties.get("description", "")])
        self.texts.append((names, words))
        self.history.add(feature)


class FeatureStore:
    """Every feature as its compact JSON bytes, with the columns the API filters on.

    ``kinds`` holds indexes into :data:`KINDS`, ``categories`` and ``stages`` indexes into
    ``category_names`` and ``stage_names`` (-1: no stage), ``countries`` one boolean column
    per code of ``country_codes`` (and ``country_list`` indexes into ``country_lists``, each
    feature's codes in its own order); ``lon``/``lat`` are NaN for lines, whose shapely geometries
    are in ``lines`` by position; ``lengths`` (km) is NaN for sites. ``text_index`` is the
    text search over each feature's names and other words. ``history`` answers every
    feature's stage as of a day (``as_of``). ``header`` holds the collection's members other
    than its features (``type``, ``bbox``).
    """

    #: Not kept by the serving index (``webapp.model.persist``): the file's bytes, given back
    #: by :meth:`over`.
    _TRANSIENT = ("_buffer",)

    def __init__(
        self,
        buffer: bytes | FileBody,
        spans: np.ndarray,
        columns: _Columns,
        header: dict[str, Any] | None = None,
    ) -> None:
        self._buffer = buffer
        self._spans = spans
        self.header = header or {"type": "FeatureCollection"}
        self.ids = StringColumn(columns.ids)
        self._positions = Lookup(self.ids)
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
        lists = {listed: i for i, listed in enumerate(dict.fromkeys(columns.countries))}
        self.country_lists = list(lists)
        self.country_list = np.array([lists[c] for c in columns.countries], dtype=np.int32)
        points = np.array(columns.points, dtype=float).reshape(-1, 2)
        self.lon, self.lat = points[:, 0].copy(), points[:, 1].copy()
        self.lines: dict[int, shapely.Geometry] = columns.lines
        self.names = StringColumn(columns.names)
        self.lengths = np.array(columns.lengths, dtype=float)
        #: The text search over every feature's words (the words themselves are not kept).
        self.text_index = TextIndex(columns.texts)
        #: Every feature's history steps, for the stage as of a day.
        self.history = History(columns.history)

    def _restored(self) -> None:
        self._positions = self._positions.over(self.ids)

    def over(self, buffer: bytes | FileBody) -> FeatureStore:
        """This store (read back from the serving index) reading its features from ``buffer``,
        the bytes of the file it was made from."""
        self._buffer = buffer
        return self

    # --- reading ---------------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, raw: bytes, check: Check | None = None) -> FeatureStore:
        """Read a GeoJSON FeatureCollection; one feature a line is read without copying."""
        store = cls._from_lines(raw, _lines(raw), check)
        return store if store is not None else cls._from_document(json.loads(raw), check)

    @classmethod
    def from_features(
        cls,
        features: Sequence[dict[str, Any]],
        check: Check | None = None,
        header: dict[str, Any] | None = None,
    ) -> FeatureStore:
        """Features given as dicts, each serialised compactly."""
        columns = _Columns(check=check)
        blobs = []
        for feature in features:
            columns.add(feature)
            blobs.append(compact_json(feature))
        ends = np.cumsum([len(b) for b in blobs], dtype=np.int64)
        spans = np.stack([ends - [len(b) for b in blobs], ends], axis=1).reshape(-1, 2)
        return cls(b"".join(blobs), spans, columns, header)

    @classmethod
    def from_file(cls, source: Path | BinaryIO, check: Check | None = None) -> FeatureStore:
        """Read a GeoJSON file (a path, or a file open for reading in binary) without keeping
        its bytes in memory: each feature is read back from the file when asked for (the
        file stays open, so a build that replaces it does not change what this store
        answers; an open file given is read from its start and kept open). Any other layout
        than one feature a line is read whole, as :meth:`from_bytes` does. ``check`` sees
        every feature as it is read.
        """
        if isinstance(source, Path):
            handle = open(source, "rb")  # noqa: SIM115 - closed with the store (FileBody)
            buffer = FileBody(handle)
        else:
            handle, buffer = source, FileBody(source, close=False)
        handle.seek(0)
        store = cls._from_lines(buffer, _file_lines(handle), check)
        if store is None:
            handle.seek(0)
            return cls._from_document(json.load(handle), check)
        return store

    @classmethod
    def _from_document(cls, document: Any, check: Check | None) -> FeatureStore:
        if not isinstance(document, dict) or not isinstance(document.get("features"), list):
            raise ValueError("not a GeoJSON FeatureCollection: no list of features")
        header = {key: value for key, value in document.items() if key != "features"}
        return cls.from_features(document["features"], check, header)

    @classmethod
    def _from_lines(
        cls, buffer: bytes | FileBody, lines: Iterable[tuple[int, bytes]], check: Check | None
    ) -> FeatureStore | None:
        """The store over ``buffer`` if ``lines`` (offset, line) hold one compact feature a
        line after a first line opening the features, else None."""
        lines = iter(lines)
        first = next(lines, (0, b""))[1]
        if not first.rstrip().endswith(b"["):
            return None
        try:
            header = json.loads(first.rstrip() + b"]}")
        except ValueError:
            return None
        if not isinstance(header, dict) or header.pop("features", None) != []:
            return None
        columns = _Columns(check=check)
        spans: list[tuple[int, int]] = []
        closed = False
        for start, line in lines:
            content = line.rstrip(b"\n")
            content = content[:-1] if content.endswith(b",") else content
            if content.startswith(_LINE_START) and not closed:
                try:
                    feature = json.loads(content)
                except ValueError:
                    return None
                columns.add(feature)
                spans.append((start, start + len(content)))
            elif content.strip() == b"]}" and not closed:
                closed = True
            elif content.strip():
                return None
        if not closed:
            return None
        return cls(buffer, np.array(spans, dtype=np.int64).reshape(-1, 2), columns, header)

    # --- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def raw(self, position: int) -> bytes:
        """The feature's compact JSON bytes."""
        start, end = self._spans[position]
        return self._buffer[start:end]

    def feature(self, position: int) -> dict[str, Any]:
        """The feature as a dict, parsed now (the store keeps no dicts), by orjson: a download
        of 100,000 features parses each of them, a tenth of the time of a CSV with json.loads
        (a profile of 2026-12-01)."""
        return orjson.loads(self.raw(position))

    def position(self, feature_id: str) -> int | None:
        """The position of the feature with this id, or None."""
        return self._positions.find(feature_id)

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


def feature_ids(handle: BinaryIO) -> list[str]:
    """The ids of the features of a GeoJSON file open for reading in binary, in order, read
    a line at a time when the file is laid out one feature a line (never held whole)."""
    handle.seek(0)
    first = handle.readline()
    if first.rstrip().endswith(b"["):
        ids = []
        for line in handle:
            content = line.strip().removesuffix(b",")
            if content.startswith(_LINE_START):
                feature = json.loads(content)
                ids.append(feature.get("id", feature["properties"]["id"]))
        return ids
    handle.seek(0)
    return [f.get("id", f["properties"]["id"]) for f in json.load(handle)["features"]]
