"""Benchmark 7's short version (``python -m bench.run --only 7`` is the long one).

The benchmark asks nginx for pages and downloads of the published site by name; a rename in the
publish would otherwise surface only in ``make bench``. Here the seed atlas, published once per
session and served by nginx (no Python serving), answers every one of those names with what
the app answers for the same URL, and with fewer bytes to a browser asking for gzip. The load
runs themselves need wrk, which ``make bench`` installs and ``make test`` does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import publishing
from bench.tools import Load
from tests.support.static_site import published_site, serving_static


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Path:
    return published_site(tmp_path_factory.mktemp("published"), data_dir=built_data_dir)


def _ids(collection: dict) -> list[str]:
    return sorted(str(feature["id"]) for feature in collection["features"])


def test_the_site_answers_every_path_the_benchmark_asks_for_as_the_app_does(
    site: Path, built_data_dir: Path, client
) -> None:
    asked = publishing.paths(built_data_dir)
    assert len(asked) == 6
    with serving_static(site) as base:
        bodies = {path: publishing._body(base.rstrip("/") + name) for path, name in asked.items()}
    for path, body in bodies.items():
        answer = client.get(path)
        assert answer.status_code == 200, path
        if path.startswith("/data/"):
            assert body == answer.data, path
        elif path.startswith("/ogc/"):
            published, app = json.loads(body), client.get(path + "?limit=1000").json
            assert published["numberMatched"] == app["numberMatched"]
            assert _ids(published) == _ids(app)
        else:
            assert body.lstrip().lower().startswith(b"<!doctype html"), path
            assert b'lang="en"' in body[:400], path


def test_browsers_asking_for_gzip_get_fewer_bytes(site: Path, built_data_dir: Path) -> None:
    sizes = publishing.bytes_sent(site, built_data_dir)
    for path, sent in sizes.items():
        assert 0 < sent["gzip"] < sent["identity"], (path, sent)
    rows = publishing.size_rows(sizes)
    assert {row.what for row in rows} >= {f"published site: {p}, bytes sent (gzip)" for p in sizes}
    files, on_disk, compressed = publishing.site_size(site)
    assert files > len(sizes) and 0 < compressed < on_disk


@pytest.mark.parametrize(("published", "met"), [(9_500, True), (9_000, True), (8_000, False)])
def test_the_target_is_nine_tenths_of_nginx_serving_the_same_bytes(published, met) -> None:
    measured = {
        "/": {
            "published": Load(published, 20.0, 0),
            "nginx": Load(10_000, 18.0, 0),
            "app": Load(4_000, 60.0, 0),
        }
    }
    rows = publishing.serving_rows(measured)
    targeted = [row for row in rows if row.met is not None]
    assert [row.what for row in targeted] == ["published site via nginx: /, requests/s"]
    assert targeted[0].met is met
    assert rows[2].reference_value == published  # the app stands beside the published site
