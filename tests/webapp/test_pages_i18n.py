"""The text pages in Russian over the real build: feature pages with CLDR-formatted values and
their names in the region's languages, the features table, error pages, and how the language
is chosen (``?lang=``, the cookie, ``Accept-Language``) and linked (switcher, ``hreflang``).

Pages are read with a small parser that keeps, for every run of visible text, the language of
the element it stands in, so a test can say "this is Russian interface" or "this is English
data marked as such" rather than matching markup.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from webapp import create_app

NBSP = "\u00a0"  # CLDR's Russian group separator
INVISIBLE = {"script", "style", "textarea", "title"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Visible text with its language (the nearest ``lang``), and every tag's attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.runs: list[tuple[str, str]] = []  # (language, text)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag not in VOID:
            self.stack.append((tag, attributes.get("lang")))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not data.strip() or any(tag in INVISIBLE for tag, _ in self.stack):
            return
        language = next((lang for _, lang in reversed(self.stack) if lang), "")
        self.runs.append((language, re.sub(r"[ \t\r\n\f]+", " ", data).strip()))

    def text(self, language: str | None = None) -> str:
        """All visible text, or only the text in ``language``."""
        return " ".join(t for lang, t in self.runs if language is None or lang == language)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        """The attributes of every ``tag`` whose attributes include ``wanted``."""
        return [a for t, a in self.tags if t == tag and wanted.items() <= a.items()]


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def properties(built_data_dir: Path) -> dict[str, dict]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


def russian(client, path: str, status: int = 200, **headers: str) -> Page:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang=ru", headers=headers)
    assert response.status_code == status, response.text[:500]
    parsed = Page(response.text)
    assert parsed.find("html", lang="ru"), path
    return parsed


def first(properties: dict[str, dict], test) -> dict:
    found = [p for p in properties.values() if test(p)]
    if not found:
        pytest.skip("the build has no such feature")
    return found[0]


# --- a feature page --------------------------------------------------------------------------


def test_feature_page_writes_figures_dates_and_countries_as_cldr_does(client, properties):
    site = first(
        properties,
        lambda p: (
            any(isinstance(f["value"], int) and f["value"] >= 1000 for f in p["figures"])
            and (p.get("status") or {}).get("as_reported") == "2024-07-14"
            and "KZ" in p["countries"]
        ),
    )
    parsed = russian(client, f"/features/{site['id']}")
    text = parsed.text()
    figure = next(f for f in site["figures"] if isinstance(f["value"], int))
    grouped = f"{figure['value']:,}".replace(",", NBSP)
    assert grouped in text and f"{figure['value']:,}" not in parsed.text("ru")
    assert "по состоянию на 14 июля 2024\u202fг." in text  # CLDR: a narrow no-break space
    assert "Казахстан (KZ)" in text
    for heading in ("Сведения", "Тип", "Категория", "Статус", "Страны", "Местоположение"):
        assert heading in parsed.text("ru")
    assert "Встроить эту карту" in text and "Источники" in text
    # the article's words stay as written, marked as English
    assert site["sources"][0]["quote"] in parsed.text("en")


def test_feature_page_writes_lengths_in_km_with_a_decimal_comma(client, properties):
    corridor = first(
        properties,
        lambda p: (
            p["kind"] == "corridor"
            and (p.get("length_km") or 0) >= 1000
            and any(n["distance_km"] % 1 > 0 for n in p.get("sites_within_100km") or [])
        ),
    )
    text = russian(client, f"/features/{corridor['id']}").text()
    rounded = int(corridor["length_km"] / 100 + 0.5) * 100
    assert f"≈ {rounded:,} км".replace(",", NBSP) in text
    near = next(n for n in corridor["sites_within_100km"] if n["distance_km"] % 1)
    assert f"{near['distance_km']:.1f}".replace(".", ",") + " км" in text
    assert "Площадки в радиусе 100 км" in text


def test_feature_page_heads_with_the_russian_name_and_lists_the_names(client, properties):
    named = first(properties, lambda p: p.get("name_ru"))
    parsed = russian(client, f"/features/{named['id']}")
    h1 = [a for tag, a in parsed.tags if tag == "h1"]
    assert h1 == [{"lang": "ru"}]
    assert named["name_ru"] in parsed.text("ru")
    assert named["name"] in parsed.text("en")  # the English name beneath, marked English
    assert "Названия:" in parsed.text() and "рус." in parsed.text()
    assert named["name_refs"]["ru"] in parsed.text("en")
    title = re.search(r"<title>(.*?)</title>", client.get(f"/features/{named['id']}").text)
    assert html.unescape(title.group(1)).startswith(named["name_ru"])  # the cookie kept ru


def test_english_feature_page_keeps_its_heading_and_names_the_languages(client, properties):
    named = first(properties, lambda p: p.get("name_ru"))
    parsed = Page(client.get(f"/features/{named['id']}").text)
    assert [a for tag, a in parsed.tags if tag == "h1"] == [{"lang": "en"}]
    assert "Names:" in parsed.text() and "Russian" in parsed.text()
    assert named["name_ru"] in parsed.text("ru")


def test_every_name_of_the_region_is_shown_in_its_language(client, properties):
    for code in ("uz", "kk"):
        named = [p for p in properties.values() if p.get(f"name_{code}")]
        for p in named:
            parsed = Page(client.get(f"/features/{p['id']}?lang=ru").text)
            assert p[f"name_{code}"] in parsed.text(code), (p["id"], code)


def test_places_are_named_in_the_page_language(client, properties):
    site = first(
        properties,
        lambda p: len(p["located_by"]) == 1 and p["located_by"][0].get("names", {}).get("ru"),
    )
    place = site["located_by"][0]
    parsed = russian(client, f"/features/{site['id']}")
    assert place["names"]["ru"] in parsed.text("ru")
    assert place["place"] in parsed.text("en")


def test_feature_page_links_its_maps_in_the_page_language(client, properties):
    feature_id = next(iter(properties))
    parsed = russian(client, f"/features/{feature_id}")
    assert parsed.find("iframe", src=f"/embed?focus={feature_id}&lang=ru")
    assert parsed.find("a", href=f"/?lang=ru#open={feature_id}")
    button = parsed.find("button", **{"data-copy": "embed-code"})[0]
    assert button["data-copied"] == "Скопировано."
    english = Page(client.get(f"/features/{feature_id}?lang=en").text)
    assert english.find("iframe", src=f"/embed?focus={feature_id}")


# --- the features table ----------------------------------------------------------------------


def test_features_table_in_russian(client, properties):
    parsed = russian(client, "/features")
    text = parsed.text()
    for label in ("Название", "Тип", "Категория", "Страны", "Статус", "Протяжённость"):
        assert label in text
    assert "Применить фильтры" in text and "Название или место" in text
    total = len(properties)
    assert re.search(rf"\b{total} из {total} объект(а|ов)\b", text)
    assert "UZ · Узбекистан" in text


def test_features_table_counts_with_russian_plurals(client):
    one = russian(client, "/features?q=Bekobod").text()
    assert re.search(r"\b1 из \d+ объект(а|ов)\b", one)
    nothing = russian(client, "/features?q=zzzzqqq").text()
    assert "Ни один объект не подходит под эти фильтры." in nothing


def test_features_table_errors_in_russian(client):
    bad_page = russian(client, "/features?page=99", status=400)
    assert "Страницы 99 нет" in bad_page.text("ru")
    bad_sort = russian(client, "/features?sort=colour", status=400)
    assert "Неизвестное значение параметра sort" in bad_sort.text()


# --- error pages -----------------------------------------------------------------------------


def test_not_found_page_in_russian(client):
    parsed = russian(client, "/no-such-page", status=404)
    assert "404 Не найдено" in parsed.text()
    assert "Запрошенный адрес на сервере не найден." in parsed.text()
    assert "Вернуться к карте" in parsed.text()


def test_unknown_feature_is_explained_in_russian(client):
    parsed = russian(client, "/features/no-such-feature", status=404)
    assert "Объекта 'no-such-feature' в атласе нет." in parsed.text("ru")


def test_an_untranslated_message_is_marked_english(client):
    parsed = russian(client, "/data/features/no-such-feature.geojson", status=404)
    assert "404 Не найдено" in parsed.text()
    assert "no-such-feature" in parsed.text("en")


def test_english_error_pages_stay_as_they_were(client):
    parsed = Page(client.get("/no-such-page").text)
    assert "404 Not Found" in parsed.text()
    assert "The requested URL was not found on the server." in parsed.text()


# --- choosing and linking the language -------------------------------------------------------


def test_switcher_and_alternates_link_every_language(client):
    parsed = russian(client, "/features?country=UZ")
    switcher = {a["hreflang"]: a for a in parsed.find("a") if "hreflang" in a}
    assert switcher["en"]["href"] == "?country=UZ&lang=en"
    assert switcher["ru"]["href"] == "?country=UZ&lang=ru"
    assert switcher["ru"].get("aria-current") == "true"
    alternates = {a["hreflang"]: a["href"] for a in parsed.find("link", rel="alternate")}
    assert alternates == {
        "en": "http://localhost/features?country=UZ&lang=en",
        "ru": "http://localhost/features?country=UZ&lang=ru",
        "x-default": "http://localhost/features?country=UZ",
    }


def test_lang_parameter_sets_a_cookie_that_later_pages_follow(client):
    response = client.get("/sources?lang=ru")
    assert "lang=ru" in response.headers["Set-Cookie"]
    later = Page(client.get("/sources").text)
    assert later.find("html", lang="ru")
    assert "Статьи, на которых построен атлас." in later.text()


def test_accept_language_chooses_russian(client):
    response = client.get("/features", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert Page(response.text).find("html", lang="ru")
    assert "Accept-Language" in response.headers["Vary"]
    english = client.get("/features", headers={"Accept-Language": "de, en;q=0.5"})
    assert Page(english.text).find("html", lang="en")


def test_unknown_language_is_a_bad_request_that_says_why(client):
    response = client.get("/features?lang=xx")
    assert response.status_code == 400
    message = Page(response.text).text()
    assert "400 Bad Request" in message and "'xx'" in message and "ru" in message


# --- sources ---------------------------------------------------------------------------------


def test_sources_in_russian(client, built_data_dir: Path):
    parsed = russian(client, "/sources")
    for label in ("Статья", "Издание", "Дата публикации", "Подтверждённые объекты", "Цитаты"):
        assert label in parsed.text("ru")
    seeds = json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))["seeds"]
    article = russian(client, f"/sources/{seeds[0]['slug']}")
    assert "Объекты, которые подтверждает статья" in article.text("ru")
    assert "английский" in article.text("ru")  # the article's language, named by CLDR
    assert article.find("article", lang=seeds[0].get("language") or "en")
