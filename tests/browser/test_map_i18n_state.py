"""The map's scripts in Russian, and the language kept in the map's addresses (issue 13, items
3 and 5), in Chromium against a real server.

On a Russian map page the reader's controls (the "features in view" list, the details sheet,
each feature's name for screen readers) and the search box (its rows, its status, its empty
answer) speak Russian; the address the map writes (the permalink) carries ``?lang=ru`` even
when the language came from ``Accept-Language``, so it reopens the Russian map for anyone; an
English page's address stays as it was. /embed keeps its language in its own address and in
its link to the full atlas, as does the embed snippet of a Russian feature page. A large
atlas's popups are fetched in the page's language.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_map_browser import features, open_page, other_site  # noqa: F401
from tests.browser.test_map_large import atlas_features, large_server, open_large  # noqa: F401
from tests.support.pages import expect_popup

pytestmark = pytest.mark.browser

OPTIONS = "#atlas-search-results [role=option]"
#: The waypoint the search's "through …" note names, in either script.
THROUGH_TASHKENT = re.compile(r"через (Tashkent|Ташкент)")
SITE = "bekabad-industrial-park"
#: A phone held upright: details open in a sheet.
PORTRAIT = {"width": 360, "height": 740}


def search(page, query: str) -> None:
    """Type ``query`` in the map's search box and wait for its answer to be shown."""
    page.locator("#atlas-search-input").fill(query)
    page.wait_for_function(
        "(q) => CorridorAtlas.app.search.query === q && !CorridorAtlas.app.search.pending",
        arg=query,
    )


def written_address(page) -> str:
    """The page's address once the reader moved the map and the map wrote its state there
    (the permalink)."""
    page.evaluate("() => { CorridorAtlas.app.map.panBy([40, 0], {animate: false}); }")
    page.wait_for_function("() => location.hash.includes('map=')")
    return page.url


def language_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("lang", [])


