"""The console script, run as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from tests.support.samples import site_entry

PROJECT = Path(__file__).parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    script = shutil.which("corridor-atlas") or ""
    command = [script] if script else [sys.executable, "-m", "cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def test_check_passes_on_the_committed_data():
    result = run_cli("build", "--check")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_build_then_check_a_directory(tmp_path: Path, capsys):
    assert main(["build", "--out", str(tmp_path)]) == 0
    assert "built" in capsys.readouterr().out
    assert main(["build", "--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "corridors.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    assert main(["build", "--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "stale:" in err and "corridors.geojson: added" in err
    assert "sites.geojson" not in err


def test_a_bad_catalogue_exits_non_zero_with_its_message(tmp_path: Path, write_catalogue, capsys):
    path = write_catalogue([site_entry(countries=["XX"])])
    assert main(["build", "--catalogue", str(path), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}: entry 'bekabad-industrial-park', field 'countries[0]'" in err
    assert not list(tmp_path.glob("*.geojson"))


def test_nominatim_without_user_agent_explains_the_fix(tmp_path: Path, capsys):
    assert main(["build", "--geocoder", "nominatim", "--out", str(tmp_path)]) == 1
    assert "--user-agent" in capsys.readouterr().err


def test_serve_refuses_to_start_without_data(tmp_path: Path, capsys):
    assert main(["serve", "--data-dir", str(tmp_path), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f"error: cannot read {tmp_path / 'atlas.geojson'}" in err
    assert "corridor-atlas build" in err


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "sites.geojson").write_text("{not json"), "sites.geojson does not follow"),
        (lambda d: (d / "sources.json").unlink(), "cannot read"),
        (lambda d: (d / "atlas.geojson").write_bytes(b"\xff\xfe"), "atlas.geojson does not follow"),
    ],
)
def test_serve_refuses_corrupt_data_with_the_file_named(tmp_path: Path, capsys, damage, message):
    assert main(["build", "--out", str(tmp_path)]) == 0
    damage(tmp_path)
    assert main(["serve", "--data-dir", str(tmp_path), "--port", "0"]) == 1
    assert message in capsys.readouterr().err
