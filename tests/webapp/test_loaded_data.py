"""The set of files a server loads: one whole build, checked against its manifest, copied so
that nothing done to the files afterwards changes what the server sends."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from geodata.outputs import MANIFEST, verify_outputs
from webapp import create_app
from webapp.model.atlas import AtlasDataError

PATHS = (
    "/data/atlas.geojson",
    "/data/sites.geojson",
    "/data/corridors.csv",
    "/api/features?kind=site",
    "/ogc/collections/corridors/items",
    "/features/bekabad-industrial-park",
)


@pytest.fixture
def data_dir(built_data_dir: Path, tmp_path: Path) -> Path:
    copied = Path(shutil.copytree(built_data_dir, tmp_path / "data"))
    assert verify_outputs(copied) == []
    return copied


@pytest.mark.parametrize("eager", [4 * 1024 * 1024, 0], ids=["in-memory", "on-disk"])
def test_files_truncated_or_rewritten_in_place_change_nothing_served(data_dir: Path, eager: int):
    app = create_app(
        {"TESTING": True, "DATA_DIR": data_dir, "LIMITS": {"eager_download_bytes": eager}}
    )
    client = app.test_client()
    before = {path: client.get(path).data for path in PATHS}
    assert client.get("/healthz").json["data_on_disk"] == "current"
    original = (data_dir / "atlas.geojson").read_bytes()
    with open(data_dir / "atlas.geojson", "r+b") as handle:  # in place: the same inode
        handle.truncate(len(original) // 2)
    with open(data_dir / "sites.geojson", "r+b") as handle:
        handle.write(b"garbage" * 100)
    (data_dir / "corridors.geojson").write_bytes(b"")
    app.wsgi_app.clear()  # no replayed answers: every view runs again
    for path, body in before.items():
        response = client.get(path)
        assert response.status_code == 200 and response.data == body, path
        if path.endswith(".geojson") or path.startswith(("/api", "/ogc")):
            json.loads(response.data)
    assert client.get("/healthz").json["data_on_disk"] == "changed"
    (data_dir / "atlas.geojson").write_bytes(original)
    assert client.get("/data/atlas.geojson").data == before["/data/atlas.geojson"]


def test_a_mixed_set_is_refused_naming_the_file(data_dir: Path, tmp_path: Path):
    sources = data_dir / "sources.json"
    document = json.loads(sources.read_bytes())
    sources.write_text(json.dumps(document, indent=2), encoding="utf-8")  # another build's
    with pytest.raises(AtlasDataError, match=r"sources\.json is not the file manifest\.json lists"):
        create_app({"DATA_DIR": data_dir})


def test_a_damaged_manifest_is_refused(data_dir: Path):
    (data_dir / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(AtlasDataError, match=r"manifest\.json: not a build manifest"):
        create_app({"DATA_DIR": data_dir})


def test_a_set_without_a_manifest_is_loaded_as_it_is(data_dir: Path):
    (data_dir / MANIFEST).unlink()
    client = create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()
    assert client.get("/healthz").json["data_on_disk"] == "current"
    os.utime(data_dir / "atlas.geojson", (1, 1))
    assert client.get("/healthz").json["data_on_disk"] == "changed"


def test_the_build_time_is_the_manifests(data_dir: Path):
    os.utime(data_dir / "atlas.geojson", (1, 1))  # a checkout or a copy changes the mtime
    client = create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()
    manifest = json.loads((data_dir / MANIFEST).read_bytes())
    assert client.get("/healthz").json["built_at"].replace("+00:00", "Z") == manifest["built_at"]
