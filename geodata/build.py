"""The build: catalogue -> verified quotes -> resolved places -> the GeoJSON files and manifest.

Everything is computed in memory first, under the output directory's lock; the files are
replaced only when the whole build succeeded, and published as one set with a manifest written
last (see :mod:`geodata.outputs`), so a failed or interrupted build leaves the previous outputs
as they were. :func:`check` powers ``corridor-atlas build --check``.

Long steps report to an optional ``progress`` callback; without one a build is silent.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.catalogue import Entry, field_path, load_catalogue
from geodata.errors import CatalogueError, GeocoderUnavailable, GeocodingError
from geodata.gazetteer import (
    GazetteerGeocoder,
    default_index,
    default_index_ready,
    records_shared,
)
from geodata.geocoding import GazetteerLocator, Locator, ResolvedPlace, resolve
from geodata.geojson import build_feature, collection_metadata, dumps, feature_collection
from geodata.geometry import near_pairs
from geodata.geopackage import atlas_geopackage
from geodata.outputs import (
    ATLAS,
    CORRIDORS,
    GEOJSON_KINDS,
    GEOPACKAGE,
    SERVING_DIR,
    SITES,
    SOURCES,
    intact_files,
    output_lock,
    publish,
    verify_outputs,
)
from geodata.placenames import DEFAULT_PLACENAMES, Names, PlaceNamer
from geodata.previews import PreviewStyle, Previous, render_previews
from geodata.provenance import article_records, as_reported, dumps_sources, source_index
from geodata.sources import SeedLibrary, stage_seed, verify_quotes
from geodata.spatial import add_spatial_answers
from geodata.timeline import DateProblem, dated_milestones

#: Makes the server's index of a build's files (name -> bytes) as more files to publish, named
#: under ``serving/``: ``webapp.serving_index.serving_files``, handed in by the CLI so the
#: pipeline never imports the web app.
ServingIndex = Callable[[Mapping[str, bytes]], dict[str, bytes]]


@dataclass(frozen=True)
class Progress:
    """One report of a run's progress.

    A counted step (``step`` of ``steps``) is announced with ``done`` left None, and may then
    report ``done`` of ``total``; ``step`` 0 is a notice outside the count (a wait for a lock).
    """

    what: str
    step: int = 0
    steps: int = 0
    done: int | None = None
    total: int | None = None


ProgressCallback = Callable[[Progress], None]


class _Steps:
    """Numbers the steps of one run and hands each report to the callback, if there is one."""

    def __init__(self, callback: ProgressCallback | None, steps: int) -> None:
        self._callback = callback
        self._steps = steps
        self._step = 0
        self._what = ""

    def start(self, what: str) -> None:
        self._step += 1
        self._what = what
        self._send(Progress(what, self._step, self._steps))

    def count(self, done: int, total: int) -> None:
        self._send(Progress(self._what, self._step, self._steps, done, total))

    def notice(self, what: str) -> None:
        self._send(Progress(what))

    def _send(self, progress: Progress) -> None:
        if self._callback is not None:
            self._callback(progress)


@dataclass(frozen=True)
class Compiled:
    """The bytes of each data file, the counts a report needs, and the warnings it gave."""

    files: dict[str, bytes]
    corridors: int
    sites: int
    not_mapped: int
    warnings: tuple[str, ...] = ()


#: Sites closer than this are drawn on top of each other at most zooms.
COINCIDENT_KM = 1.0
#: Warnings about coincident sites shown one by one; the rest are counted.
COINCIDENT_SHOWN = 20
#: What each GeoJSON file holds, for its title.
_HOLDS = {
    ATLAS: "transport corridors and sites of Central Asia",
    CORRIDORS: "transport corridors of Central Asia",
    SITES: "industrial, logistics and other sites of Central Asia",
}


def compile_atlas(
    catalogue_path: Path = DEFAULT_CATALOGUE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    locator: Locator | None = None,
    progress: ProgressCallback | None = None,
    previews: PreviewStyle | None = None,
    serving: ServingIndex | None = None,
) -> Compiled:
    """Run the whole pipeline in memory; raise an :class:`~geodata.errors.AtlasError` on a fault.

    Without a ``locator`` places are found in the offline gazetteer. With a ``previews`` style
    the share cards' images are drawn too (:mod:`geodata.previews`), with a ``serving``
    callable the server's index of the files (:data:`ServingIndex`).
    """
    steps = _Steps(progress, _steps_of(locator))
    return _compile(catalogue_path, seeds_dir, locator, steps, previews, serving)


def _steps_of(locator: Locator | None) -> int:
    return 3 if locator is not None else 4


def _compile(
    catalogue_path: Path,
    seeds_dir: Path,
    locator: Locator | None,
    steps: _Steps,
    previews: PreviewStyle | None = None,
    serving: ServingIndex | None = None,
    previous: Previous | None = None,
) -> Compiled:
    steps.start("reading the catalogue and finding its quotes in the seeds")
    catalogue = load_catalogue(catalogue_path)
    library = SeedLibrary.from_directory(seeds_dir)
    verify_quotes(catalogue, library, catalogue_path)
    index = None
    with records_shared():  # on an empty cache both read GeoNames: once, in the index's step
        if locator is None:
            ready = default_index_ready()
            steps.start("loading the gazetteer" + ("" if ready else " (building its index, once)"))
            index = default_index(progress=steps.count)
            locator = GazetteerLocator(GazetteerGeocoder(index))
        namer = PlaceNamer.load(DEFAULT_PLACENAMES, index=index)
    entries = sorted(catalogue.entries, key=lambda entry: (entry.kind != "corridor", entry.id))
    steps.start(f"geocoding {len(entries)} entries")
    problems: list[str] = []
    features = []
    articles = article_records(catalogue, library)
    for done, entry in enumerate(entries, start=1):
        lines = _resolve_entry(entry, locator, catalogue_path, problems)
        dates = _read_dates(entry, library, articles, catalogue_path, problems)
        if lines is not None and dates is not None:
            reported = as_reported(entry, library, articles)
            names = _place_names(entry, lines, namer)
            features.append(build_feature(entry, lines, articles, reported, names, dates))
        steps.count(done, len(entries))
    if problems:
        raise CatalogueError(problems)
    warnings = coincident_sites(features)
    for warning in warnings:
        steps.notice(f"warning: {warning}")
    steps.start("finding the sites near each corridor and writing the files in memory")
    add_spatial_answers(features)
    files = {}
    for name, kind in GEOJSON_KINDS.items():
        held = [f for f in features if _holds(kind, f)]
        metadata = collection_metadata(_HOLDS[name], articles, len(held), held)
        files[name] = dumps(feature_collection(held, metadata))
    files[SOURCES] = dumps_sources(source_index(catalogue, library))
    files[GEOPACKAGE] = atlas_geopackage(files[ATLAS])  # for QGIS: layers, columns, R-tree
    if previews is not None:  # the share cards' images, in the map's look
        files.update(render_previews(features, previews, previous=previous))
    if serving is not None:  # what the server would compute at start (webapp.model.serving)
        files.update(serving(files))
    corridors = sum(entry.kind == "corridor" for entry in entries)
    return Compiled(
        files, corridors, len(entries) - corridors, len(catalogue.not_mapped), tuple(warnings)
    )


def coincident_sites(features: list[dict[str, Any]]) -> list[str]:
    """One warning per group of sites at the same point or within :data:`COINCIDENT_KM` of
    one another: a map draws them on top of each other, so a reader can click only one
    unless the map spreads them. Not an error: several facilities in one city are real.
    """
    sites = [f for f in features if f["properties"]["kind"] == "site"]
    points = [tuple(f["geometry"]["coordinates"]) for f in sites]
    pairs = near_pairs(points, COINCIDENT_KM)  # type: ignore[arg-type]
    group = list(range(len(sites)))  # union-find: each site's representative

    def root(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    for first, second, _ in pairs:
        group[root(second)] = root(first)
    members: dict[int, list[int]] = {}
    for first, second, _ in pairs:
        for index in (first, second):
            members.setdefault(root(index), [])
            if index not in members[root(index)]:
                members[root(index)].append(index)
    warnings = []
    for indices in sorted(members.values(), key=lambda found: sorted(found)):
        ids = ", ".join(sorted(sites[index]["id"] for index in indices))
        same = len({points[index] for index in indices}) == 1
        where = "share one coordinate" if same else f"lie within {COINCIDENT_KM:g} km"
        check = "the map spreads them apart; check they are not one place"
        warnings.append(f"{len(indices)} sites {where} ({check}): {ids}")
    if len(warnings) > COINCIDENT_SHOWN:
        rest = len(warnings) - COINCIDENT_SHOWN
        warnings = [*warnings[:COINCIDENT_SHOWN], f"… and {rest} more such groups of sites"]
    return warnings


def _holds(kind: str | None, feature: dict[str, Any]) -> bool:
    return kind is None or feature["properties"]["kind"] == kind


def _resolve_entry(
    entry: Entry, locator: Locator, catalogue_path: Path, problems: list[str]
) -> list[list[ResolvedPlace]] | None:
    lines: list[list[ResolvedPlace]] = []
    failed = False
    for line_number, line in enumerate(entry.places()):
        resolved = []
        for position, place in enumerate(line):
            try:
                resolved.append(resolve(place, locator))
            except GeocodingError as err:
                field = _place_field(entry, line_number, position)
                where = f"{catalogue_path}: entry {entry.id!r}, field {field!r}"
                if isinstance(err, GeocoderUnavailable):
                    raise GeocoderUnavailable(f"{where}: {err}") from err
                problems.append(f"{where}: {err}")
                failed = True
        lines.append(resolved)
    return None if failed else lines


def _read_dates(
    entry: Entry,
    library: SeedLibrary,
    articles: dict[str, dict[str, Any]],
    catalogue_path: Path,
    problems: list[str],
) -> list[dict[str, Any]] | None:
    """``entry``'s milestones read as intervals, or None (and a problem) when one cannot be."""
    try:
        return dated_milestones(entry, articles, stage_seed(entry, library))
    except DateProblem as err:
        problems.append(f"{catalogue_path}: entry {entry.id!r}, field {err.field!r}: {err}")
        return None


