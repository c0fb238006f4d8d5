"""The files a build writes, and the manifest that publishes them as one set.

An output directory holds the data files of :data:`DATA_FILES` (and, from a build given a
preview style, the share cards' images under ``previews/``) and ``manifest.json``, which lists
each of them with its size and SHA-256. A build stages every file (the manifest too) as a
temporary sibling, renames the data files into place and the manifest last, so a reader that
checks the files against the manifest (:func:`verify_outputs`) knows it holds one whole build,
not a mix of two. Builds hold an exclusive lock on a file inside the directory
(:func:`output_lock`), so two builds never interleave their renames.

This module imports nothing heavy (no gazetteer, no shapely): the web app can import it for the
names alone.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geodata.errors import ManifestError, OutputsLocked

ATLAS = "atlas.geojson"
CORRIDORS = "corridors.geojson"
SITES = "sites.geojson"
SOURCES = "sources.json"
GEOPACKAGE = "atlas.gpkg"
MANIFEST = "manifest.json"
#: Taken by every build; not an output, and never removed (removing a lock file races).
LOCK_FILE = ".build.lock"

#: Every data file a build writes, and what it holds.
DATA_FILES: dict[str, str] = {
    ATLAS: "every mapped corridor and site: an RFC 7946 GeoJSON FeatureCollection",
    CORRIDORS: "the corridors of atlas.geojson, nothing else",
    SITES: "the sites of atlas.geojson, nothing else",
    SOURCES: "the source articles, with where each cited quote lies in its text",
    GEOPACKAGE: "atlas.geojson as a GeoPackage: layers corridors and sites (geodata.geopackage)",
}
#: The GeoJSON files and the kind of feature each holds (None: every feature).
GEOJSON_KINDS: dict[str, str | None] = {ATLAS: None, CORRIDORS: "corridor", SITES: "site"}
#: Everything a build publishes, the manifest last.
ALL_FILES: tuple[str, ...] = (*DATA_FILES, MANIFEST)
#: The share cards' preview images (``geodata.previews``), in a folder of their own: one of the
#: whole atlas and one per feature. A build given a preview style publishes them with the set.
PREVIEW_DIR = "previews"
ATLAS_CARD = f"{PREVIEW_DIR}/atlas.png"
#: Width and height of every preview image: the 1.91:1 image of Open Graph and Twitter's
#: large card (the pages' meta tags say so without reading the images).
CARD_SIZE = (1200, 630)
_CARD = re.compile(rf"{PREVIEW_DIR}/(?:atlas|features/[a-z0-9]+(?:-[a-z0-9]+)*)\.png")
#: The serving index (``webapp.model.serving``): what the server would otherwise compute at
#: start, in a folder of its own. A build given the callable that makes it publishes it with
#: the set, bound to the GeoJSON it was made from.
SERVING_DIR = "serving"
_SERVING = re.compile(rf"{SERVING_DIR}/[a-z0-9-]+\.(?:json|bin)")


def feature_card(feature_id: str) -> str:
    """The output file name of one feature's preview image.

    >>> feature_card("bekabad-industrial-park")
    'previews/features/bekabad-industrial-park.png'
    """
    return f"{PREVIEW_DIR}/features/{feature_id}.png"


def is_output(name: str) -> bool:
    """Whether a build may publish a file of this name: a data file or a preview image.

    >>> is_output(SITES), is_output("previews/atlas.png"), is_output("previews/../x.png")
    (True, True, False)
    >>> is_output("serving/index.json"), is_output("serving/../x.json")
    (True, False)
    """
    return (
        name in DATA_FILES
        or _CARD.fullmatch(name) is not None
        or _SERVING.fullmatch(name) is not None
    )


@dataclass(frozen=True)
class ListedFile:
    """One file as the manifest records it."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says: the build's identity, when it was built, and its files."""

    build_id: str
    built_at: datetime
    files: dict[str, ListedFile]


