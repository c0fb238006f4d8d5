"""The serving index (webapp.model.serving): written by the build with the other outputs, checked
by ``build --check``, read at start, and never trusted when it is not bound to the files and
code the server runs (then the server computes what it holds and says so in the log)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from geodata.build import build, check
from geodata.outputs import MANIFEST, read_manifest, verify_outputs
from webapp import create_app
from webapp.model.atlas import AtlasDataError
from webapp.model.serving import ARRAYS, FORMAT, INDEX
from webapp.serving_index import serving_files

#: Answers that every part computes from what the index holds: the API (filters, text ranking,
#: as_of, bbox), the table (sorts, search), feature pages, the map's feed.
PATHS = [
    "/api/features",
    "/api/features?q=bekabad",
    "/api/features?q=Ташкент&kind=site",
    "/api/features?as_of=2020-01-01",
    "/api/features?bbox=60,30,80,50",
    "/api/features?near=41.3,69.3&radius_km=300",
    "/features",
    "/features?q=tashkent",
    "/features?sort=status&order=desc",
    "/features?sort=countries",
    "/features?sort=length&order=desc",
    "/features/bekabad-industrial-park",
    "/sources",
    "/sources/000_671c4ac208bcfce0",
    "/assets/map/features.json",
    "/data/atlas.gpkg",
    "/healthz",
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed atlas built as ``corridor-atlas build`` builds it: with the serving index."""
    out_dir = tmp_path_factory.mktemp("indexed")
    build(out_dir, serving=serving_files)
    return out_dir


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".build.lock"))
    return target


def _answers(data_dir: Path) -> dict[str, tuple[int, bytes]]:
    client = create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()
    return {path: (r.status_code, r.data) for path in PATHS if (r := client.get(path))}


def test_the_build_publishes_the_index_listed_in_its_manifest(indexed: Path) -> None:
    listed = read_manifest(indexed).files
    assert INDEX in listed and ARRAYS in listed
    assert verify_outputs(indexed) == []
    document = json.loads((indexed / INDEX).read_bytes())
    assert document["files"]["atlas.geojson"] == listed["atlas.geojson"].sha256


def test_the_index_is_made_again_byte_for_byte(indexed: Path) -> None:
    files = {name: (indexed / name).read_bytes() for name in read_manifest(indexed).files}
    again = serving_files(files)
    assert again == {INDEX: files[INDEX], ARRAYS: files[ARRAYS]}


def test_build_check_finds_a_stale_index(indexed: Path, tmp_path: Path) -> None:
    data_dir = _copy(indexed, tmp_path / "data")
    assert check(data_dir, serving=serving_files) == []
    arrays = bytearray((data_dir / ARRAYS).read_bytes())
    arrays[-1] ^= 0xFF
    (data_dir / ARRAYS).write_bytes(bytes(arrays))
    problems = check(data_dir, serving=serving_files)
    assert f"{data_dir / ARRAYS}: differs from a fresh build" in problems
    assert f"{data_dir / ARRAYS}: its SHA-256 does not match {MANIFEST}" in problems


def test_a_build_without_the_index_removes_an_old_one(indexed: Path, tmp_path: Path) -> None:
    data_dir = _copy(indexed, tmp_path / "data")
    build(data_dir)
    assert not (data_dir / INDEX).exists() and not (data_dir / ARRAYS).exists()
    assert verify_outputs(data_dir) == []


def test_the_app_answers_the_same_with_and_without_the_index(
    indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bare = _copy(indexed, tmp_path / "bare")
    shutil.rmtree(bare / "serving")
    with caplog.at_level(logging.WARNING, logger="webapp"):
        with_index = _answers(indexed)
        assert not caplog.records  # the index was used, nothing to say
        without = _answers(bare)
    assert [r.getMessage() for r in caplog.records] == [
        f"{bare / INDEX}: no serving index; computing it from the features"
    ]
    assert {path: status for path, (status, _) in with_index.items()} == dict.fromkeys(PATHS, 200)
    for path in PATHS:
        if path != "/healthz":  # it says when the server started
            assert with_index[path] == without[path], path


def test_the_app_uses_a_bound_index_and_serves_the_built_geopackage(indexed: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": indexed})
    atlas = app.extensions["corridor_atlas"].atlas
    assert atlas.prepared is not None
    assert app.extensions["corridor_atlas"].parts["pages"] is atlas.prepared.table
    download = app.test_client().get("/data/atlas.gpkg")
    assert download.data == (indexed / "atlas.gpkg").read_bytes()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda d: d["files"].update({"atlas.geojson": "0" * 64}),
            "made for another atlas.geojson",
        ),
        (lambda d: d.update(code="0" * 64), "made by another version of the code"),
        (
            lambda d: d["files"].update({"sources.json": "0" * 64}),
            "made for another sources.json",
        ),
        (lambda d: d.update(format=0), f"format 0, not {FORMAT}"),
        (lambda d: d["trees"]["store"].update({"$object": "os.system"}), "unreadable"),
    ],
    ids=["other atlas", "other code", "other sources", "other format", "hostile class"],
)
def test_a_mismatched_index_is_not_used(
    indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, change, said: str
) -> None:
    data_dir = _copy(indexed, tmp_path / "data")
    (data_dir / MANIFEST).unlink()  # a directory made by hand: only the binding vouches
    document = json.loads((data_dir / INDEX).read_bytes())
    change(document)
    (data_dir / INDEX).write_text(json.dumps(document), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="webapp"):
        app = create_app({"TESTING": True, "DATA_DIR": data_dir})
    assert app.extensions["corridor_atlas"].atlas.prepared is None
    assert said in caplog.text and str(data_dir / INDEX) in caplog.text
    assert app.test_client().get("/api/features?q=bekabad").json["numberMatched"] >= 1


def test_an_index_the_manifest_does_not_list_so_is_not_used(
    indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = _copy(indexed, tmp_path / "data")
    arrays = bytearray((data_dir / ARRAYS).read_bytes())
    arrays[len(arrays) // 2] ^= 0xFF  # damaged in place: same size, other bytes
    (data_dir / ARRAYS).write_bytes(bytes(arrays))
    with caplog.at_level(logging.WARNING, logger="webapp"):
        app = create_app({"TESTING": True, "DATA_DIR": data_dir})
    assert app.extensions["corridor_atlas"].atlas.prepared is None
    assert f"{data_dir / ARRAYS} is not the file {MANIFEST} lists" in caplog.text


def test_a_corrupt_atlas_still_stops_the_server_naming_the_file(
    indexed: Path, tmp_path: Path
) -> None:
    data_dir = _copy(indexed, tmp_path / "data")
    (data_dir / MANIFEST).unlink()
    raw = (data_dir / "atlas.geojson").read_bytes()
    (data_dir / "atlas.geojson").write_bytes(raw.replace(b'"kind":"site"', b'"kind":"shop"', 1))
    with pytest.raises(AtlasDataError, match=r"atlas\.geojson, feature \d+ .* data contract"):
        create_app({"TESTING": True, "DATA_DIR": data_dir})