def _place_names(
    entry: Entry, lines: list[list[ResolvedPlace]], namer: PlaceNamer
) -> dict[ResolvedPlace, Names]:
    """Each resolved place's names, found through its catalogue place (pinned or curated)."""
    return {
        place: namer.of_place(spec, place)
        for specs, resolved in zip(entry.places(), lines, strict=True)
        for spec, place in zip(specs, resolved, strict=True)
    }


def _place_field(entry: Entry, line_number: int, position: int) -> str:
    if entry.kind == "site":
        return "location"
    if line_number == 0:
        return field_path(["route", position])
    return field_path(["branches", line_number - 1, position])


def build(
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    *,
    catalogue_path: Path = DEFAULT_CATALOGUE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    locator: Locator | None = None,
    progress: ProgressCallback | None = None,
    wait: bool = True,
    previews: PreviewStyle | None = None,
    serving: ServingIndex | None = None,
) -> Compiled:
    """Compile the atlas and replace the outputs in ``out_dir`` (only if all of it worked).

    Compiling touches nothing on disk, so a build that fails leaves no trace, not even a new
    directory. Publishing holds ``out_dir``'s lock: if another build has it, this one waits
    (reporting it once), or with ``wait=False`` raises :class:`~geodata.errors.OutputsLocked`;
    builds that run at once then publish one whole set after the other.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out_dir))
    steps = _Steps(progress, _steps_of(locator) + 1)

    def waiting() -> None:
        steps.notice(f"waiting for another build of {out_dir} to finish…")

    previous = intact_files(out_dir)  # the cards of the set in place, kept if their key holds
    compiled = _compile(catalogue_path, seeds_dir, locator, steps, previews, serving, previous)
    steps.start(f"writing {len(compiled.files)} files and the manifest to {out_dir}")
    with output_lock(out_dir, wait=wait, on_wait=waiting):
        publish(out_dir, compiled.files)
    return compiled


def check(
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    *,
    catalogue_path: Path = DEFAULT_CATALOGUE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    locator: Locator | None = None,
    progress: ProgressCallback | None = None,
    previews: PreviewStyle | None = None,
    serving: ServingIndex | None = None,
) -> list[str]:
    """What is out of date in ``out_dir``, one line per problem (empty: all up to date).

    A data file differing from a fresh build is named with what changed in it; then the
    manifest must list exactly these files, with their sizes and hashes.
    """
    out_dir = Path(out_dir)
    steps = _Steps(progress, _steps_of(locator) + 1)
    compiled = _compile(catalogue_path, seeds_dir, locator, steps, previews, serving)
    steps.start(f"comparing with the outputs in {out_dir}")
    return stale_outputs(out_dir, compiled.files) + verify_outputs(out_dir)


def stale_outputs(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """What differs between ``files`` and the outputs in ``out_dir``, one line per file."""
    differences = []
    for name, expected in files.items():
        path = out_dir / name
        try:
            actual = path.read_bytes()
        except OSError:
            differences.append(f"{path}: missing")
            continue
        described = name.endswith((".json", ".geojson")) and not name.startswith(SERVING_DIR)
        if actual != expected and not described:  # images, GeoPackage, the serving index
            differences.append(f"{path}: differs from a fresh build")
        elif actual != expected:
            differences.append(f"{path}: {_describe_change(actual, expected)}")
    return differences


def _describe_change(actual: bytes, expected: bytes) -> str:
    try:
        old = _features_by_id(actual)
    except (ValueError, KeyError, TypeError):
        return "not valid atlas GeoJSON"
    new = _features_by_id(expected)
    parts = []
    for label, ids in (
        ("added", sorted(new.keys() - old.keys())),
        ("removed", sorted(old.keys() - new.keys())),
        ("changed", sorted(key for key in old.keys() & new.keys() if old[key] != new[key])),
    ):
        if ids:
            parts.append(f"{label} {', '.join(ids)}")
    return "; ".join(parts) or "same features, different bytes (formatting or order)"


def _features_by_id(content: bytes) -> dict[str, Any]:
    document = json.loads(content)
    if "seeds" in document:  # sources.json
        return {seed["slug"]: seed for seed in document["seeds"]}
    return {feature["id"]: feature for feature in document["features"]}
