"""The build: catalogue -> verified quotes -> resolved places -> the three GeoJSON files.

Everything is computed in memory first; files are replaced only when the whole build succeeded,
each through a temporary file and an atomic rename, so a failed or interrupted build leaves the
previous outputs as they were. :func:`stale_outputs` powers ``corridor-atlas build --check``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.catalogue import Entry, field_path, load_catalogue
from geodata.errors import CatalogueError, GeocoderUnavailable, GeocodingError
from geodata.geocoding import GazetteerLocator, Locator, ResolvedPlace, resolve
from geodata.geojson import build_feature, dumps, feature_collection
from geodata.provenance import dumps_sources, source_index
from geodata.sources import SeedLibrary, verify_quotes
from geodata.spatial import add_spatial_answers

SOURCES_FILE = "sources.json"
#: The GeoJSON outputs and which features each holds; sources.json is written beside them.
OUTPUTS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "atlas.geojson": lambda feature: True,
    "corridors.geojson": lambda feature: feature["properties"]["kind"] == "corridor",
    "sites.geojson": lambda feature: feature["properties"]["kind"] == "site",
}


@dataclass(frozen=True)
class Compiled:
    """The bytes of each output file, and the counts a report needs."""

    files: dict[str, bytes]
    corridors: int
    sites: int
    not_mapped: int


def compile_atlas(
    catalogue_path: Path = DEFAULT_CATALOGUE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    locator: Locator | None = None,
) -> Compiled:
    """Run the whole pipeline in memory; raise an :class:`~geodata.errors.AtlasError` on a fault."""
    catalogue = load_catalogue(catalogue_path)
    library = SeedLibrary.from_directory(seeds_dir)
    verify_quotes(catalogue, library, catalogue_path)
    locator = locator or GazetteerLocator()
    entries = sorted(catalogue.entries, key=lambda entry: (entry.kind != "corridor", entry.id))
    problems: list[str] = []
    features = []
    for entry in entries:
        lines = _resolve_entry(entry, locator, catalogue_path, problems)
        if lines is not None:
            features.append(build_feature(entry, lines))
    if problems:
        raise CatalogueError(problems)
    add_spatial_answers(features)
    files = {
        name: dumps(feature_collection([f for f in features if keep(f)]))
        for name, keep in OUTPUTS.items()
    }
    files[SOURCES_FILE] = dumps_sources(source_index(catalogue, library))
    corridors = sum(entry.kind == "corridor" for entry in entries)
    return Compiled(files, corridors, len(entries) - corridors, len(catalogue.not_mapped))


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
) -> Compiled:
    """Compile the atlas and replace the outputs in ``out_dir`` (only if all of it worked)."""
    compiled = compile_atlas(catalogue_path, seeds_dir, locator)
    write_atomically(out_dir, compiled.files)
    return compiled


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary sibling, flush it to disk, then rename them into place.

    Temporary files left by an earlier build that was killed are removed first.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in files:
        for leftover in out_dir.glob(f".{name}.*"):
            leftover.unlink(missing_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in files.items():
            with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{name}.", delete=False) as tmp:
                staged.append((name, Path(tmp.name)))
                tmp.write(content)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp.name, 0o644)  # temporary files are private; outputs are not
        for name, tmp_path in staged:
            os.replace(tmp_path, out_dir / name)
    finally:
        for _, tmp_path in staged:
            tmp_path.unlink(missing_ok=True)


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
        if actual != expected:
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