def test_the_readers_controls_speak_russian(open_page, features):  # noqa: F811
    page = open_page("/?lang=ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    toggle = page.locator(".atlas-feature-list-toggle")
    expect(toggle).to_have_text(f"Видимые объекты ({len(features)})")
    toggle.click()
    expect(page.locator(".atlas-feature-list-items")).to_have_attribute(
        "aria-label", "Видимые объекты"
    )
    # A name is the Russian one where the catalogue has it, else the English one, marked so.
    names = page.locator(".atlas-feature-list-name")
    expect(names).to_have_count(len(features))
    shown = names.evaluate_all("(spans) => spans.map((s) => [s.textContent, s.lang])")
    russian = {p["name_ru"] for p in features.values() if p.get("name_ru")}
    assert russian, "the catalogue names some features in Russian"
    for text, language in shown:
        assert language == ("ru" if text in russian else "en"), text
    labels = page.evaluate(
        """() => [...CorridorAtlas.app.features.values()].map((f) => [
            f.data.id,
            f.layer.getElement().getAttribute("aria-label"),
            CorridorAtlas.featureName(f.data)[0],
            CorridorAtlas.categoryText(CorridorAtlas.app.data, f.data),
            CorridorAtlas.stageText(CorridorAtlas.app.data, f.data.stage)])"""
    )
    assert len(labels) == len(features)
    for feature_id, label, name, category, stage in labels:
        assert label == f"{name}, {category}, {stage}"
        assert name == (features[feature_id].get("name_ru") or features[feature_id]["name"])
    # Operational features are said to be operational in Russian (the vocabulary's «действует»).
    assert any(label.endswith(", действует") for _, label, *_ in labels)
    no_stage = page.evaluate("() => CorridorAtlas.stageText(CorridorAtlas.app.data, '')")
    assert no_stage == "стадия не указана"


def test_the_details_sheet_closes_in_russian(open_page, features):  # noqa: F811
    page = open_page(f"/?lang=ru#open={SITE}", viewport=PORTRAIT)
    expect_popup(page, features[SITE]["name"])
    close = page.get_by_role("button", name="Закрыть подробности")
    expect(close).to_be_visible()
    close.click()
    expect(page.locator(".atlas-sheet")).to_be_hidden()


def test_a_search_row_in_russian(open_page):  # noqa: F811
    page = open_page("/?lang=ru", tiles="load")
    search(page, "Tashkent")
    status = page.locator("#atlas-search-status")
    expect(status).to_have_text(re.compile(r"^\d+ результат(а|ов)?$"))
    notes = page.locator(f"{OPTIONS} .atlas-search-note").all_text_contents()
    assert "Узбекистан" in notes[0]  # the page's (CLDR) country name, not the API's English
    assert any(THROUGH_TASHKENT.search(note) for note in notes), notes
    assert not any("Uzbekistan" in note or "through" in note for note in notes), notes

    search(page, "Fergana")
    first = page.locator(OPTIONS).first
    expect(first).to_contain_text("Показать на карте: Fergana")
    expect(first.locator(".atlas-search-note")).to_have_text("место · Fergana, Узбекистан")

    search(page, "Wolkenkuckucksheim")
    expect(status).to_have_text("Ничего не найдено")
    expect(page.locator(".atlas-search-empty")).to_have_text(
        "По запросу «Wolkenkuckucksheim» не найдено ни коридоров, ни площадок, ни мест."
    )


def test_a_chosen_result_is_announced_in_russian(open_page, features):  # noqa: F811
    page = open_page("/?lang=ru", tiles="load")
    search(page, "Bekabad")
    page.locator("#atlas-search-input").press("Enter")
    expect(page.locator("#atlas-search-status")).to_have_text(
        re.compile(r"^На карте: .+"), timeout=10000
    )


def test_the_permalink_keeps_the_language_chosen_by_the_browser(open_page, features):  # noqa: F811
    # Russian from Accept-Language alone: the address the map writes names it.
    page = open_page(f"/#open={SITE}", locale="ru-RU")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    permalink = written_address(page)
    assert language_of(permalink) == ["ru"]
    assert f"open={SITE}" in urlsplit(permalink).fragment
    # Opened by an English browser, it is the Russian map at the same view, popup open.
    again = open_page(permalink, locale="en-GB")
    expect(again.locator("html")).to_have_attribute("lang", "ru")
    expect(again.locator(".atlas-feature-list-toggle")).to_contain_text("Видимые объекты")
    expect_popup(again, features[SITE]["name"])
    assert language_of(written_address(again)) == ["ru"]


def test_an_english_address_stays_as_it_was(open_page):  # noqa: F811
    page = open_page(f"/#open={SITE}", locale="en-GB")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert language_of(written_address(page)) == []


def test_the_embed_speaks_russian_and_keeps_its_options(open_page):  # noqa: F811
    page = open_page(f"/embed?focus={SITE}", locale="ru-RU")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    address = written_address(page)
    assert parse_qs(urlsplit(address).query) == {"focus": [SITE], "lang": ["ru"]}
    # Its link to the full atlas opens the same view in Russian too.
    link = page.locator(".atlas-embed-link")
    expect(link).to_have_attribute("href", f"/?lang=ru#{urlsplit(address).fragment}")
    full = open_page(link.get_attribute("href"), locale="en-GB")
    expect(full.locator("html")).to_have_attribute("lang", "ru")
    framed = open_page(address, locale="en-GB")
    expect(framed.locator("html")).to_have_attribute("lang", "ru")
    assert framed.evaluate("() => CorridorAtlas.app.embed.focus") == SITE


def test_a_large_atlas_fetches_popups_in_the_pages_language(open_large, atlas_features):  # noqa: F811
    page = open_large("/?lang=ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    site = next(fid for fid, f in atlas_features.items() if f["properties"]["kind"] == "site")
    with page.expect_response(re.compile(r"/assets/map/popups/")) as answer:
        page.evaluate("(id) => CorridorAtlas.app.openPopup(id, false)", site)
    response = answer.value
    assert urlsplit(response.url).path == f"/assets/map/popups/{site}.html"
    assert language_of(response.url) == ["ru"]
    assert response.status == 200
    expect_popup(page, atlas_features[site]["properties"]["name"])


def test_the_embed_snippet_of_a_russian_page_opens_the_russian_map(open_page):  # noqa: F811
    page = open_page(f"/features/{SITE}?lang=ru")
    snippet = page.locator("#embed-code").input_value()
    source = html.unescape(re.search(r'src="([^"]+)"', snippet).group(1))  # an attribute
    assert parse_qs(urlsplit(source).query) == {"focus": [SITE], "lang": ["ru"]}
    framed = open_page(urlsplit(source)._replace(scheme="", netloc="").geturl(), locale="en-GB")
    expect(framed.locator("html")).to_have_attribute("lang", "ru")
    expect(framed.locator(".atlas-feature-list-toggle")).to_contain_text("Видимые объекты")
