"""Catalogue validation: every problem is reported with file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata import DEFAULT_CATALOGUE
from geodata.catalogue import load_catalogue
from geodata.errors import CatalogueError
from tests.support.samples import corridor_entry, site_entry


def test_the_real_catalogue_loads():
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    assert len(catalogue.entries) >= 19
    assert catalogue.not_mapped


def test_a_valid_entry_loads(write_catalogue):
    catalogue = load_catalogue(write_catalogue([site_entry(), corridor_entry()]))
    assert [entry.id for entry in catalogue.entries] == ["bekabad-industrial-park", "test-corridor"]


def _without(entry: dict, field: str) -> dict:
    return {key: value for key, value in entry.items() if key != field}


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (_without(site_entry(), "name"), "name", "Field required"),
        (site_entry(id="Bekabad Park"), "id", "should match pattern"),
        (site_entry(kind="place"), "kind", "'corridor' or 'site'"),
        (site_entry(category="shopping mall"), "category", "not a site category"),
        (corridor_entry(category="industrial park"), "category", "not a corridor category"),
        (site_entry(countries=["XX"]), "countries[0]", "unknown country 'XX'"),
        (site_entry(countries=[]), "countries", "at least 1 item"),
        (site_entry(status={"stage": "rumoured"}), "status.stage", "Input should be"),
        (site_entry(sources=[]), "sources", "at least 1 item"),
        (site_entry(sources=[{"seed": "000.txt"}]), "sources[0].quote", "Field required"),
        (site_entry(location={"place": "Bekabad", "country": "XX"}), "location.country", "XX"),
        (
            site_entry(location={"name": "Dam", "lat": 95, "lon": 70, "reference": "a survey map"}),
            "location.lat",
            "less than or equal to 90",
        ),
        (
            site_entry(location={"name": "Dam", "lat": 40, "lon": 70}),
            "location.reference",
            "Field required",
        ),
        (_without(site_entry(), "location"), "location", "a site needs a location"),
        (_without(corridor_entry(), "route"), "route", "a corridor needs a route"),
        (corridor_entry(route=[{"place": "Tashkent", "country": "UZ"}]), "route", "at least 2"),
        (site_entry(colour="red"), "colour", "Extra inputs are not permitted"),
        (
            site_entry(figures=[{"label": "area", "value": "big", "unit": "ha", "quote": "x"}]),
            "figures[0].value",
            "valid number",
        ),
    ],
)
def test_problems_name_file_entry_and_field(write_catalogue, entry, field, message):
    path = write_catalogue([entry])
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    text = str(raised.value)
    assert str(path) in text
    assert f"entry {entry.get('id', '#1')!r}" in text or f"entry {entry.get('name')!r}" in text
    assert f"field {field!r}" in text
    assert message in text


def test_every_problem_is_reported_at_once(write_catalogue):
    path = write_catalogue([site_entry(kind="place"), corridor_entry(countries=["XX"])])
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    assert len(raised.value.problems) == 2


def test_duplicate_ids_are_refused(write_catalogue):
    with pytest.raises(CatalogueError, match="field 'id': duplicate id"):
        load_catalogue(write_catalogue([site_entry(), site_entry()]))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("entries: [\n  - id: x\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping with an 'entries' list"),
        ("entries: []\nextras: 1\n", "unknown section 'extras'"),
    ],
)
def test_malformed_files_are_named(tmp_path: Path, content, message):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(CatalogueError, match=message) as raised:
        load_catalogue(path)
    assert str(path) in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path):
    with pytest.raises(CatalogueError, match="cannot read the catalogue"):
        load_catalogue(tmp_path / "absent.yaml")
