"""The offline layer's city names are made once per machine and read from the cache after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp.map import basemaps


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(tmp_path))
    basemaps.city_labels.cache_clear()
    yield tmp_path
    basemaps.city_labels.cache_clear()


def test_city_names_are_made_once_then_read_from_the_cache(cache_dir: Path, monkeypatch) -> None:
    made = basemaps.city_labels()
    cached = basemaps.city_labels_cache()
    assert cached.parent == cache_dir and cached.read_bytes() == made
    names = {f["properties"]["name"] for f in json.loads(made)["features"]}
    assert {"Tashkent", "Astana", "Bishkek"} <= names
    basemaps.city_labels.cache_clear()
    monkeypatch.setattr(basemaps, "make_city_labels", lambda: pytest.fail("made again"))
    assert basemaps.city_labels() == made


def test_a_cache_that_cannot_be_written_costs_only_speed(tmp_path: Path, monkeypatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(blocked))
    basemaps.city_labels.cache_clear()
    try:
        assert basemaps.city_labels() == basemaps.make_city_labels()
    finally:
        basemaps.city_labels.cache_clear()


def test_the_cache_is_named_for_the_code_that_made_it(cache_dir: Path, monkeypatch) -> None:
    before = basemaps.city_labels_cache()
    source = cache_dir / "basemaps.py"
    source.write_text(Path(basemaps.__file__).read_text() + "\n# changed\n")
    monkeypatch.setattr(basemaps, "__file__", str(source))
    assert basemaps.city_labels_cache() != before