def build_id_of(files: Mapping[str, ListedFile]) -> str:
    """SHA-256 of the ``sha256sum``-style listing (``<sha256>  <name>``, names in order)."""
    listing = "".join(f"{files[name].sha256}  {name}\n" for name in sorted(files))
    return hashlib.sha256(listing.encode()).hexdigest()


def make_manifest(files: Mapping[str, bytes], previous: Manifest | None = None) -> Manifest:
    """The manifest of ``files``.

    ``built_at`` must not change when nothing else does, or every rebuild would dirty the
    committed outputs: it is kept from ``previous`` when the build id is the same, else it is
    ``$SOURCE_DATE_EPOCH`` (the reproducible-builds convention) or now, to the second.
    """
    listed = {
        name: ListedFile(len(content), hashlib.sha256(content).hexdigest())
        for name, content in files.items()
    }
    build_id = build_id_of(listed)
    if previous is not None and previous.build_id == build_id:
        return Manifest(build_id, previous.built_at, listed)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return Manifest(build_id, moment.replace(microsecond=0), listed)


def dumps_manifest(manifest: Manifest) -> bytes:
    """``manifest.json``'s bytes, in a fixed key order."""
    document = {
        "build_id": manifest.build_id,
        "built_at": manifest.built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {
            name: {"size": entry.size, "sha256": entry.sha256}
            for name, entry in manifest.files.items()
        },
    }
    return (json.dumps(document, indent=1) + "\n").encode()


def read_manifest(out_dir: Path) -> Manifest:
    """Read ``out_dir``'s manifest; raise :class:`~geodata.errors.ManifestError` saying why not."""
    path = Path(out_dir) / MANIFEST
    try:
        document = json.loads(path.read_bytes())
        manifest = Manifest(
            document["build_id"],
            datetime.fromisoformat(document["built_at"]),
            {
                name: ListedFile(int(entry["size"]), str(entry["sha256"]))
                for name, entry in document["files"].items()
            },
        )
    except FileNotFoundError as err:
        raise ManifestError(f"{path}: missing; run `corridor-atlas build`") from err
    except OSError as err:
        raise ManifestError(f"{path}: cannot read it: {err.strerror}") from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ManifestError(f"{path}: not a build manifest ({err})") from err
    return manifest


def intact_files(out_dir: Path) -> Callable[[str], bytes | None]:
    """A reader of the set in ``out_dir``: a file's bytes when the manifest lists it with
    exactly these bytes (size and SHA-256), else None (no manifest, not listed, changed,
    unreadable). What a build may keep of the set it replaces."""
    try:
        listed = read_manifest(out_dir).files
    except ManifestError:
        listed = {}

    def read(name: str) -> bytes | None:
        entry = listed.get(name)
        if entry is None:
            return None
        try:
            data = (Path(out_dir) / name).read_bytes()
        except OSError:
            return None
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            return None
        return data

    return read


def verify_outputs(out_dir: Path) -> list[str]:
    """What is wrong with the set in ``out_dir``, one line per problem (empty: it is whole).

    Every data file must be listed by the manifest and match its size and SHA-256, so files
    from two different builds, or a file cut short, are found.
    """
    out_dir = Path(out_dir)
    try:
        manifest = read_manifest(out_dir)
    except ManifestError as err:
        return [str(err)]
    problems = [
        f"{out_dir / name}: not listed in {MANIFEST}"
        for name in DATA_FILES
        if name not in manifest.files
    ]
    problems += [
        f"{out_dir / name}: listed in {MANIFEST} but not a build output"
        for name in manifest.files
        if not is_output(name)
    ]
    problems += [
        f"{path}: not listed in {MANIFEST}"
        for path in _card_files(out_dir)
        if path.relative_to(out_dir).as_posix() not in manifest.files
    ]
    if build_id_of(manifest.files) != manifest.build_id:
        problems.append(f"{out_dir / MANIFEST}: build_id does not match the files it lists")
    for name, listed in manifest.files.items():
        problem = _file_problem(out_dir / name, listed)
        if problem:
            problems.append(f"{out_dir / name}: {problem}")
    return problems


