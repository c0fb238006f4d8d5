"""Which language a request gets, and that caches keep the languages apart.

Order: ``?lang=`` (and it sets the cookie), the cookie, ``Accept-Language``, English. The
response cache in front of the app (``webapp.http.replay``) replays the map page: it must not
serve a Russian page to an English reader or the reverse.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

HTML_LANG = re.compile(r'<html lang="(\w+)"')


def language_of(response) -> str:
    return HTML_LANG.search(response.text).group(1)


@pytest.mark.parametrize("path", ["/", "/features", "/about"])
def test_the_order_query_then_cookie_then_accept_language(app, path):
    client = app.test_client()
    assert language_of(client.get(path)) == "en"
    assert language_of(client.get(path, headers={"Accept-Language": "ru-RU,ru;q=0.9"})) == "ru"
    assert language_of(client.get(path, headers={"Accept-Language": "de, ru;q=0.5"})) == "ru"
    assert language_of(client.get(path, headers={"Accept-Language": "de, fr"})) == "en"
    chosen = client.get(f"{path}?lang=ru", headers={"Accept-Language": "en"})
    assert language_of(chosen) == "ru"
    cookie = chosen.headers["Set-Cookie"]
    assert cookie.startswith("lang=ru;") and "SameSite=Lax" in cookie and "Path=/" in cookie
    # The cookie now outranks Accept-Language, and ?lang= outranks the cookie.
    assert language_of(client.get(path, headers={"Accept-Language": "en"})) == "ru"
    assert language_of(client.get(f"{path}?lang=en")) == "en"
    assert language_of(client.get(path)) == "en"


def test_pages_say_what_they_vary_on_and_their_language(client):
    response = client.get("/features?lang=ru")
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    assert response.headers["Content-Language"] == "ru"


@pytest.mark.parametrize("value", ["xx", "RU", "ru-RU", "", "en,ru"])
def test_an_unknown_language_is_a_400_naming_the_ones_on_offer(client, value):
    response = client.get(f"/features?lang={value}")
    assert response.status_code == 400
    assert "en, ru" in response.get_data(as_text=True)


def test_the_replay_cache_keeps_each_language_apart(app):
    client = app.test_client()
    for _ in range(2):  # the second round is replayed
        assert language_of(client.get("/", headers={"Accept-Language": "ru"})) == "ru"
        assert language_of(client.get("/", headers={"Accept-Language": "en"})) == "en"
        assert language_of(client.get("/")) == "en"
    assert language_of(client.get("/?lang=ru")) == "ru"
    # The reader now holds the cookie: the cached English page must not be replayed to them.
    assert language_of(client.get("/")) == "ru"


def test_each_page_links_its_other_languages(client):
    html = client.get("/features?q=Bekabad").text
    found = re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html)
    alternates = {code: unescape(href) for code, href in found}
    assert alternates == {
        "en": "http://localhost/features?q=Bekabad&lang=en",
        "ru": "http://localhost/features?q=Bekabad&lang=ru",
        "x-default": "http://localhost/features?q=Bekabad",
    }
    assert 'href="?q=Bekabad&amp;lang=ru" hreflang="ru" lang="ru"' in html


def test_the_map_page_links_its_other_languages(client):
    html = client.get("/embed?lang=ru").text
    assert '<link rel="alternate" hreflang="en" href="?lang=en">' in html
    assert '<link rel="alternate" hreflang="x-default" href="/">' in html
    assert 'id="atlas-messages"' in html
