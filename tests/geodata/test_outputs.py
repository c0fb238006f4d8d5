"""The output set: its manifest, what verify_outputs catches, and the build lock."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import DEFAULT_OUTPUT_DIR
from geodata.build import build
from geodata.errors import ManifestError
from geodata.outputs import (
    ATLAS,
    DATA_FILES,
    LOCK_FILE,
    MANIFEST,
    SITES,
    output_lock,
    read_manifest,
    verify_outputs,
)
from tests.support.samples import corridor_entry, site_entry

SEEDS = Path(__file__).parents[2] / "seeds"
BUILD = [sys.executable, "-m", "cli", "build"]


@pytest.fixture
def two_builds(tmp_path: Path, write_catalogue) -> tuple[Path, Path]:
    """Two output directories built from different catalogues."""
    first, second = tmp_path / "first", tmp_path / "second"
    build(first, catalogue_path=write_catalogue([site_entry()]), seeds_dir=SEEDS)
    catalogue = write_catalogue([site_entry(name="Another park"), corridor_entry()])
    build(second, catalogue_path=catalogue, seeds_dir=SEEDS)
    return first, second


def test_the_manifest_lists_every_file_with_size_and_hash(two_builds):
    out, _ = two_builds
    manifest = read_manifest(out)
    assert list(manifest.files) == list(DATA_FILES)
    listing = ""
    for name in sorted(DATA_FILES):
        content = (out / name).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        assert manifest.files[name].size == len(content)
        assert manifest.files[name].sha256 == digest
        listing += f"{digest}  {name}\n"
    assert manifest.build_id == hashlib.sha256(listing.encode()).hexdigest()
    assert manifest.built_at.utcoffset().total_seconds() == 0
    document = json.loads((out / MANIFEST).read_bytes())
    assert list(document) == ["build_id", "built_at", "files"]
    assert document["built_at"].endswith("Z")
    assert verify_outputs(out) == []


def test_built_at_changes_only_with_the_outputs(tmp_path: Path, write_catalogue, monkeypatch):
    out = tmp_path / "out"
    catalogue = write_catalogue([site_entry()])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(out, catalogue_path=catalogue, seeds_dir=SEEDS)
    first = (out / MANIFEST).read_bytes()
    assert b'"built_at": "2023-11-14T22:13:20Z"' in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(out, catalogue_path=catalogue, seeds_dir=SEEDS)
    assert (out / MANIFEST).read_bytes() == first, "an identical rebuild changed the manifest"
    build(out, catalogue_path=write_catalogue([site_entry(name="Renamed")]), seeds_dir=SEEDS)
    assert read_manifest(out).built_at.year == 2027


def test_the_committed_outputs_verify():
    assert verify_outputs(DEFAULT_OUTPUT_DIR) == []


def _mix(first: Path, second: Path) -> None:
    (first / SITES).write_bytes((second / SITES).read_bytes())


def _truncate(first: Path, second: Path) -> None:
    content = (first / ATLAS).read_bytes()
    (first / ATLAS).write_bytes(content[: len(content) // 2])


def _same_size_other_bytes(first: Path, second: Path) -> None:
    content = bytearray((first / ATLAS).read_bytes())
    content[-3] ^= 1
    (first / ATLAS).write_bytes(bytes(content))


def _forge_build_id(first: Path, second: Path) -> None:
    document = json.loads((first / MANIFEST).read_bytes())
    document["build_id"] = "0" * 64
    (first / MANIFEST).write_text(json.dumps(document))


def _unlist(first: Path, second: Path) -> None:
    document = json.loads((first / MANIFEST).read_bytes())
    del document["files"][SITES]
    (first / MANIFEST).write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_mix, f"/{SITES}: "),  # a size or a hash that does not match
        (_truncate, f"bytes, but {MANIFEST} says"),
        (_same_size_other_bytes, f"{ATLAS}: its SHA-256 does not match {MANIFEST}"),
        (lambda first, second: (first / SITES).unlink(), f"{SITES}: missing"),
        (_forge_build_id, f"{MANIFEST}: build_id does not match the files it lists"),
        (_unlist, f"{SITES}: not listed in {MANIFEST}"),
        (lambda first, second: (first / MANIFEST).unlink(), f"{MANIFEST}: missing"),
        (lambda first, second: (first / MANIFEST).write_text("{"), "not a build manifest"),
    ],
)
def test_verify_outputs_finds_what_is_wrong(two_builds, damage, problem):
    first, second = two_builds
    damage(first, second)
    problems = verify_outputs(first)
    assert any(problem in line for line in problems), problems


def test_read_manifest_says_why_it_cannot(tmp_path: Path):
    with pytest.raises(ManifestError, match=r"manifest\.json: missing; run `corridor-atlas build`"):
        read_manifest(tmp_path)


def _read_line(stream, marker: str, timeout: float = 60) -> list[str]:
    """Lines read from ``stream`` up to the one containing ``marker``."""
    lines: list[str] = []
    while not lines or marker not in lines[-1]:
        line = stream.readline()
        assert line, f"the process ended before printing {marker!r}: {lines}"
        lines.append(line)
    return lines


def test_a_second_build_waits_for_the_lock_and_says_so_once(two_builds):
    out, _ = two_builds
    before = {name: (out / name).read_bytes() for name in DATA_FILES}
    with output_lock(out):
        process = subprocess.Popen(
            [*BUILD, "--out", str(out)], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        first_lines = _read_line(process.stderr, "waiting for another build")
        assert first_lines[-1] == f"waiting for another build of {out} to finish…\n"
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1)  # still waiting: it must not build while we hold the lock
        assert {name: (out / name).read_bytes() for name in DATA_FILES} == before
    out_text, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "built" in out_text
    assert "".join([*first_lines, err]).count("waiting") == 1
    assert verify_outputs(out) == []
    assert {name: (out / name).read_bytes() for name in DATA_FILES} != before


def test_no_wait_fails_with_one_line(two_builds):
    out, _ = two_builds
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with output_lock(out):
        result = subprocess.run(
            [*BUILD, "-q", "--no-wait", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == f"error: another build of {out} is running (and --no-wait was given)\n"
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_the_lock_file_is_not_part_of_the_set(two_builds):
    out, _ = two_builds
    assert (out / LOCK_FILE).exists()
    assert LOCK_FILE not in read_manifest(out).files


def test_the_outputs_module_imports_nothing_heavy():
    code = "import sys, geodata.outputs; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert "geodata.outputs" in loaded
    assert not {"shapely", "numpy", "geodata.gazetteer", "geopy", "yaml"} & loaded
