"""Load the built data once, check every feature, and keep only what the server needs.

The web app never builds or edits data: it reads what ``geodata`` wrote. Everything is checked
at app creation so a missing or corrupt file stops the server with a message naming the file
(and the feature), rather than surfacing later as a 500 on some request. Checking and indexing
every feature takes seconds at 100,000 features, so the build does it once and writes the
result beside the files (the serving index, :mod:`webapp.model.serving`): the server maps it
when it is bound to the files it loaded, and does the work itself only when it is not.

What stays in memory is lean whatever the atlas's size: a :class:`FeatureStore` over
atlas.geojson (columns to filter, sort and count on, and where each feature's line is in the
file, which stays open and is read back when a feature is asked for), the source articles,
and a few hundred recently used features as validated models. At 100,000 features that is
about a tenth of what the parsed files would take.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from pydantic import ValidationError

from geodata.errors import ManifestError
from geodata.outputs import (
    ATLAS,
    CORRIDORS,
    GEOJSON_KINDS,
    GEOPACKAGE,
    MANIFEST,
    SITES,
    SOURCES,
    Manifest,
    read_manifest,
    reading_lock,
)
from webapp.cache import BoundedCache
from webapp.model.articles import Article
from webapp.model.digests import DigestMemo, identity
from webapp.model.filebody import FileBody
from webapp.model.schema import Feature, SourceIndex
from webapp.model.serving import ARRAYS, INDEX, Prepared, read_prepared
from webapp.model.store import KINDS, Check, FeatureStore, feature_ids

#: The built GeoJSON files (their names are the build's, ``geodata.outputs``), in the order
#: the pages list them, and the articles with their located quotes beside them.
FILES = tuple(GEOJSON_KINDS)
SOURCES_FILE = SOURCES

log = logging.getLogger(__name__)

#: Bytes copied at a time when the files are loaded.
COPY_CHUNK = 1024 * 1024
#: Files copied and hashed at once when they are loaded.
SNAPSHOT_THREADS = 3
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
        kept_models: int = 512,
        build_id: str | None = None,
        prepared: Prepared | None = None,
        content_id: str | None = None,
    ) -> None:
        #: The built files by name (:data:`FILES`, and atlas.gpkg when the build wrote one),
        #: open, read when served.
        self.files = dict(files)
        self.store = store
        self.seeds = list(seeds)
        self.built_at = built_at
        #: Identifies this build: the SHA-256 of atlas.geojson (hex), e.g. for ETags.
        self.build_id = build_id or self.files[ATLAS].sha256()
        #: Identifies everything loaded (each file's SHA-256, and when it was built): what a
        #: page made from this atlas depends on, e.g. to keep it (``webapp.map.pagecache``).
        self.content_id = content_id or self.build_id
        #: What the build's serving index held for this atlas (``webapp.model.serving``):
        #: the search ranking, the table's ranks, the map's feeds; None without one.
        self.prepared = prepared
        self._seeds_by_slug = {seed.slug: seed for seed in self.seeds}
        #: Validated features kept once asked for (least recently used dropped first).
        self._recent: BoundedCache[Feature] = BoundedCache(kept_models)

    def __len__(self) -> int:
        return len(self.store)

    def feature(self, feature_id: str) -> Feature | None:
        """The feature with this id as a validated model, or None."""
        position = self.store.position(feature_id)
        if position is None:
            return None
        return self._recent.get_or_make(
            feature_id, lambda: Feature.model_validate_json(self.store.raw(position))
        )

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


def feature_check(path: Path) -> Check:
    """Validate each feature of ``path`` against the data contract, naming it if it fails
    (at start, or in the build when it makes the serving index, ``webapp.model.serving``)."""

    def check(feature: dict[str, Any], number: int) -> None:
        try:
            Feature.model_validate(feature)
        except ValidationError as err:
            fid = feature.get("id") if isinstance(feature, dict) else None
            raise AtlasDataError(
                f"{path}, feature {number + 1} ({fid!r}) does not follow the data contract:\n{err}"
            ) from err

    return check


@dataclass(frozen=True)
class _Snapshot:
    """A built file as the server keeps it: its bytes copied when loaded, their SHA-256, and
    when the original was last modified."""

    body: FileBody
    sha256: str
    modified: float


def _snapshot(path: Path, memo: DigestMemo) -> _Snapshot:
    """Copy ``path`` to an anonymous temporary file (removed by the system when closed).

    The server serves the copy, so a file truncated or rewritten in place under a running
    server changes nothing it sends: it keeps serving the set it loaded, whole. The copy is
    hashed unless ``memo`` knows the file (as it was before and after the copy).
    """
    started = time.time()  # hashed no earlier than this, whatever the copy takes
    try:
        with open(path, "rb") as source:
            status = os.fstat(source.fileno())
            known = memo.known(status)
            copy = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the FileBody
            digest = None if known else hashlib.sha256()
            while chunk := source.read(COPY_CHUNK):
                if digest is not None:
                    digest.update(chunk)
                copy.write(chunk)
            copy.flush()
            unchanged = identity(os.fstat(source.fileno())) == identity(status)
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err
    if digest is not None:
        sha256 = digest.hexdigest()
        if unchanged:
            memo.remember(status, sha256, hashed_at=started)
    elif unchanged:
        sha256 = known
    else:  # written to while copied: the copy is whatever was read
        copy.seek(0)
        sha256 = hashlib.file_digest(copy, "sha256").hexdigest()
    return _Snapshot(FileBody(copy), sha256, status.st_mtime)


#: The serving index as read: index.json's bytes, arrays.bin mapped, each file's size and hash.
_Index = tuple[bytes, mmap.mmap, dict[str, tuple[int, str]]]


def _read_index(data_dir: Path, memo: DigestMemo) -> _Index | None:
    """The serving index: its JSON, its arrays (copied as the other files are, then mapped)
    and each file's size and SHA-256; None if it is missing or unreadable."""
    try:
        index = (data_dir / INDEX).read_bytes()
        arrays = _snapshot(data_dir / ARRAYS, memo)
    except (OSError, AtlasDataError):
        return None
    digests = {
        INDEX: (len(index), hashlib.sha256(index).hexdigest()),
        ARRAYS: (len(arrays.body), arrays.sha256),
    }
    if not len(arrays.body):  # no arrays at all: nothing to map
        return index, mmap.mmap(-1, 1), digests
    return index, mmap.mmap(arrays.body.handle.fileno(), 0, access=mmap.ACCESS_READ), digests


