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


_DAM = {"name": "Dam", "lat": 41.77, "lon": 73.44, "reference": "a survey map of the dam"}
_REFERENCE = "Russian Wikipedia, article on the park"


@pytest.mark.parametrize(
    ("names", "field", "message"),
    [
        ({"ru": "Бекабадский индустриальный парк"}, "names.ru", "a name needs a reference"),
        ({"ru": {"name": "Бекабад"}}, "names.ru.reference", "needs a reference a reader can"),
        ({"ru": {"name": "Бекабад", "reference": "wiki"}}, "names.ru.reference", "at least 10"),
        ({"fr": {"name": "Bekabad", "reference": _REFERENCE}}, "names.fr", "use ru, uz, kk"),
        ({"kk": {"name": "Bekabad", "reference": _REFERENCE}}, "names.kk.name", "in Cyrillic"),
        ({"uz": {"name": "Бекобод", "reference": _REFERENCE}}, "names.uz.name", "Latin script"),
        ({"ru": {"name": " ", "reference": _REFERENCE}}, "names.ru.name", "at least 1"),
    ],
)
def test_a_bad_names_entry_is_named(write_catalogue, names, field, message):
    path = write_catalogue([site_entry(names=names)])
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    text = str(raised.value)
    assert f"{path}: entry 'bekabad-industrial-park', field {field!r}" in text
    assert message in text


def test_a_curated_place_name_needs_a_reference(write_catalogue):
    location = {**_DAM, "names": {"ru": {"name": "Плотина"}}}
    path = write_catalogue([site_entry(location=location)])
    with pytest.raises(CatalogueError, match=r"field 'location\.names\.ru\.reference'"):
        load_catalogue(path)


def test_names_with_references_load(write_catalogue):
    names = {
        "ru": {"name": "Бекабад", "reference": _REFERENCE},
        "uz": {"name": "Bekobod", "reference": _REFERENCE},
    }
    location = {**_DAM, "names": {"kk": {"name": "Бөгет", "reference": _REFERENCE}}}
    entry = load_catalogue(write_catalogue([site_entry(names=names, location=location)])).entries[0]
    assert {language: name.name for language, name in entry.names.items()} == {
        "ru": "Бекабад",
        "uz": "Bekobod",
    }
    assert entry.location.names["kk"].reference == _REFERENCE


def test_an_entry_without_names_dumps_none(write_catalogue):
    """Accepting an entry writes its model_dump without None: no empty ``names`` appears."""
    entry = load_catalogue(write_catalogue([site_entry()])).entries[0]
    assert "names" not in entry.model_dump(mode="json", exclude_none=True)
