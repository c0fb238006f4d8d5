"""Map pages kept between starts (webapp.map.pagecache): a second app over the same build reads
the pages the first rendered, byte for byte, without rendering; anything a page is made from
(the build, the language, the features drawn inline, the code) makes it render again."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import create_app
from webapp.i18n import LANGUAGES
from webapp.map import page, pagecache
from webapp.map.pagecache import KEPT, PageCache

RENDERS = "webapp.map.page.render_page"
#: The id folium gives an element (a random UUID's hex digits), as it appears in the page.
ELEMENT_ID = re.compile(rb"_[0-9a-f]{32}(?![0-9a-f])")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory, the one every app made in the test uses."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(directory))
    return directory / "pages"


def _pages(data_dir: Path, **limits: int) -> dict[str, bytes]:
    client = create_app({"TESTING": True, "DATA_DIR": data_dir, "LIMITS": limits}).test_client()
    return {language: client.get(f"/?lang={language}").data for language in LANGUAGES}


def _counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    render = page.render_page

    def counted(*args: object, **kwargs: object) -> str:
        calls.append(1)
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RENDERS, counted)
    return calls


def test_a_second_start_reads_the_pages_the_first_rendered(
    built_data_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = _counting_renders(monkeypatch)
    first = _pages(built_data_dir)
    assert len(renders) == len(LANGUAGES)
    assert len(list(cache_dir.glob("*.html"))) == len(LANGUAGES)

    again = _pages(built_data_dir)
    assert len(renders) == len(LANGUAGES), "the second app rendered again"
    assert again == first
    assert b"Bekabad" in first["en"]


def test_a_kept_page_is_the_page_a_render_makes(
    built_data_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, but for the ids folium draws at random for its elements each render."""
    kept = _pages(built_data_dir)
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(cache_dir.parent.parent / "other"))
    rendered = _pages(built_data_dir)
    for language in LANGUAGES:
        assert ELEMENT_ID.sub(b"id", rendered[language]) == ELEMENT_ID.sub(b"id", kept[language])


def test_each_input_of_a_page_has_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    base = PageCache.key("build-a", "en", 1000)
    assert base == PageCache.key("build-a", "en", 1000)
    others = {
        PageCache.key("build-b", "en", 1000),
        PageCache.key("build-a", "ru", 1000),
        PageCache.key("build-a", "en", 10),
    }
    monkeypatch.setattr(pagecache, "code_fingerprint", lambda: "other code")
    others.add(PageCache.key("build-a", "en", 1000))
    assert base not in others and len(others) == 4


def test_the_fingerprint_covers_templates_scripts_and_translations(tmp_path: Path) -> None:
    """A file read while rendering, whatever its kind, changes the code's fingerprint: here
    the fingerprint is taken by a fresh process over a copy of the packages."""
    root = Path(pagecache.__file__).resolve().parents[2]

    def fingerprint(packages: Path) -> str:
        code = "from webapp.map.pagecache import code_fingerprint; print(code_fingerprint())"
        env = {**os.environ, "PYTHONPATH": str(packages)}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=packages, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    packages = tmp_path / "packages"
    for name in ("webapp", "geodata"):
        shutil.copytree(root / name, packages / name, ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprint(packages)
    assert before == pagecache.code_fingerprint()
    seen = {before}
    for changed in ("static/map.js", "templates/base.html", "map/elements.py"):
        path = packages / "webapp" / changed
        path.write_bytes(path.read_bytes() + b"\n")
        seen.add(fingerprint(packages))
    catalogues = sorted((packages / "webapp" / "translations").rglob("*.mo"))
    assert catalogues, "no compiled translations to change"
    catalogues[0].write_bytes(catalogues[0].read_bytes() + b"\0")
    seen.add(fingerprint(packages))
    assert len(seen) == 5


def test_another_build_renders_its_own_pages(
    built_data_dir: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _pages(built_data_dir)
    other = tmp_path / "other"
    shutil.copytree(built_data_dir, other, ignore=shutil.ignore_patterns(".build.lock"))
    sources = other / "sources.json"
    document = json.loads(sources.read_text(encoding="utf-8"))
    (other / "manifest.json").unlink()  # the build's manifest would refuse the edit
    document["seeds"][0]["title"] = "A title only this build has"
    sources.write_text(json.dumps(document), encoding="utf-8")

    renders = _counting_renders(monkeypatch)
    assert _pages(other) != first
    assert len(renders) == len(LANGUAGES)
    assert len(list(cache_dir.glob("*.html"))) == 2 * len(LANGUAGES)


def test_the_features_drawn_inline_are_part_of_the_key(
    built_data_dir: Path, cache_dir: Path
) -> None:
    inline = _pages(built_data_dir)
    by_url = _pages(built_data_dir, map_inline_features=1)
    assert inline["en"] != by_url["en"]
    assert b"/assets/map/features.json" in by_url["en"]


def test_a_cache_that_cannot_be_written_only_costs_the_render(
    built_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(blocked))
    renders = _counting_renders(monkeypatch)
    pages = _pages(built_data_dir)
    assert b"Bekabad" in pages["en"]
    assert len(renders) == len(LANGUAGES)


def test_only_the_most_recent_pages_are_kept(tmp_path: Path) -> None:
    pages = PageCache(tmp_path)
    for number in range(KEPT + 5):
        path = tmp_path / f"{number:064x}.html"
        path.write_text("old")
        os.utime(path, (number, number))
    pages.get_or_render("new", lambda: "new page")
    kept = {p.name for p in tmp_path.glob("*.html")}
    assert len(kept) == KEPT
    assert "new.html" in kept
    assert f"{0:064x}.html" not in kept and f"{KEPT + 4:064x}.html" in kept
