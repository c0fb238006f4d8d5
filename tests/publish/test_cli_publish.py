"""``corridor-atlas publish DIR``: run as a reader runs it, a separate process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _publish(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "publish", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_publish_writes_the_site_and_says_what_it_wrote(tmp_path: Path, built_data_dir: Path):
    site = tmp_path / "site"
    done = _publish(
        str(site), "--data-dir", str(built_data_dir), "--public-url", "https://a.example/atlas/"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("published ") and f"into {site}" in done.stdout
    assert (site / "index.html").is_file() and (site / "ru/index.html").is_file()
    # absolute links (hreflang, share cards) start with the public URL, given without its slash
    page = (site / "features.html").read_text(encoding="utf-8")
    assert 'hreflang="ru" href="https://a.example/atlas/ru/features.html"' in page
    card = (site / "features/bekabad-industrial-park.html").read_text(encoding="utf-8")
    assert 'content="https://a.example/atlas/features/bekabad-industrial-park.html"' in card


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--live-api", "ftp://live.example"], "--live-api must start with http:// or https://"),
        (["--public-url", "atlas.example"], "--public-url must start with http:// or https://"),
        (["--data-dir", "/nonexistent/build"], "/nonexistent/build"),
    ],
)
def test_bad_options_are_one_line_errors_and_write_nothing(tmp_path: Path, args, message):
    site = tmp_path / "site"
    done = _publish(str(site), *args)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
