"""The About/Method page (issue 12, item 4): scope computed from the data, how places were found
and lines drawn, what each stage means, the licence and citation the data's metadata gives, how
to report an error; linked from every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geodata.vocabulary import STAGES
from tests.webapp.cited_data import CITE_AS, write_cited_dir
from tests.webapp.test_pages import Page, page, squash
from webapp import create_app
from webapp.i18n.formatting import long_date
from webapp.pages.about import BASIS_MEANINGS, STAGE_MEANINGS


@pytest.fixture
def cited(tmp_path: Path):
    return create_app({"TESTING": True, "DATA_DIR": write_cited_dir(tmp_path)}).test_client()


def test_scope_is_computed_from_the_data(cited):
    parsed = page(cited, "/about")
    scope = squash(parsed.ids["coverage"])
    assert "2 source articles, published on 14 July 2024 (1 of unknown date)" in scope
    assert "1 corridor and 1 site" in scope
    assert "1 corridor drawn by stations" in squash(parsed.text)


def test_scope_of_the_real_build(client, built_data_dir):
    seeds = json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))["seeds"]
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    kinds = [f["properties"]["kind"] for f in collection["features"]]
    scope = squash(page(client, "/about").ids["coverage"])
    assert f"{len(seeds)} source articles" in scope
    assert f"{kinds.count('corridor')} corridors and {kinds.count('site')} sites" in scope
    dates = sorted(s["published"] for s in seeds if s.get("published"))
    if len(set(dates)) > 1:
        assert f"from {long_date(dates[0])} to {long_date(dates[-1])}" in scope


def test_method_stages_and_bases_are_explained(cited):
    html = cited.get("/about").text
    text = squash(Page(html).text)
    assert "GeoNames cities500" in text and "curated point" in text
    assert "schematic" in text
    assert set(STAGE_MEANINGS) == set(STAGES), "every stage of the vocabulary has a meaning"
    for stage in STAGES:
        assert f'<span class="stage">{stage}</span></dt><dd>{STAGE_MEANINGS[stage]}</dd>' in html
    for basis, meaning in BASIS_MEANINGS.items():
        assert f"{basis}: {squash(meaning)}" in text


def test_licence_and_citation_match_the_data(cited):
    parsed = page(cited, "/about")
    assert squash(parsed.ids["cite-as"]) == CITE_AS
    assert ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0") in parsed.links


def test_real_build_is_cited_as_its_metadata_says(client, built_data_dir):
    header = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    cite_as = (header.get("metadata") or {}).get("cite_as")
    shown = squash(page(client, "/about").ids["cite-as"])
    assert shown == (squash(cite_as) if cite_as else shown)
    assert "Corridor Atlas" in shown


def test_reporting_an_error_invents_no_address(cited):
    html = cited.get("/about").text
    text = squash(Page(html).text)
    assert "open an issue in the project's repository" in text
    assert "mailto:" not in html and not re.search(r"\w@\w", text)


@pytest.mark.parametrize("path", ["/features", "/sources", "/sources/a", "/features/test-site"])
def test_about_is_linked_from_nav_and_footer(cited, path):
    html = cited.get(path).text
    nav = Page(html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0])
    footer = html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
    assert ("/about", "About") in nav.links
    assert 'href="/about"' in footer


def test_the_map_links_about(cited):
    assert 'href="/about"' in cited.get("/").text