def _prepared(data_dir: Path, hashes: Mapping[str, str], index: _Index | None) -> Prepared | None:
    """What the serving index holds if it is whole (as the manifest lists it, when there is
    one) and bound to the files loaded (``hashes``); else None, and the log says why."""
    if index is None:
        return read_prepared(data_dir, None, None, hashes)
    document, arrays, digests = index
    try:
        listed = read_manifest(data_dir).files if (data_dir / MANIFEST).exists() else None
    except ManifestError:
        listed = None  # the manifest's own check stops the server with the reason
    for name, (size, sha256) in digests.items():
        entry = None if listed is None else listed.get(name)
        if listed is not None and (entry is None or (entry.size, entry.sha256) != (size, sha256)):
            log.warning(
                "%s is not the file %s lists; computing what the serving index holds",
                data_dir / name,
                MANIFEST,
            )
            return None
    return read_prepared(data_dir, document, arrays, hashes)


def _check_against_manifest(
    data_dir: Path, digests: Mapping[str, tuple[int, str]]
) -> Manifest | None:
    """Refuse a set that is not the one its manifest lists (files of two builds, a file cut
    short); a directory without a manifest (made by hand, or by an older build) is taken as
    it is."""
    if not (data_dir / MANIFEST).exists():
        return None
    try:
        manifest = read_manifest(data_dir)
    except ManifestError as err:
        raise AtlasDataError(str(err)) from err
    for name, (size, sha256) in digests.items():
        listed = manifest.files.get(name)
        if listed is None or (listed.size, listed.sha256) != (size, sha256):
            raise AtlasDataError(
                f"{data_dir / name} is not the file {MANIFEST} lists: the set is mixed or "
                "damaged. Build it again: corridor-atlas build."
            )
    return manifest


def _read_store(path: Path, file: FileBody) -> FeatureStore:
    try:
        store = FeatureStore.from_file(file.handle, check=feature_check(path))
    except OSError as err:
        raise AtlasDataError(f"cannot read {path}: {err.strerror}.") from err
    except (ValueError, KeyError, TypeError) as err:
        raise AtlasDataError(f"{path} does not follow the data contract: {err}") from err
    if store.header.get("type") != "FeatureCollection":
        raise AtlasDataError(f"{path} does not follow the data contract: not a FeatureCollection")
    return store


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise AtlasDataError(
            f"cannot read {path}: {err.strerror}. Build the data first: corridor-atlas build."
        ) from err


def _read_sources(path: Path, raw: bytes) -> SourceIndex:
    try:
        return SourceIndex.model_validate_json(raw)
    except ValidationError as err:
        raise AtlasDataError(f"{path} does not follow the data contract:\n{err}") from err


