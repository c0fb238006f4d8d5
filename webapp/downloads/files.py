"""Every download of /data, built from the loaded atlas: bytes, gzip bytes and validators.

GeoJSON files are served byte for byte as the build wrote them; CSV and KML are derived from the
same features; each feature also gets its own GeoJSON file, made from its prebuilt bytes
(``webapp.model.store``) when it is first asked for and kept in a small cache. For an atlas of
up to ``eager_bytes`` (a limit of the app) every file, with its gzip variant, is made in memory
when the app is created, so a request only picks bytes. A larger atlas makes each file on its
first request and keeps it on disk (``webapp.model.filebody``): compressing and converting
hundreds of megabytes would otherwise hold up the start and the memory of a server whose readers
mostly look at the map.

``atlas.gpkg`` is the GeoPackage the build wrote (``geodata.geopackage``), loaded with the GeoJSON
and served as it is (made again from the features only for a data directory without one);
selections of the /features table are made per query
(``webapp.downloads.selection``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from geodata.geopackage import MEDIA_TYPE as GEOPACKAGE_TYPE
from geodata.geopackage import geopackage_bytes
from geodata.outputs import ATLAS, GEOPACKAGE
from webapp.cache import BoundedCache
from webapp.downloads.csv import csv_pieces
from webapp.downloads.kml import kml_pieces
from webapp.downloads.selection import Selections
from webapp.http import mediatypes
from webapp.http.representation import Representation, compress
from webapp.model.atlas import Atlas
from webapp.model.filebody import FileBody
from webapp.model.store import KINDS, FeatureStore
from webapp.model.subsets import SUBSETS
from webapp.style import corridor_colour

FORMATS = {"geojson": "GeoJSON", "csv": "CSV", "kml": "KML"}
#: The GeoPackage's format label: one file, of the whole atlas (layers corridors and sites).
GEOPACKAGE_FORMAT = "GeoPackage"


@dataclass
class Download:
    """One downloadable file and what the /data page says about it; made when first needed."""

    name: str
    title: str
    format: str
    features: int
    make: Callable[[], Representation] = field(repr=False)
    _made: Representation | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def representation(self) -> Representation:
        """The file's bytes, gzip bytes and validators (made once, on first use)."""
        if self._made is None:
            with self._lock:
                if self._made is None:
                    self._made = self.make()
        return self._made

    @property
    def size(self) -> int | None:
        """Bytes sent uncompressed, or None while the file is not made."""
        return None if self._made is None else len(self._made.body)

    @property
    def gzip_size(self) -> int | None:
        """Bytes sent with gzip, or None while the file is not made."""
        return None if self._made is None else len(self._made.gzipped or b"")


def _attachment(body: bytes | FileBody, media_type: str, name: str, atlas: Atlas) -> Representation:
    return Representation(
        body=body,
        media_type=media_type,
        last_modified=atlas.built_at,
        gzipped=body.gzip() if isinstance(body, FileBody) else compress(body),
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _bbox_json(bounds: tuple[float, ...]) -> bytes:
    return json.dumps([round(float(v), 6) for v in bounds], separators=(",", ":")).encode()


def single_feature_bytes(feature: bytes, bounds: tuple[float, ...]) -> bytes:
    """A FeatureCollection holding just ``feature`` (its compact JSON), with its bbox."""
    return b'{"type":"FeatureCollection","bbox":%s,"features":[%s]}\n' % (
        _bbox_json(bounds),
        feature,
    )


class FeatureFiles:
    """The per-feature GeoJSON files by feature id, each made when first asked for."""

    def __init__(self, atlas: Atlas, store: FeatureStore, kept: int) -> None:
        self._atlas = atlas
        self._store = store
        self._made: BoundedCache[Representation] = BoundedCache(kept)

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, feature_id: object) -> bool:
        return isinstance(feature_id, str) and self._store.position(feature_id) is not None

    def get(self, feature_id: str) -> Representation | None:
        """The file of this feature, or None if there is no such feature."""
        position = self._store.position(feature_id)
        if position is None:
            return None
        return self._made.get_or_make(feature_id, lambda: self._make(feature_id, position))

    def _make(self, feature_id: str, position: int) -> Representation:
        body = single_feature_bytes(self._store.raw(position), self._store.bounds(position))
        return _attachment(body, mediatypes.GEOJSON, f"{feature_id}.geojson", self._atlas)


