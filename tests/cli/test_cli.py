"""The console script, run as a user runs it."""

from __future__ import annotations

import os
import pty
import re
import shutil
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from cli import main
from geodata.build import build
from geodata.outputs import ALL_FILES, read_manifest, verify_outputs
from tests.support.samples import site_entry

PROJECT = Path(__file__).parents[2]
SEEDS = PROJECT / "seeds"


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


def test_check_reports_a_manifest_that_does_not_match_its_files(tmp_path: Path, capsys):
    assert main(["build", "-q", "--out", str(tmp_path)]) == 0
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"size": ', '"size": 1', 1))
    assert main(["build", "--check", "-q", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"stale: {tmp_path / 'atlas.geojson'}: " in err and "but manifest.json says 1" in err
    manifest.unlink()
    assert main(["build", "--check", "-q", "--out", str(tmp_path)]) == 1
    assert f"stale: {manifest}: missing" in capsys.readouterr().err
    assert main(["build", "-q", "--out", str(tmp_path)]) == 0
    assert main(["build", "--check", "-q", "--out", str(tmp_path)]) == 0


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


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"corridor-atlas {metadata.version('corridor-atlas')}\n"


@pytest.mark.parametrize("command", [[], ["build"], ["serve"]])
def test_help_has_no_rest_markup(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "``" not in result.stdout
    assert result.stdout.startswith("usage: corridor-atlas")


@pytest.mark.parametrize(("command", "options"), [("build", 9), ("serve", 8)])
def test_every_option_says_what_it_does_and_its_default(command, options):
    text = run_cli(command, "--help").stdout
    listed = text[text.index("options:") :]
    # Each option's entry runs from its flag to the next flag.
    entries = re.split(r"\n  (?=-)", listed)[1:]
    assert len(entries) == options + 1, entries  # --help and the options
    for entry in entries:
        if entry.startswith("-h"):
            continue
        assert "(default:" in " ".join(entry.split()), entry


def _build_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "build", *args]


def test_progress_goes_to_stderr_as_plain_lines_when_not_a_terminal(tmp_path: Path):
    result = subprocess.run(
        _build_command("--out", str(tmp_path)), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "[1/5] reading the catalogue and finding its quotes in the seeds …"
    assert any(re.fullmatch(r"\[3/5\] geocoding (\d+) entries: \1 of \1", line) for line in lines)
    written = len(read_manifest(tmp_path).files)  # the data files and the preview images
    assert lines[-1] == f"[5/5] writing {written} files and the manifest to {tmp_path} …"
    assert not re.search(r"[\r\x1b]", result.stderr)
    assert result.stdout.startswith("built ")


def test_progress_on_a_terminal_redraws_one_line(tmp_path: Path):
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            _build_command("--out", str(tmp_path)), stderr=terminal, stdout=subprocess.DEVNULL
        )
        os.close(terminal)
        output = b""
        while chunk := _read_pty(controller):
            output += chunk
        assert process.wait(timeout=120) == 0
    finally:
        os.close(controller)
    text = output.decode()
    assert "\r\x1b[K[3/5] geocoding" in text
    lines = [line for line in text.split("\n") if line.strip()]
    steps = [line for line in lines if "warning: " not in line]  # notices get their own lines
    assert len(steps) == 5  # one line per step, the counts redrawn in place


def _read_pty(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 4096)
    except OSError:  # EIO: the child closed the terminal
        return b""


def test_quiet_prints_nothing_but_builds(tmp_path: Path):
    result = subprocess.run(
        _build_command("--quiet", "--out", str(tmp_path)), capture_output=True, timeout=120
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert verify_outputs(tmp_path) == []


def test_ctrl_c_exits_130_with_one_line_and_changes_nothing(tmp_path: Path, write_catalogue):
    """A real SIGINT while the gazetteer index is being built (an empty cache forces it)."""
    out = tmp_path / "out"
    catalogue = write_catalogue([site_entry()])
    build(out, catalogue_path=catalogue, seeds_dir=SEEDS)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    environment = {**os.environ, "CORRIDOR_ATLAS_CACHE": str(tmp_path / "empty-cache")}
    process = subprocess.Popen(
        _build_command("--out", str(out)),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        # A shell running us in the background may have told children to ignore SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    started = [process.stderr.readline(), process.stderr.readline()]
    assert started[1] == "[2/5] loading the gazetteer (building its index, once) …\n", started
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert [line for line in stderr.splitlines() if not line.startswith("[")] == [
        "interrupted: outputs left unchanged"
    ]
    assert stdout == ""
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert not list((tmp_path / "empty-cache").glob("*.pickle"))


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        ("file", "{tmp}/file: Not a directory"),  # --out names a file
        ("file/out", "{tmp}/file/out: Not a directory"),  # under a file
        ("/proc/corridor-atlas", "/proc/corridor-atlas: No such file or directory"),
        ("/sys/kernel", "/sys/kernel/.build.lock: Permission denied"),  # unwritable, even by root
    ],
)
def test_an_output_directory_the_os_refuses_is_one_line(tmp_path: Path, out: str, problem: str):
    (tmp_path / "file").write_text("not a directory")
    result = run_cli("build", "-q", "--out", str(tmp_path / out))
    assert result.returncode == 1
    assert result.stderr == f"error: {problem.format(tmp=tmp_path)}\n"
    assert (tmp_path / "file").read_text() == "not a directory"


def test_a_missing_catalogue_is_one_line(tmp_path: Path):
    result = run_cli(
        "build", "-q", "--catalogue", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {tmp_path / 'nope.yaml'}: cannot read the catalogue: No such file or directory\n"
    )
    assert not any((tmp_path / name).exists() for name in ALL_FILES)