def _ids_of(path: Path, handle: BinaryIO) -> list[str]:
    try:
        return feature_ids(handle)
    except OSError as err:
        raise AtlasDataError(f"cannot read {path}: {err.strerror}.") from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise AtlasDataError(f"{path} does not follow the data contract: {err}") from err


def check_split_files(data_dir: Path, store: FeatureStore, files: Mapping[str, BinaryIO]) -> None:
    """Raise :class:`AtlasDataError` unless the split files (open, by name; in ``data_dir``)
    hold exactly the corridors and the sites of atlas.geojson."""
    for name, kind in ((CORRIDORS, "corridor"), (SITES, "site")):
        expected = [fid for fid, k in zip(store.ids, store.kinds, strict=True) if KINDS[k] == kind]
        if sorted(_ids_of(data_dir / name, files[name])) != sorted(expected):
            raise AtlasDataError(
                f"{data_dir / name} does not hold the same features as atlas.geojson"
            )


def load_atlas(data_dir: Path, kept_models: int = 512) -> Atlas:
    """Read and check atlas.geojson, corridors.geojson, sites.geojson and sources.json (and
    atlas.gpkg, served as built, when there is one).

    Every feature of atlas.geojson is validated, and the split files must hold exactly the
    corridors and the sites of atlas.geojson, so the three downloads never disagree with the
    map: the build did both when it made the serving index, which is used when it is bound to
    these files (their SHA-256) and to this code, and listed in the manifest; otherwise (and
    the log says why) they are done here as the file is read. The files (the index too) are
    copied while the build lock is held shared, and
    checked against the build's manifest when there is one, so the server holds one whole
    build; it serves its copies, so nothing done to the files afterwards (a new build, a file
    truncated or rewritten in place) changes what it sends. A file loaded before, unchanged
    since, is not hashed again (:mod:`webapp.model.digests`).
    """
    data_dir = Path(data_dir)
    with reading_lock(data_dir):
        names = [*FILES, GEOPACKAGE] if (data_dir / GEOPACKAGE).exists() else list(FILES)
        # Copying and hashing wait on the disk and on hashlib with the GIL released: the
        # files are snapshotted side by side (the geopackage is served as built).
        memo = DigestMemo()
        with ThreadPoolExecutor(SNAPSHOT_THREADS) as pool:
            copies = {name: pool.submit(_snapshot, data_dir / name, memo) for name in names}
            reading = pool.submit(_read_bytes, data_dir / SOURCES_FILE)
            indexing = pool.submit(_read_index, data_dir, memo)
            # In this order, so a missing set is named by its first file, atlas.geojson.
            snapshots = {name: copy.result() for name, copy in copies.items()}
            sources, index = reading.result(), indexing.result()
    memo.save()
    files = {name: snapshot.body for name, snapshot in snapshots.items()}
    digests = {name: (len(s.body), s.sha256) for name, s in snapshots.items()}
    digests[SOURCES_FILE] = (len(sources), hashlib.sha256(sources).hexdigest())
    prepared = _prepared(data_dir, {name: sha for name, (_, sha) in digests.items()}, index)
    if prepared is not None:
        # Bound to these files, which the build wrote from the same features and articles,
        # each checked against the data contract when the index was made.
        store = prepared.store.over(files[ATLAS])
        articles = prepared.articles
    else:
        store = _read_store(data_dir / ATLAS, files[ATLAS])
        check_split_files(data_dir, store, {name: file.handle for name, file in files.items()})
        seeds = _read_sources(data_dir / SOURCES_FILE, sources).seeds
        articles = [Article.from_seed(seed) for seed in seeds]
    # Checked after the contract, so a file that breaks it is named with its feature first.
    manifest = _check_against_manifest(data_dir, digests)
    built_at = (
        manifest.built_at.astimezone(UTC)
        if manifest is not None
        else datetime.fromtimestamp(int(snapshots[ATLAS].modified), tz=UTC)
    )
    return Atlas(
        files=files,
        store=store,
        seeds=articles,
        built_at=built_at,
        kept_models=kept_models,
        build_id=snapshots[ATLAS].sha256,
        prepared=prepared,
        content_id=_content_id(digests, built_at),
    )


def _content_id(digests: Mapping[str, tuple[int, str]], built_at: datetime) -> str:
    loaded = "".join(f"{name} {sha256}\n" for name, (_, sha256) in sorted(digests.items()))
    return hashlib.sha256(f"{loaded}{built_at.isoformat()}".encode()).hexdigest()
