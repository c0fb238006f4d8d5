"""The map page in Russian (issue 13, items 3 and 5), in Chromium against a real server.

The page's own words (header, legend, filters, tools, Leaflet's controls) are Russian; the
catalogue's names are the feature's Russian name where it has one, else its English name marked
``lang="en"``; lengths, dates and distances are written as CLDR writes them in Russian
(``≈ 6 300 км``, ``14 июля 2024 г.``); and the header's language switcher opens the same map,
view and popup in the other language.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_map_browser import features, open_page, other_site  # noqa: F401
from tests.support.pages import expect_popup

pytestmark = pytest.mark.browser

CORRIDOR = "north-south-international-transport-corridor"
CORRIDOR_RU = "Международный транспортный коридор «Север — Юг»"
#: A corridor without a Russian name in the catalogue: shown by its English name.
ENGLISH_ONLY = "trans-afghan-transport-corridor"
#: A site whose stage was reported on a known date.
DATED_SITE = "taraz-electrometallurgical-plant"


def spaced(pattern: str) -> re.Pattern[str]:
    """``pattern`` with each space matching any run of white space: CLDR writes no-break and
    narrow no-break spaces in Russian numbers and units, templates write line breaks."""
    return re.compile(pattern.replace(" ", r"\s+"))


def test_the_russian_map_has_its_controls_and_legend_in_russian(open_page, features):  # noqa: F811
    page = open_page("/?lang=ru", tiles="load")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#atlas-search-input")).to_have_attribute(
        "placeholder", "Поиск: Бекабад, Термез, Средний коридор…"
    )
    legend = page.locator(".atlas-legend")
    expect(legend.locator("summary")).to_have_text("Легенда")
    expect(legend.locator("[data-legend-group=corridors] h3")).to_contain_text("Коридоры")
    expect(legend.locator("[data-legend-group=sites] h3")).to_contain_text("Площадки")
    labels = legend.locator(".atlas-legend-sites .atlas-legend-label").all_text_contents()
    assert "индустриальный парк" in labels and "электростанция" in labels
    expect(legend.locator(".atlas-legend-stages")).to_contain_text("строится")
    expect(legend.locator(".atlas-legend-coverage")).to_contain_text("Карта основана на")
    # Corridors by their Russian name where the catalogue has one, else their English name.
    corridor = legend.locator(".atlas-legend-corridors .atlas-legend-label")
    expect(corridor.filter(has_text=CORRIDOR_RU)).not_to_have_attribute("lang", "en")
    english = corridor.filter(has_text=features[ENGLISH_ONLY]["name"])
    expect(english).to_have_attribute("lang", "en")

    for name in ("Во весь экран", "Измерить расстояние", "Фильтры", "Слои", "Приблизить"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    page.get_by_role("button", name="Фильтры").click()
    panel = page.locator("#atlas-filters-panel")
    groups = panel.locator("legend").all_text_contents()
    assert groups == ["Категория", "Стадия", "Страна"]
    expect(panel).to_contain_text("железнодорожный коридор")
    expect(panel).to_contain_text("Казахстан")
    total = len(features)
    expect(panel.locator(".atlas-filters-summary")).to_have_text(
        f"Показано {total} из {total} объектов"
    )
    panel.get_by_role("checkbox", name="строится").uncheck()
    expect(panel.locator(".atlas-filters-summary")).to_have_text(
        re.compile(rf"^Показано \d+ из {total} объектов$")
    )
    expect(page.get_by_role("button", name="Показать все", exact=True)).to_be_visible()
    expect(page.locator(".leaflet-control-scale-line").first).to_have_text(
        spaced(r"^\d+( \d+)? (км|м)")
    )


def test_a_popup_in_russian_with_cldr_lengths_and_dates(open_page, features):  # noqa: F811
    page = open_page(f"/?lang=ru#open={CORRIDOR}", tiles="load")
    expect_popup(page, CORRIDOR_RU)
    popup = page.locator(".leaflet-popup-content").last
    expect(popup.locator(".atlas-popup-name")).to_have_text(CORRIDOR_RU)
    english = popup.locator(".atlas-popup-english-name")
    expect(english).to_have_text(features[CORRIDOR]["name"])
    expect(english).to_have_attribute("lang", "en")
    expect(popup.locator(".atlas-popup-stage")).to_have_text("действует")
    expect(popup.locator(".atlas-popup-meta")).to_contain_text(
        spaced("≈ 6 300 км по схематичной линии")
    )
    expect(popup.locator(".atlas-popup-quote p").first).to_have_attribute("lang", "en")
    expect(popup.get_by_role("link", name="Подробнее, источники и скачивание →")).to_be_visible()

    page.goto(page.url.split("#")[0] + f"#open={DATED_SITE}")
    expect_popup(page, features[DATED_SITE]["name"])
    popup = page.locator(".leaflet-popup-content").last
    expect(popup.locator(".atlas-popup-name")).to_have_attribute("lang", "en")
    expect(popup.locator(".atlas-popup-status")).to_contain_text(
        spaced("строится — по состоянию на 14 июля 2024 г.")
    )
    expect(page.get_by_role("button", name="Закрыть").last).to_be_visible()


def test_measuring_in_russian_writes_kilometres_as_cldr_does(open_page):  # noqa: F811
    page = open_page("/?lang=ru", tiles="load")
    page.evaluate("() => { CorridorAtlas.app.map.setView([42.3, 73.0], 6, {animate: false}); }")
    page.get_by_role("button", name="Измерить расстояние").click()
    expect(page.locator(".atlas-measure-total")).to_have_text(
        "Расстояние: отмечайте точки щелчком по карте"
    )
    box = page.locator(".folium-map").bounding_box()
    for lat, lon in [(41.3, 69.3), (43.25, 76.9)]:  # Tashkent, Almaty: about 650 km
        x, y = page.evaluate(
            "([lat, lon]) => { const p = CorridorAtlas.app.map.latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }",
            [lat, lon],
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.locator(".atlas-measure-total")).to_have_text(spaced(r"^Расстояние: \d{3},\d км$"))
    expect(page.locator(".atlas-measure-help")).to_have_text(
        "2 точки, по дугам большого круга. Backspace удаляет последнюю."
    )


def test_the_switcher_switches_language_and_keeps_the_view(open_page, features):  # noqa: F811
    site = "bekabad-industrial-park"
    page = open_page(f"/?lang=ru#open={site}", tiles="load")
    expect_popup(page, features[site]["name"])
    switcher = page.locator(".atlas-languages")
    expect(switcher.locator("[aria-current=true]")).to_have_accessible_name("Русский")
    page.evaluate("() => { CorridorAtlas.app.map.panBy([40, 0], {animate: false}); }")
    page.wait_for_function("() => location.hash.includes('map=')")
    english = switcher.get_by_role("link", name="English")
    page.wait_for_function(
        "() => document.querySelector('.atlas-languages a[data-language=en]').hash"
        " === location.hash"
    )
    fragment = urlsplit(page.url).fragment
    english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["en"]
    assert urlsplit(page.url).fragment == fragment
    expect_popup(page, features[site]["name"])
    expect(page.get_by_role("button", name="Filters")).to_be_visible()
    expect(page.locator(".atlas-languages [aria-current=true]")).to_have_accessible_name("English")
    # The choice sticks (the cookie): the plain address is English now.
    page.goto(page.url.split("?")[0])
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_switcher_keeps_the_embeds_own_query(open_page):  # noqa: F811
    site = "bekabad-industrial-park"
    page = open_page(f"/embed?focus={site}&lang=ru", tiles="load")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    href = page.locator(".atlas-languages a[data-language=en]").get_attribute("href") or ""
    assert parse_qs(urlsplit(href).query) == {"focus": [site], "lang": ["en"]}
    assert urlsplit(href).path == "/embed"


def test_the_switcher_fits_the_header_on_a_phone_and_a_desktop(open_page):  # noqa: F811
    for viewport, shown in (
        ({"width": 360, "height": 740}, 1),
        ({"width": 1280, "height": 800}, 2),
    ):
        page = open_page("/?lang=ru", viewport=viewport, tiles="load")
        links = page.locator(".atlas-languages a")
        visible = [links.nth(i) for i in range(links.count()) if links.nth(i).is_visible()]
        assert len(visible) == shown
        header = page.locator(".atlas-header").bounding_box()
        search = page.locator("#atlas-search-input").bounding_box()
        assert search["width"] >= 120
        for link in visible:
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["height"] + 1
        if shown == 1:
            expect(visible[0].locator(".atlas-language-code")).to_be_visible()
            expect(visible[0].locator(".atlas-language-code")).to_have_text("EN")
            expect(visible[0]).to_have_accessible_name("EN English")