class Downloads:
    """The files of /data by name, the per-feature GeoJSON by feature id, and the selections
    of the /features table."""

    def __init__(
        self,
        atlas: Atlas,
        store: FeatureStore,
        eager_bytes: int,
        kept_features: int,
        selections: Selections,
    ) -> None:
        self._atlas = atlas
        self.selections = selections
        self._store = store
        self.files: dict[str, Download] = {}
        for subset in SUBSETS.values():
            chosen = np.flatnonzero(np.isin(store.kinds, [KINDS.index(k) for k in subset.kinds]))
            for extension, label in FORMATS.items():
                name = f"{subset.id}.{extension}"
                make = self._maker(name, chosen, subset.title, mediatypes.MEDIA_TYPES[extension])
                self.files[name] = Download(name, subset.title, label, len(chosen), make)
        self.files[GEOPACKAGE] = Download(
            GEOPACKAGE, SUBSETS["atlas"].title, GEOPACKAGE_FORMAT, len(store), self._geopackage
        )
        self.features = FeatureFiles(atlas, store, kept_features)
        self._in_memory = len(atlas.files[ATLAS]) <= eager_bytes
        if self._in_memory:
            for download in self.files.values():
                _ = download.representation

    def _maker(
        self, name: str, chosen: np.ndarray, title: str, media_type: str
    ) -> Callable[[], Representation]:
        def make() -> Representation:
            return _attachment(self._body(name, chosen, title), media_type, name, self._atlas)

        return make

    def _geopackage(self) -> Representation:
        built = self._atlas.files.get(GEOPACKAGE)
        if built is not None:  # the build's file, loaded with the GeoJSON
            body = built.read() if self._in_memory else built
            return _attachment(body, GEOPACKAGE_TYPE, GEOPACKAGE, self._atlas)
        every = [self._store.feature(p) for p in range(len(self._store))]
        return _attachment(geopackage_bytes(every), GEOPACKAGE_TYPE, GEOPACKAGE, self._atlas)

    def _body(self, name: str, chosen: np.ndarray, title: str) -> bytes | FileBody:
        if name.endswith(".geojson"):
            built = self._atlas.files[name]
            return built.read() if self._in_memory else built
        if name.endswith(".csv"):
            pieces = csv_pieces(self._store.feature(int(p)) for p in chosen)
        else:
            pieces = self._kml_pieces(chosen, title)
        return b"".join(pieces) if self._in_memory else FileBody.spool(pieces)

    def _kml_pieces(self, chosen: np.ndarray, title: str) -> Iterator[bytes]:
        """The KML of the features at ``chosen``, each parsed as it is written: corridors in
        their colours on the map, sites grouped by category."""
        store = self._store
        every_corridor = np.flatnonzero(store.kinds == KINDS.index("corridor"))
        colour = {int(p): corridor_colour(i) for i, p in enumerate(every_corridor)}
        corridors = [int(p) for p in chosen if int(p) in colour]
        sites: dict[str, list[int]] = {}
        for p in chosen:
            if int(p) not in colour:
                sites.setdefault(store.category_names[store.categories[p]], []).append(int(p))
        return kml_pieces(
            (store.feature(p) for p in corridors),
            {category: (store.feature(p) for p in ps) for category, ps in sites.items()},
            title,
            {store.ids[p]: colour[p] for p in corridors},
        )

    def by_format(self) -> dict[str, list[Download]]:
        """The files grouped by format label, each group in subset order (for the /data page)."""
        groups: dict[str, list[Download]] = {
            label: [] for label in (*FORMATS.values(), GEOPACKAGE_FORMAT)
        }
        for download in self.files.values():
            groups[download.format].append(download)
        return groups
