"""The About, Data and API pages in Russian (issue 13, item 3): Russian headings and prose, the
same links and anchors as the English page, code samples untouched, numbers, sizes and dates
written as CLDR writes them in Russian."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.webapp.cited_data import write_cited_dir
from tests.webapp.test_pages import Page, squash
from webapp import create_app
from webapp.downloads.routes import build_time, file_size

PAGES = ["/about", "/data", "/api"]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def cited(tmp_path_factory: pytest.TempPathFactory):
    data_dir = write_cited_dir(tmp_path_factory.mktemp("cited"))
    return create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()


@pytest.fixture(scope="module")
def built(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir}).test_client()


def get(client, path: str, language: str) -> str:
    """The page in ``language``, asked for explicitly: the test client keeps the language
    cookie, so a request without ``lang`` would take the previous request's language."""
    response = client.get(f"{path}?lang={language}")
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    return response.text


def headings(html: str) -> list[str]:
    found = re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html, re.S)
    return [squash(re.sub(r"<[^>]+>", "", heading)) for heading in found]


def code_samples(html: str) -> Counter[str]:
    """Every ``<code>`` and ``<pre>`` text on the page, counted (their order follows the
    language's word order; their text must not change)."""
    found = re.findall(r"<code>(.*?)</code>", html, re.S) + re.findall(
        r"<pre>(.*?)</pre>", html, re.S
    )
    return Counter(found)  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_russian_page_keeps_every_link_anchor_and_code_sample(built, path):
    english, russian = get(built, path, "en"), get(built, path, "ru")
    assert '<html lang="en">' in english and '<html lang="ru">' in russian
    assert Page(russian).hrefs() == Page(english).hrefs()
    ids = re.compile(r'\bid="([^"]+)"')
    assert ids.findall(russian) == ids.findall(english)
    assert code_samples(russian) == code_samples(english)
    assert code_samples(english), "each of these pages shows code"
    assert len(headings(russian)) == len(headings(english))
    names = {"API", "GeoJSON", "CSV", "KML", "GeoPackage", "OGC API – Features: /ogc"}
    assert not set(headings(russian)) & set(headings(english)) - names


def test_about_in_russian(cited):
    html = get(cited, "/about", "ru")
    parsed = Page(html)
    assert headings(html)[:3] == ["Об атласе и его методике", "Охват", "Откуда берутся факты"]
    assert "Лицензия и цитирование" in headings(html)
    scope = squash(parsed.ids["coverage"])
    # Plural forms agree with the counts; the date is CLDR's Russian long date.
    assert "упомянутые в 2 статьях, опубликованных 14 июля 2024 г. (из них без даты: 1)" in scope
    assert scope.endswith(": 1 коридор и 1 площадка. Атлас фиксирует то, о чём сообщают эти "
                          "статьи, по состоянию на даты их публикации, и не претендует на полный "
                          "перечень проектов региона.")  # fmt: skip
    text = squash(parsed.text)
    assert "В атласе: 1 коридор — по станциям." in text
    assert "по конечным пунктам: по прямой (геодезической) между двумя конечными пунктами" in text
    assert "например «≈ 6 300 км»" in text  # CLDR's Russian number and unit, spaces squashed
    assert (
        '<span class="stage">строится</span></dt><dd>Сообщается, что работы ведутся.</dd>' in html
    )
    assert "создайте задачу (issue) в репозитории проекта" in text
    # The citation is the data's own, in English, and marked so.
    assert re.search(r'<blockquote class="cite-as" id="cite-as" lang="en">', html)
    assert ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0") in parsed.links
    assert ("/data", "странице данных") in parsed.links


def test_data_page_in_russian(built):
    html = get(built, "/data", "ru")
    text = squash(Page(html).text)
    assert headings(html)[0] == "Данные для скачивания"
    assert "Лицензия и указание авторства" in headings(html) and "Разработчикам" in headings(html)
    assert re.search(r"Все файлы взяты из сборки от \d{1,2} [а-я]+ \d{4} г\., \d\d:\d\d UTC", text)
    assert re.search(rf">\d+,\d{NBSP}КиБ</td>", html), "sizes with a decimal comma and КиБ"
    assert '<th scope="col">Сжатый (gzip)</th>' in html
    assert "Все объекты" in text and "Коридоры" in text and "Площадки" in text
    assert "(площадка)</span>" in html, "the kind of each feature file in Russian"
    assert re.search(r'<span lang="en">[^<]+</span> \(коридор\)', html), "names are English data"
    assert "Координаты мест взяты из GeoNames (лицензия CC BY 4.0)" in text


def test_api_page_in_russian(built):
    html = get(built, "/api", "ru")
    text = squash(Page(html).text)
    assert "Кэширование и использование на других сайтах" in headings(html)
    assert "Поиск: GET /api/features" in headings(html)
    assert "Фильтры сочетаются: должны выполняться все заданные условия" in text
    assert "В QGIS: Слой › Добавить слой › Добавить слой WFS / OGC API – Features" in text
    # Parameter values are the API's English words, as code, on every page.
    assert "<code>under construction</code>" in html and "<code>industrial park</code>" in html
    assert f"не более 10{NBSP}000)" in html, "the limit as Russian writes a number"
    assert 'aria-label="Параметры /api/features"' in html


def test_english_pages_stay_english(built):
    assert headings(get(built, "/about", "en"))[0] == "About the atlas and its method"
    data = squash(Page(get(built, "/data", "en")).text)
    assert re.search(r"come from the build of \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC;", data)
    assert re.search(r"\d+\.\d KiB", data)
    assert "page size (default 100, at most 10,000)" in squash(Page(get(built, "/api", "en")).text)


def test_file_sizes_and_build_time_follow_the_language(built):
    app = built.application
    moment = datetime(2026, 11, 22, 10, 5, tzinfo=UTC)
    with app.test_request_context("/data?lang=ru"):
        app.preprocess_request()
        assert file_size(1) == f"1{NBSP}байт"
        assert file_size(3) == f"3{NBSP}байта"
        assert file_size(5) == f"5{NBSP}байт"
        assert file_size(1536) == f"1,5{NBSP}КиБ"
        assert file_size(3 * 1024**2 + 1024**2 // 4) == f"3,2{NBSP}МиБ"
        assert build_time(moment) == "22 ноября 2026\u202fг., 10:05 UTC"  # CLDR: narrow NBSP
    with app.test_request_context("/data?lang=en"):
        assert file_size(5) == "5 Bytes" and file_size(1536) == "1.5 KiB"
        assert build_time(moment) == "22 November 2026, 10:05 UTC"
