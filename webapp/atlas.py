"""Load the built data once, check every feature, and keep only what the server needs.

The web app never builds or edits data: it reads what ``geodata`` wrote. Everything is checked
at app creation so a missing or corrupt file stops the server with a message naming the file
(and the feature), rather than surfacing later as a 500 on some request.

What stays in memory is lean whatever the atlas's size: a :class:`FeatureStore` over
atlas.geojson (columns to filter, sort and count on, and where each feature's line is in the
file, which stays open and is read back when a feature is asked for), the source articles,
and a few hundred recently used features as validated models. At 100,000 features that is
about a tenth of what the parsed files would take.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from webapp.articles import Article
from webapp.featurestore import KINDS, Check, FeatureStore, feature_ids
from webapp.filebody import FileBody
from webapp.schema import Feature, SourceIndex

#: The built files, in the order they are listed on the page.
FILES = ("atlas.geojson", "corridors.geojson", "sites.geojson")
#: The articles with their located quotes, written by the build beside the GeoJSON.
SOURCES_FILE = "sources.json"
#: Validated features kept once asked for (least recently used dropped first).
FEATURE_CACHE_SIZE = 512

#: Bounds [minLon, minLat, maxLon, maxLat] used only if the data has no features at all.
CENTRAL_ASIA_BBOX = (46.0, 35.0, 88.0, 56.0)


class AtlasDataError(RuntimeError):
    """A built data file is missing, unreadable, or does not follow the data contract."""


class Atlas:
    """The loaded data: the store of atlas.geojson, the articles, and the build's identity."""

    def __init__(
        self,
        files: Mapping[str, FileBody],
        store: FeatureStore,
        seeds: Sequence[Article],
        built_at: datetime,
    ) -> None:
        #: The built files by name (:data:`FILES`), open, read when served.
        self.files = dict(files)
        self.store = store
        self.seeds = list(seeds)
        self.built_at = built_at
        #: Identifies this build: the SHA-256 of atlas.geojson (hex), e.g. for ETags.
        self.build_id = self.files["atlas.geojson"].sha256()
        self._seeds_by_slug = {seed.slug: seed for seed in self.seeds}
        self._recent: OrderedDict[str, Feature] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.store)

    def feature(self, feature_id: str) -> Feature | None:
        """The feature with this id as a validated model, or None."""
        with self._lock:
            if feature_id in self._recent:
                self._recent.move_to_end(feature_id)
                return self._recent[feature_id]
        position = self.store.position(feature_id)
        if position is None:
            return None
        feature = Feature.model_validate_json(self.store.raw(position))
        with self._lock:
            self._recent[feature_id] = feature
            while len(self._recent) > FEATURE_CACHE_SIZE:
                self._recent.popitem(last=False)
        return feature

    def features_at(self, positions: Sequence[int]) -> Sequence[Feature]:
        """The features at ``positions`` of the store, each validated when read and not kept
        (a table page of hundreds would otherwise push every recent feature out)."""
        return _Models(self, positions)

    @property
    def features(self) -> Sequence[Feature]:
        """Every feature as a model, corridors first, each kind sorted by id (the file's
        order), each parsed when read: meant for atlases small enough to draw whole."""
        return _Models(self, range(len(self.store)))

    @property
    def corridors(self) -> Sequence[Feature]:
        """Corridor features, in file order (sorted by id)."""
        return _Models(self, np.flatnonzero(self.store.kinds == KINDS.index("corridor")))

    @property
    def sites(self) -> Sequence[Feature]:
        """Site features, in file order (sorted by id)."""
        return _Models(self, np.flatnonzero(self.store.kinds == KINDS.index("site")))

    def seed(self, slug: str) -> Article | None:
        """The article whose file name without ``.txt`` is ``slug``, or None."""
        return self._seeds_by_slug.get(slug)

    def counts(self) -> dict[str, int]:
        """Feature counts, as reported by /healthz."""
        corridors = int((self.store.kinds == KINDS.index("corridor")).sum())
        return {"corridors": corridors, "sites": len(self) - corridors, "total": len(self)}

    def category_counts(self, kind: str) -> list[tuple[str, int]]:
        """Each category of features of ``kind`` with its count, sorted by category."""
        chosen = self.store.categories[self.store.kinds == KINDS.index(kind)]
        counts = np.bincount(chosen, minlength=len(self.store.category_names))
        names = self.store.category_names
        return [(names[i], int(n)) for i, n in enumerate(counts) if n]

    def country_counts(self) -> Counter[str]:
        """How many features each country code has."""
        totals = self.store.countries.sum(axis=0)
        return Counter({c: int(n) for c, n in zip(self.store.country_codes, totals, strict=True)})

    def stages(self) -> list[str]:
        """The status stages features have (unordered)."""
        used = np.unique(self.store.stages[self.store.stages >= 0])
        return [self.store.stage_names[i] for i in used]

    def bbox(self) -> tuple[float, float, float, float]:
        """[minLon, minLat, maxLon, maxLat]: the file's bbox, else computed from the features."""
        bbox = self.store.header.get("bbox")
        if bbox:
            return tuple(bbox)  # type: ignore[return-value]
        if not len(self):
            return CENTRAL_ASIA_BBOX
        bounds = np.array([self.store.bounds(i) for i in range(len(self))], dtype=float)
        return (
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )


