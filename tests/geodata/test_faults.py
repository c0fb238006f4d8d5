"""Bad input loses nothing: malformed catalogues, an unreachable geocoder and killed builds.

Every malformed catalogue must give one clear message naming the file, the entry and the field,
exit non-zero, and leave the previous outputs byte for byte as they were.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli import main
from geodata.build import build
from geodata.outputs import (
    ALL_FILES,
    DATA_FILES,
    GEOPACKAGE,
    LOCK_FILE,
    PREVIEW_DIR,
    SERVING_DIR,
    verify_outputs,
)
from tests.support.samples import SEED_000, corridor_entry, site_entry

PROJECT = Path(__file__).parents[2]
SEEDS = PROJECT / "seeds"
BUILD = [sys.executable, "-m", "cli", "build"]


def _curated(**overrides) -> dict:
    return {"name": "Dam", "lat": 41.7, "lon": 73.4, "reference": "a survey map", **overrides}


MALFORMED = {
    "missing field": ([{k: v for k, v in site_entry().items() if k != "name"}], "'name'"),
    "unknown seed": (
        [site_entry(sources=[{"seed": "999.txt", "quote": "Bashkortostan is planning"}])],
        "'sources[0].seed'",
    ),
    "quote not in seed": (
        [site_entry(sources=[{"seed": SEED_000, "quote": "Bashkortostan is planning a zoo"}])],
        "'sources[0].quote'",
    ),
    "unknown country code": ([site_entry(countries=["XX"])], "'countries[0]'"),
    "latitude out of range": ([site_entry(location=_curated(lat=95))], "'location.lat'"),
    "longitude not a number": ([site_entry(location=_curated(lon="east"))], "'location.lon'"),
    "curated place without reference": (
        [site_entry(location={"name": "Dam", "lat": 41.7, "lon": 73.4})],
        "'location.reference'",
    ),
    "duplicate id": ([site_entry(), site_entry()], "'id'"),
    "ambiguous place": (
        [site_entry(location={"place": "Chirchik", "country": "UZ"})],
        "'location'",
    ),
    "place not found": (
        [
            corridor_entry(
                route=[
                    {"place": "Tashkent", "country": "UZ"},
                    {"place": "Nowhereabad", "country": "KZ"},
                ]
            )
        ],
        "'route[1]'",
    ),
    "pin naming another place": (
        [site_entry(location={"place": "Bekabad", "country": "UZ", "geonames_id": 1514210})],
        "'location'",
    ),
    "unknown category": ([site_entry(category="shopping mall")], "'category'"),
    "unknown stage": ([site_entry(status={"stage": "rumoured"})], "'status.stage'"),
    "corridor with one waypoint": (
        [corridor_entry(route=[{"place": "Tashkent", "country": "UZ"}])],
        "'route'",
    ),
    "bad slug": ([site_entry(id="Bekabad Park!")], "'id'"),
    "unknown field": ([site_entry(colour="red")], "'colour'"),
    "no sources": ([site_entry(sources=[])], "'sources'"),
    "figure not quoted": (
        [
            site_entry(
                figures=[{"label": "area", "value": 5, "unit": "ha", "quote": "five hectares"}]
            )
        ],
        "'figures[0].quote'",
    ),
    "figure not finite": (
        [
            site_entry(
                figures=[{"label": "area", "value": float("nan"), "unit": "ha", "quote": "x"}]
            )
        ],
        "'figures[0].value'",
    ),
}


@pytest.fixture
def previous_outputs(tmp_path: Path, write_catalogue) -> Path:
    """An output directory holding a good earlier build."""
    out = tmp_path / "out"
    build(out, catalogue_path=write_catalogue([site_entry(), corridor_entry()]), seeds_dir=SEEDS)
    return out


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_catalogue_names_file_entry_field_and_changes_nothing(
    case, previous_outputs: Path, write_catalogue, capsys
):
    entries, field = MALFORMED[case]
    before = _snapshot(previous_outputs)
    path = write_catalogue(entries)
    status = main(["build", "-q", "--catalogue", str(path), "--out", str(previous_outputs)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"error: {path}: entry ")
    assert f"field {field}" in err
    assert _snapshot(previous_outputs) == before


def test_invalid_yaml_names_the_file_and_line(previous_outputs: Path, tmp_path: Path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("entries:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    before = _snapshot(previous_outputs)
    assert main(["build", "--catalogue", str(path), "--out", str(previous_outputs)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}: not valid YAML" in err and "line 3" in err
    assert _snapshot(previous_outputs) == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_online_geocoder(previous_outputs: Path, write_catalogue, capsys, tmp_path):
    before = _snapshot(previous_outputs)
    path = write_catalogue([site_entry()])
    args = ["build", "--catalogue", str(path), "--out", str(previous_outputs)]
    args += ["--geocoder", "nominatim", "--user-agent", "corridor-atlas-tests"]
    args += ["--nominatim-url", f"http://127.0.0.1:{_closed_port()}"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert (
        f"error: {path}: entry 'bekabad-industrial-park', field 'location': Nominatim failed" in err
    )
    assert _snapshot(previous_outputs) == before


def _valid_outputs(directory: Path) -> dict[str, bytes]:
    """The data files of ``directory``, after checking they are one whole set."""
    assert verify_outputs(directory) == []
    snapshot = {name: (directory / name).read_bytes() for name in DATA_FILES}
    for name, content in snapshot.items():
        if name == GEOPACKAGE:
            assert content.startswith(b"SQLite format 3\x00")  # the manifest vouched its bytes
        else:
            json.loads(content)  # complete and parseable
    return snapshot


def test_a_killed_build_leaves_complete_outputs(tmp_path: Path, write_catalogue):
    """Kill real builds at spread-out moments; the outputs are always the old set or the new set,
    never one file cut short nor files of both (each surviving set must match its manifest)."""
    out = tmp_path / "out"
    old_catalogue = write_catalogue([site_entry()])
    build(out, catalogue_path=old_catalogue, seeds_dir=SEEDS)
    old = _valid_outputs(out)
    new_catalogue = tmp_path / "new.yaml"
    new_catalogue.write_text(old_catalogue.read_text().replace("Bekabad industrial park", "New"))
    command = [sys.executable, "-m", "cli", "build", "--out", str(out)]
    command += ["--catalogue", str(new_catalogue)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    full_run = time.perf_counter() - started
    new = _valid_outputs(out)
    assert new != old
    build(out, catalogue_path=old_catalogue, seeds_dir=SEEDS)
    outcomes = set()
    # Kills from the start to past the timed run's end; on a busy machine a run may take longer
    # than the timed one, so the kills go on later (up to three times as long) until one lands
    # after the writes.
    for step in range(22):
        if step >= 9 and outcomes == {True, False}:
            break
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full_run * step / 7)
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = _valid_outputs(out)
        assert current in (old, new)
        outcomes.add(current == old)
        build(out, catalogue_path=old_catalogue, seeds_dir=SEEDS)
    assert outcomes == {True, False}, "no kill landed before and after the writes"
    assert [path.name for path in out.glob(".*")] == [LOCK_FILE], "temporary files left behind"


def _variant_catalogues(tmp_path: Path, write_catalogue) -> list[Path]:
    """Two small catalogues that build different sets (one site renamed)."""
    first = write_catalogue([site_entry()])
    second = tmp_path / "second.yaml"
    second.write_text(first.read_text().replace("Bekabad industrial park", "Second park"))
    return [first, second]


def test_concurrent_builds_publish_one_whole_set(tmp_path: Path, write_catalogue):
    """Two builds of different catalogues race into one directory, round after round; the
    lock lets one publish at a time, so the set always verifies and is one build's whole."""
    catalogues = _variant_catalogues(tmp_path, write_catalogue)
    expected = []
    for number, catalogue in enumerate(catalogues):
        alone = tmp_path / f"alone-{number}"
        build(alone, catalogue_path=catalogue, seeds_dir=SEEDS)
        expected.append(_valid_outputs(alone))
    assert expected[0] != expected[1]
    out = tmp_path / "out"
    for round_number in range(4):
        order = catalogues if round_number % 2 else catalogues[::-1]
        processes = [
            subprocess.Popen(
                [*BUILD, "-q", "--out", str(out), "--catalogue", str(catalogue)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for catalogue in order
        ]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert _valid_outputs(out) in expected
    # The command line draws the share cards and writes the serving index too, in folders.
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [*ALL_FILES, LOCK_FILE, PREVIEW_DIR, SERVING_DIR]
    )


@pytest.mark.parametrize("text", ["Bekabad\x00park", "Bekabad\x1b[31m", "Bekabad\ufffe"])
def test_control_characters_are_refused(previous_outputs: Path, write_catalogue, capsys, text):
    path = write_catalogue([site_entry(name=text)])
    before = _snapshot(previous_outputs)
    assert main(["build", "--catalogue", str(path), "--out", str(previous_outputs)]) == 1
    err = capsys.readouterr().err
    assert "field 'name': contains the control character U+" in err
    assert _snapshot(previous_outputs) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ('"><img src=x>.txt', b"An article.", "a seed file name must be"),
        ("latin1.txt", "Bekabad \xe9t\xe9".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_bad_seed_files_are_refused(
    tmp_path: Path, write_catalogue, capsys, name, content, message
):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (seeds / seed.name).write_bytes(seed.read_bytes())
    (seeds / name).write_bytes(content)
    path = write_catalogue([site_entry()])
    args = ["build", "--catalogue", str(path), "--seeds", str(seeds), "--out", str(tmp_path / "o")]
    assert main(args) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
