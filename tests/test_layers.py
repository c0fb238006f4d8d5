"""The pipeline and the web app stay apart: geodata never imports Flask, webapp never geocodes."""

from __future__ import annotations

import subprocess
import sys

import pytest

PIPELINE = ["geodata", "geodata.build", "geodata.geocoding", "geodata.gazetteer", "geodata.geojson"]


def _modules_after(code: str) -> set[str]:
    code += "\nimport sys; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", PIPELINE)
def test_the_pipeline_does_not_import_flask(module):
    assert "flask" not in _modules_after(f"import {module}")


def test_the_web_app_does_not_load_the_geocoders():
    loaded = _modules_after("from webapp import create_app; create_app()")
    assert "flask" in loaded
    assert not {"geodata.gazetteer", "geodata.geocoding", "geopy.geocoders"} & loaded
