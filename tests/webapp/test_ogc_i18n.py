"""The /ogc pages in Russian, and the API's JSON the same in every language.

A browser reading /ogc in Russian gets Russian pages: titles, labels, paging, counts, link
titles, the extent map's description, numbers as CLDR writes them; the names of features in
Russian where the data has them, else English names marked ``lang="en"``. The JSON answers of
/api and /ogc do not change with the language (tools compare and cache them): ``?lang=`` is
accepted by every endpoint, an unknown language is a problem+json 400, and country names in the
API stay English whatever ``Accept-Language`` says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from markupsafe import escape

from webapp import create_app

SITE = "bekabad-industrial-park"
RU = {"Accept-Language": "ru"}


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture(scope="module")
def features(built_data_dir: Path) -> list[dict]:
    atlas = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return atlas["features"]


def russian(client, path: str) -> str:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}f=html&lang=ru")
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/html"
    assert '<html lang="ru">' in response.text
    return response.text


def coordinate(value: float) -> str:
    return format_decimal(value, "0.#######", locale="ru")


def test_landing_page_in_russian(client):
    page = russian(client, "/ogc")
    assert '<h2 id="collections">Коллекции</h2>' in page
    assert "ГИС-программы (QGIS, ArcGIS, GDAL, OWSLib) получают данные в JSON" in page
    for title in ("Все объекты", "Коридоры", "Площадки"):
        assert f">{title}</a>" in page
    assert '<h2 id="links">Ссылки</h2>' in page
    assert ">Описание API</a>" in page and ">This document as HTML<" not in page


def test_collections_page_writes_extents_as_cldr_does(client):
    document = client.get("/ogc/collections").json
    page = russian(client, "/ogc/collections")
    assert "<h1>Коллекции</h1>" in page
    for collection in document["collections"]:
        west, south, east, north = collection["extent"]["spatial"]["bbox"][0]
        text = (
            f"запад {coordinate(west)}, юг {coordinate(south)}, "
            f"восток {coordinate(east)}, север {coordinate(north)}"
        )
        assert text in page
    assert "," in coordinate(document["collections"][0]["extent"]["spatial"]["bbox"][0][0])
    assert 'aria-label="Карта охвата: от ' in page and "° в. д." in page and "° с. ш." in page
    assert "Пространственный охват" in page and "Spatial extent" not in page
    assert page.count(">Свойства для фильтрации</a>") == 3


def test_items_page_counts_pages_and_terms_in_russian(client):
    url = "/ogc/collections/sites/items?limit=3&offset=3"
    document = client.get(url).json
    page = russian(client, url)
    assert "<h1>Объекты коллекции «Площадки»</h1>" in page
    last = 3 + document["numberReturned"]
    assert f"Объекты с 4 по {last} из {document['numberMatched']}, без отбора." in page
    assert ">Предыдущая страница</a>" in page and 'aria-label="Страницы (вверху)"' in page
    assert "Previous page" not in page and "Items of" not in page
    for feature in document["features"]:
        properties = feature["properties"]
        if properties.get("name_ru"):
            assert f">{escape(properties['name_ru'])}</a></th>" in page
        else:
            assert f'<span lang="en">{escape(properties["name"])}</span></a></th>' in page
    assert "<td>площадка</td>" in page


def test_an_empty_page_of_items_says_so(client):
    page = russian(client, "/ogc/collections/sites/items?offset=100000")
    assert "На этой странице объектов нет (всего найдено: " in page


def test_item_page_heads_with_the_russian_name(client, features):
    named = next(f for f in features if f["properties"].get("name_ru"))
    properties = named["properties"]
    collection = "corridors" if properties["kind"] == "corridor" else "sites"
    page = russian(client, f"/ogc/collections/{collection}/items/{properties['id']}")
    assert f"<h1>{escape(properties['name_ru'])}</h1>" in page
    kind = "Коридор атласа" if properties["kind"] == "corridor" else "Площадка атласа"
    assert f"{kind} (идентификатор <code>{properties['id']}</code>)" in page
    assert '<div class="ogc-properties" lang="en">' in page
    assert f'<dt>name_ru</dt><dd lang="ru">{escape(properties["name_ru"])}</dd>' in page
    assert '<h2 id="properties">Свойства</h2>' in page


def test_item_page_marks_an_english_name(client):
    page = russian(client, f"/ogc/collections/sites/items/{SITE}")
    name = client.get(f"/ogc/collections/sites/items/{SITE}").json["properties"]["name"]
    assert f'<h1><span lang="en">{escape(name)}</span></h1>' in page


def test_queryables_page_in_russian(client):
    page = russian(client, "/ogc/collections/sites/queryables")
    assert "<h1>«Площадки»: свойства для фильтрации</h1>" in page
    assert "<td>Категория</td>" in page and "<td>Стадия</td>" in page
    assert "По другим свойствам отбор невозможен" in page
    assert "Код ISO 3166-1 alpha-2 страны" in page


def test_a_russian_page_is_its_own_representation(client):
    english = client.get("/ogc/collections?f=html")
    page = client.get("/ogc/collections?f=html", headers=RU)
    assert '<html lang="ru">' in page.text and '<html lang="en">' in english.text
    assert page.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in page.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/features?limit=3",
        "/api/places?q=Tashkent",
        "/api/openapi.json",
        "/ogc",
        "/ogc/collections/sites",
        "/ogc/collections/sites/items?limit=3",
        f"/ogc/collections/sites/items/{SITE}",
        "/ogc/collections/sites/queryables",
    ],
)
def test_json_takes_lang_and_stays_the_same(client, path):
    plain = client.get(path)
    separator = "&" if "?" in path else "?"
    asked = client.get(f"{path}{separator}lang=ru", headers=RU)
    assert plain.status_code == asked.status_code == 200, asked.text
    assert asked.mimetype == plain.mimetype != "text/html"
    assert asked.get_data() == plain.get_data()


@pytest.mark.parametrize(
    "path", ["/api/features", "/api/places?q=Tashkent", "/ogc", "/ogc/collections/sites/items"]
)
def test_an_unknown_language_is_a_problem(client, path):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang=xx")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["parameter"] == "lang" and problem["allowed"] == ["en", "ru"]
    assert "'xx'" in problem["detail"] and "ru" in problem["detail"]


def test_the_api_page_refuses_an_unknown_language_as_a_page(client):
    response = client.get("/api?lang=xx")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_other_parameters_are_still_checked_beside_lang(client):
    response = client.get("/api/features?lang=ru&kidn=site")
    assert response.status_code == 400
    assert response.json["parameter"] == "kidn"
    assert client.get("/ogc/collections?lang=ru&x=1").json["parameter"] == "x"


@pytest.mark.parametrize("query", ["", "&lang=ru"])
def test_api_country_names_stay_english(client, query):
    response = client.get(f"/api/places?q=Tashkent{query}", headers=RU)
    names = {
        f["properties"]["country"]: f["properties"]["country_name"]
        for f in response.json["features"]
    }
    assert names.get("UZ") == "Uzbekistan"
    assert not any(re.search("[А-я]", name) for name in names.values())
