"""The ``.gz`` and ``.br`` copies beside published files (``webapp.publish.compress``)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import brotli
import pytest

from webapp.publish.compress import MIN_BYTES, compressible, gzipped, write_compressed

TEXT = ("<p>Bekabad industrial park, Tashkent region</p>\n" * 200).encode()


def test_both_copies_decompress_to_the_file(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    written = write_compressed(page, TEXT)
    gz, br = (tmp_path / "page.html.gz").read_bytes(), (tmp_path / "page.html.br").read_bytes()
    assert gzip.decompress(gz) == TEXT and brotli.decompress(br) == TEXT
    assert written == len(gz) + len(br) and len(br) < len(gz) < len(TEXT)


def test_gzip_is_reproducible_with_no_name_and_no_time():
    first = gzipped(TEXT)
    assert first == gzipped(TEXT)
    assert first[4:8] == b"\0\0\0\0"  # MTIME
    assert not first[3] & 0x08  # FLG.FNAME unset


def test_small_or_incompressible_files_get_no_copy(tmp_path: Path):
    small = tmp_path / "small.json"
    assert write_compressed(small, b"{}" * (MIN_BYTES // 4)) == 0
    assert not (tmp_path / "small.json.gz").exists()
    noise = random.Random(15).randbytes(4096)  # no compressor makes it smaller
    assert write_compressed(tmp_path / "noise.txt", noise) == 0
    assert not (tmp_path / "noise.txt.gz").exists() and not (tmp_path / "noise.txt.br").exists()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", True),
        ("data/atlas.geojson", True),
        ("data/atlas.csv", True),
        ("data/atlas.kml", True),
        ("static/map.bundle.js", True),
        ("ogc/collections/sites/items.json", True),
        ("data/atlas.gpkg", False),
        ("previews/atlas.png", False),
        ("features/a.b/c", False),
    ],
)
def test_what_is_compressible(path: str, expected: bool):
    assert compressible(path) is expected