def _card_files(out_dir: Path) -> list[Path]:
    """The preview images and serving index files in ``out_dir``, sorted: the outputs a build
    publishes only when it is given what makes them (none without their folders)."""
    found = [path for path in (out_dir / PREVIEW_DIR).rglob("*.png") if path.is_file()]
    serving = out_dir / SERVING_DIR
    found += [p for p in serving.glob("*") if p.is_file() and not p.name.startswith(".")]
    return sorted(found)


def _file_problem(path: Path, listed: ListedFile) -> str | None:
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size != listed.size:
                return f"{size} bytes, but {MANIFEST} says {listed.size}"
            if hashlib.file_digest(handle, "sha256").hexdigest() != listed.sha256:
                return f"its SHA-256 does not match {MANIFEST}"
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"cannot read it: {err.strerror}"
    return None


@contextmanager
def reading_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s lock shared for the ``with`` body: no build publishes while a reader
    (the web app loading the set) copies it, and readers do not block each other.

    A directory whose lock file cannot be opened (a read-only deployment, where no build can
    run either) is read without the lock.
    """
    try:
        descriptor = os.open(
            Path(out_dir) / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644
        )
    except OSError:
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def output_lock(
    out_dir: Path, *, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the exclusive build lock of ``out_dir`` (created if need be) for the ``with`` body.

    If another build holds it, call ``on_wait`` once and wait, or raise
    :class:`~geodata.errors.OutputsLocked` when ``wait`` is false. The kernel drops the lock
    when its holder exits, however it exits, so a killed build never leaves it stuck.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise OutputsLocked(
                    f"another build of {out_dir} is running (and --no-wait was given)"
                ) from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def publish(out_dir: Path, files: Mapping[str, bytes]) -> Manifest:
    """Replace the data files in ``out_dir`` by ``files``, then the manifest; hold the lock.

    Every file is staged in full and flushed to disk before the first rename, so the set is
    mixed only for the few microseconds of the renames (and :func:`verify_outputs` says so).
    Temporary files of an earlier build that was killed are removed first.
    """
    for name in (*ALL_FILES, *files):
        target = out_dir / name
        for leftover in target.parent.glob(f".{target.name}.*"):
            leftover.unlink(missing_ok=True)
    try:
        previous: Manifest | None = read_manifest(out_dir)
    except ManifestError:
        previous = None
    manifest = make_manifest(files, previous)
    contents = {**files, MANIFEST: dumps_manifest(manifest)}
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in contents.items():
            staged.append((name, _staged(out_dir, name, content)))
        with _interrupts_held():
            for name, path in staged:  # the manifest is last
                os.replace(path, out_dir / name)
        for directory in sorted({(out_dir / name).parent for name in contents}):
            _sync_directory(directory)
        for card in _card_files(out_dir):  # files the set no longer has (or a build without)
            if card.relative_to(out_dir).as_posix() not in files:
                card.unlink(missing_ok=True)
    finally:
        for _, path in staged:
            path.unlink(missing_ok=True)
    return manifest


def _staged(out_dir: Path, name: str, content: bytes) -> Path:
    """``content`` in a temporary sibling of ``out_dir / name`` (its folder made if need be),
    flushed to disk, to be renamed into place."""
    target = out_dir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", delete=False
    ) as tmp:
        path = Path(tmp.name)
        try:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    path.chmod(0o644)  # temporary files are private; outputs are not
    return path


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Let the renames finish if Ctrl-C comes during them: a set half swapped is worse than a
    build that completes a few microseconds after the key press."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _sync_directory(directory: Path) -> None:
    """Flush the renames themselves to disk, so a power cut cannot undo part of the set."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
