"""Quote verification against the seed articles."""

from __future__ import annotations

import pytest

from geodata import DEFAULT_CATALOGUE, DEFAULT_SEEDS_DIR
from geodata.catalogue import load_catalogue
from geodata.errors import CatalogueError
from geodata.sources import SeedLibrary, verify_quotes
from tests.support.samples import SEED_000, site_entry


@pytest.fixture(scope="module")
def library() -> SeedLibrary:
    return SeedLibrary.from_directory(DEFAULT_SEEDS_DIR)


def test_every_quote_of_the_real_catalogue_is_in_its_seed(library):
    verify_quotes(load_catalogue(DEFAULT_CATALOGUE), library, DEFAULT_CATALOGUE)


def test_seeds_are_the_five_articles(library):
    assert sorted(library.texts) == [
        "000_671c4ac208bcfce0.txt",
        "001_b4e6c703c5a7dd84.txt",
        "002_9f4c402e24e736ce.txt",
        "003_26f6919544f59e0e.txt",
        "004_c29f196579ce70c1.txt",
    ]


def test_whitespace_differences_are_tolerated(library, write_catalogue):
    quote = "Bashkortostan   is planning\nan industrial park   in Bekabad"
    path = write_catalogue([site_entry(sources=[{"seed": SEED_000, "quote": quote}])])
    verify_quotes(load_catalogue(path), library, path)


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        (
            {"seed": SEED_000, "quote": "Bashkortostan is planning a theme park in Bekabad"},
            "sources[0].quote",
            "the seed has its start up to 'Bashkortostan is planning'",
        ),
        (
            # Typographic apostrophes are text, not whitespace: this one is curly in the seed.
            {"seed": SEED_000, "quote": "Russia's Omsk region"},
            "sources[0].quote",
            "not found verbatim",
        ),
        (
            {"seed": "999_missing.txt", "quote": "Bashkortostan is planning"},
            "sources[0].seed",
            "unknown seed '999_missing.txt'",
        ),
    ],
)
def test_a_bad_quote_names_entry_and_field(library, write_catalogue, source, field, message):
    path = write_catalogue([site_entry(sources=[source])])
    with pytest.raises(CatalogueError) as raised:
        verify_quotes(load_catalogue(path), library, path)
    text = str(raised.value)
    assert f"{path}: entry 'bekabad-industrial-park', field {field!r}" in text
    assert message in text


def test_figures_must_be_quoted_from_a_cited_seed(library, write_catalogue):
    figure = {"label": "area", "value": 100, "unit": "ha", "quote": "covering 100 hectares"}
    path = write_catalogue([site_entry(figures=[figure])])
    with pytest.raises(CatalogueError, match=r"field 'figures\[0\]\.quote'"):
        verify_quotes(load_catalogue(path), library, path)


def test_not_mapped_items_are_checked_too(library, write_catalogue):
    item = {
        "name": "X",
        "why": "no place",
        "sources": [{"seed": SEED_000, "quote": "invented words"}],
    }
    path = write_catalogue([site_entry()], not_mapped=[item])
    with pytest.raises(CatalogueError, match="not_mapped 'X', field 'sources"):
        verify_quotes(load_catalogue(path), library, path)


def test_a_headline_must_be_in_its_article(library, write_catalogue):
    path = write_catalogue([site_entry()])
    document = path.read_text(encoding="utf-8")
    wrong = "seeds:\n- {seed: 000_671c4ac208bcfce0.txt, title: Invented Headline, headline: true}\n"
    path.write_text(document + wrong, encoding="utf-8")
    with pytest.raises(CatalogueError, match="field 'title': headline not found verbatim"):
        verify_quotes(load_catalogue(path), library, path)
    path.write_text(document + wrong.replace("true", "false"), encoding="utf-8")
    verify_quotes(load_catalogue(path), library, path)
