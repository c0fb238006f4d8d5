"""The set of files a server loads: one whole build, checked against its manifest, copied so
that nothing done to the files afterwards changes what the server sends, and not hashed again
while unchanged since the last load."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from geodata.outputs import MANIFEST, verify_outputs
from webapp import create_app
from webapp.model import digests
from webapp.model.atlas import AtlasDataError
from webapp.model.digests import DigestMemo, identity

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


@pytest.fixture
def memo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache directory the digests are remembered in, taking the files copied just now."""
    monkeypatch.setenv("CORRIDOR_ATLAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(digests, "RACY_SECONDS", 0.0)
    return tmp_path / "cache"


def _remembered(memo_dir: Path) -> dict[str, str]:
    return json.loads((memo_dir / "digests.json").read_bytes())["digests"]


def test_a_file_loaded_before_and_unchanged_since_is_not_hashed_again(
    data_dir: Path, memo_dir: Path
):
    create_app({"DATA_DIR": data_dir})
    remembered = _remembered(memo_dir)
    for name in ("atlas.geojson", "corridors.geojson", "sites.geojson", "serving/arrays.bin"):
        path = data_dir / name
        assert remembered[identity(path.stat())] == hashlib.sha256(path.read_bytes()).hexdigest()
    # What is remembered of a file is taken for its digest: a wrong one makes the set mixed.
    remembered[identity((data_dir / "sites.geojson").stat())] = "0" * 64
    document = {"format": digests.FORMAT, "digests": remembered}
    (memo_dir / "digests.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(
        AtlasDataError, match=r"sites\.geojson is not the file manifest\.json lists"
    ):
        create_app({"DATA_DIR": data_dir})


def test_a_file_rewritten_in_place_with_its_times_put_back_is_hashed_again(
    data_dir: Path, memo_dir: Path
):
    create_app({"DATA_DIR": data_dir})
    path = data_dir / "sites.geojson"
    before, original = path.stat(), path.read_bytes()
    changed = original.replace(b"Bekabad", b"Bekabat", 1)
    assert len(changed) == len(original) and changed != original
    time.sleep(0.05)  # past the file system clock's tick
    with open(path, "r+b") as handle:
        handle.write(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(
        AtlasDataError, match=r"sites\.geojson is not the file manifest\.json lists"
    ):
        create_app({"DATA_DIR": data_dir})


def test_a_file_changed_just_before_it_was_hashed_is_not_remembered(tmp_path: Path):
    path = tmp_path / "file"
    path.write_bytes(b"bytes")
    status, memo = path.stat(), DigestMemo(tmp_path / "digests.json")
    memo.remember(status, "a" * 64, hashed_at=time.time())
    assert memo.known(status) is None
    memo.remember(status, "a" * 64, hashed_at=status.st_ctime_ns / 1e9 + digests.RACY_SECONDS)
    assert memo.known(status) == "a" * 64


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"format": 1, "digests": [1]}', b'{"format": 0, "digests": {}}'],
)
def test_a_damaged_memo_only_costs_the_hashing(data_dir: Path, memo_dir: Path, content: bytes):
    memo_dir.mkdir()
    (memo_dir / "digests.json").write_bytes(content)
    client = create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()
    assert client.get("/data/atlas.geojson").data == (data_dir / "atlas.geojson").read_bytes()
    path = data_dir / "atlas.geojson"
    assert (
        _remembered(memo_dir)[identity(path.stat())]
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