class _Models(Sequence[Feature]):
    """Features of the atlas at ``positions``, validated when read (nothing kept)."""

    def __init__(self, atlas: Atlas, positions: Sequence[int]) -> None:
        self._atlas = atlas
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._model(p) for p in self._positions[index]]
        return self._model(self._positions[index])

    def __iter__(self) -> Iterator[Feature]:
        return (self._model(p) for p in self._positions)

    def _model(self, position: int) -> Feature:
        return Feature.model_validate_json(self._atlas.store.raw(int(position)))


def _checker(path: Path) -> Check:
    """Validate each feature of ``path`` against the data contract, naming it if it fails."""

    def check(feature: dict[str, Any], number: int) -> None:
        try:
            Feature.model_validate(feature)
        except ValidationError as err:
            fid = feature.get("id") if isinstance(feature, dict) else None
            raise AtlasDataError(
                f"{path}, feature {number + 1} ({fid!r}) does not follow the data contract:\n{err}"
            ) from err

    return check


def _open(path: Path) -> FileBody:
    try:
        return FileBody(open(path, "rb"))
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err


def _read_store(path: Path, file: FileBody) -> FeatureStore:
    try:
        store = FeatureStore.from_file(file.handle, check=_checker(path))
    except OSError as err:
        raise AtlasDataError(f"cannot read {path}: {err.strerror}.") from err
    except (ValueError, KeyError, TypeError) as err:
        raise AtlasDataError(f"{path} does not follow the data contract: {err}") from err
    if store.header.get("type") != "FeatureCollection":
        raise AtlasDataError(f"{path} does not follow the data contract: not a FeatureCollection")
    return store


def _read_sources(path: Path) -> SourceIndex:
    try:
        return SourceIndex.model_validate_json(path.read_bytes())
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err
    except ValidationError as err:
        raise AtlasDataError(f"{path} does not follow the data contract:\n{err}") from err


def _ids_of(path: Path, file: FileBody) -> list[str]:
    try:
        return feature_ids(file.handle)
    except OSError as err:
        raise AtlasDataError(f"cannot read {path}: {err.strerror}.") from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise AtlasDataError(f"{path} does not follow the data contract: {err}") from err


def load_atlas(data_dir: Path) -> Atlas:
    """Read and check atlas.geojson, corridors.geojson, sites.geojson and sources.json.

    Every feature of atlas.geojson is validated as it is read. The split files must hold
    exactly the corridors and the sites of atlas.geojson, so the three downloads never
    disagree with the map. The files stay open: a build that replaces them while the server
    runs changes nothing it serves.
    """
    data_dir = Path(data_dir)
    files = {name: _open(data_dir / name) for name in FILES}
    articles = [Article.from_seed(seed) for seed in _read_sources(data_dir / SOURCES_FILE).seeds]
    store = _read_store(data_dir / "atlas.geojson", files["atlas.geojson"])
    for name, kind in (("corridors.geojson", "corridor"), ("sites.geojson", "site")):
        expected = [fid for fid, k in zip(store.ids, store.kinds, strict=True) if KINDS[k] == kind]
        if sorted(_ids_of(data_dir / name, files[name])) != sorted(expected):
            raise AtlasDataError(
                f"{data_dir / name} does not hold the same features as atlas.geojson"
            )
    modified = files["atlas.geojson"].modified()
    return Atlas(
        files=files,
        store=store,
        seeds=articles,
        built_at=datetime.fromtimestamp(int(modified), tz=UTC),
    )
