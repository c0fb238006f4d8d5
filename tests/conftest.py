"""Shared fixtures: one real build of the seed catalogue per test session, and the app over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.previews import preview_style
from geodata.build import build
from tests.support.samples import features_of
from webapp.serving_index import serving_files


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the outputs built from the real catalogue and seeds."""
    out_dir = tmp_path_factory.mktemp("geodata")
    # As `corridor-atlas build`: with the share cards and the serving index.
    build(out_dir, previews=preview_style(), serving=serving_files)
    return out_dir


@pytest.fixture
def app(built_data_dir: Path):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def features(built_data_dir: Path) -> list[dict]:
    """The built atlas's features, parsed afresh for each module (some modules change them)."""
    return features_of(built_data_dir)


@pytest.fixture(scope="module")
def openapi(app) -> dict:
    """The OpenAPI document; needs a module-scoped ``app`` (the API modules define one)."""
    return app.test_client().get("/api/openapi.json").json


@pytest.fixture
def write_catalogue(tmp_path: Path):
    """Write a catalogue YAML built from Python data; returns its path."""
    import yaml

    def write(entries: list[dict], not_mapped: list[dict] | None = None) -> Path:
        path = tmp_path / "catalogue.yaml"
        document = {"entries": entries, "not_mapped": not_mapped or []}
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return path

    return write
