"""One document of the site: fetched from the real app, its links made static, written with
its compressed copies.

Pages are rendered in their language (``Accept-Language``; no cookie is kept between
requests), JSON documents asked for as JSON. Anything but a 200 stops the publish: a site
missing a page it links to is worse than no new site.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from webapp.i18n.languages import LANGUAGES
from webapp.publish.compress import compressible, write_compressed
from webapp.publish.links import ORIGIN, language_root, published, relative
from webapp.publish.rewrite import Mapper, html_document, json_document
from webapp.publish.site import JSON, PAGE, POPUP, Document

log = logging.getLogger(__name__)

#: The JSON block the map's scripts read; published pages add ``site`` to it.
_MAP_DATA = re.compile(
    r'(<script type="application/json" id="atlas-data">)(?P<body>.*?)(</script>)', re.S
)
_FIRST_HEADING_END = "</h1>"
#: The queries only a running app answers (the API page says so).
LIVE_ONLY = ("q", "bbox", "near", "as_of", "selections")


class PublishError(RuntimeError):
    """A document the app would not give: its URL and the status it got."""


@dataclass
class Totals:
    """Files written (not counting compressed copies), their bytes, the compressed copies'
    bytes, and how many of the files are HTML pages."""

    files: int = 0
    bytes: int = 0
    compressed_bytes: int = 0
    pages: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.files + other.files,
            self.bytes + other.bytes,
            self.compressed_bytes + other.compressed_bytes,
            self.pages + other.pages,
        )


@dataclass
class Renderer:
    """Renders documents of one app for one site: the live API and public URL it links to,
    and the notes (per language) standing for what only the live app does."""

    app: Flask
    live_api: str | None
    public_url: str | None
    notes: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def for_app(cls, app: Flask, *, live_api: str | None, public_url: str | None) -> Renderer:
        """A renderer for ``app``, its notes written in each language once."""
        renderer = cls(app, live_api, public_url.rstrip("/") if public_url else None)
        for language in LANGUAGES:
            headers = {"Accept-Language": language}
            with app.test_request_context("/", headers=headers):
                renderer.notes[language] = renderer._notes()
        return renderer

    def _notes(self) -> dict[str, str]:
        form = gettext(
            "This copy of the atlas is static: filtering and sorting the table need the live "
            "atlas. Every feature is listed below, by name, and every download is on the data "
            "page."
        )
        api = gettext(
            "This copy of the atlas is static files. The downloads, the OGC API's collections "
            "and items, and the API definition are here as files; queries need a running "
            "atlas: %(queries)s.",
            queries=", ".join(LIVE_ONLY),
        )
        if self.live_api:
            link = Markup('<a href="{0}">{0}</a>').format(self.live_api)
            api_html = (
                escape(api) + " " + Markup(gettext("The live API is at %(link)s.")) % {"link": link}
            )
        else:
            api_html = escape(api) + " " + escape(gettext("No live API is configured."))
        return {
            "form": str(Markup('<p class="static-note">{}</p>').format(form)),
            "api": str(Markup('<p class="static-note" id="static-api">{}</p>').format(api_html)),
        }

    def publish(self, documents: Any, root: Path, worker: int, workers: int) -> Totals:
        """Render and write the documents whose position is ``worker`` modulo ``workers``."""
        client = self.app.test_client(use_cookies=False)
        totals = Totals()
        made: set[Path] = set()
        for position, document in enumerate(documents):
            if position % workers != worker:
                continue
            body = self.render(client, document)
            path = root / document.path
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(body)
            packed = write_compressed(path, body) if compressible(document.path) else 0
            totals += Totals(1, len(body), packed, int(document.kind == PAGE))
        return totals

    def render(self, client: Any, document: Document) -> bytes:
        """The published bytes of ``document``."""
        headers = {"Accept-Language": document.language}
        if document.kind == JSON:
            headers["Accept"] = "application/geo+json, application/json"
        response = client.get(document.url, headers=headers)
        if response.status_code != 200:
            raise PublishError(f"{document.url}: HTTP {response.status_code}, not 200")
        body = response.get_data()
        if document.url == "/api/openapi.json":
            body = self._api_servers(body)
        if document.kind == JSON:
            # absolute under the public URL where there is one: GDAL resolves no relative href
            mapper = self.mapper(document.path, document.language, True)
            return json_document(body, mapper)
        if document.kind == POPUP:
            at = language_root(document.language) + "index.html"
            return self._html(body.decode("utf-8"), at, document).encode("utf-8")
        if document.kind == PAGE:
            return self._html(body.decode("utf-8"), document.path, document).encode("utf-8")
        return body

    def _api_servers(self, body: bytes) -> bytes:
        """The API definition's ``servers``: the live API, or none (static files answer no
        API operation)."""
        definition = json.loads(body)
        if self.live_api:
            definition["servers"] = [{"url": self.live_api, "description": "the live atlas"}]
        else:
            definition.pop("servers", None)
        return json.dumps(definition, ensure_ascii=False).encode("utf-8")

    def _html(self, page: str, at: str, document: Document) -> str:
        notes = self.notes[document.language]
        if document.url in ("/", "/embed"):
            page = self._site_data(page, at, document.language)
        if document.url == "/api":
            page = page.replace(_FIRST_HEADING_END, _FIRST_HEADING_END + notes["api"], 1)
        page = html_document(page, self.mapper(at, document.language, True), notes["form"])
        return page.replace(ORIGIN, self.public_url or "")

    def _site_data(self, page: str, at: str, language: str) -> str:
        """The map's data with ``site``: the relative roots of the page's language and of the
        site, and the live API, for URLs the scripts build themselves."""

        def add(match: re.Match[str]) -> str:
            data = json.loads(match.group("body"))
            data["site"] = {
                "root": _folder(".", at),
                "pages": _folder(language_root(language) or ".", at),
                "api": self.live_api,
            }
            body = htmlsafe_json_dumps(data, ensure_ascii=False)
            return match.group(1) + str(body) + match.group(3)

        return _MAP_DATA.sub(add, page, count=1)

    def mapper(self, at: str, language: str, absolute: bool) -> Mapper:
        """Links from the document at ``at``: relative; an absolute URL of the app on a page
        (share cards, ``hreflang``) absolute again under the public URL when there is one."""

        def link(url: str) -> str | None:
            if url.startswith("?"):
                url = _app_url(at, language) + url
            if absolute and self.public_url and url.startswith(ORIGIN):
                target = published(url, language)
                return None if target is None else f"{self.public_url}/{target}"
            return relative(url, at, language, self.live_api)

        return link

    def write_servers(self, root: Path, served: Path) -> Totals:
        """``_headers`` and ``_server/nginx.conf`` (serving ``served``, where the site written
        in ``root`` is renamed to) from ``webapp.publish.servers``."""
        try:
            from webapp.publish import servers
        except ImportError:
            log.warning("webapp.publish.servers is missing: no _headers or nginx.conf written")
            return Totals()
        written = Totals()
        for name, text in (
            ("_headers", servers.headers_file(root, live_api=self.live_api)),
            (
                "_server/nginx.conf",
                servers.nginx_config(root, prefix="/", root=served, live_api=self.live_api),
            ),
        ):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += Totals(1, len(text.encode("utf-8")))
        return written


def _folder(folder: str, at: str) -> str:
    """``folder`` of the site as a prefix relative to the document at ``at``.

    >>> _folder(".", "ru/index.html"), _folder("ru/", "ru/index.html"), _folder("ru/", "index.html")
    ('../', '', 'ru/')
    """
    path = posixpath.relpath(folder, posixpath.dirname(at) or ".")
    return "" if path == "." else path + "/"


def _app_url(at: str, language: str) -> str:
    """The app path of the page published at ``at``, for a link relative to it (``?lang=ru``).

    >>> _app_url("ru/features/x.html", "ru"), _app_url("index.html", "en")
    ('/features/x', '/')
    """
    path = at.removeprefix(language_root(language)).removesuffix(".html")
    path = "" if path == "index" else path
    if path.startswith("features/page/"):
        return "/features"  # the page's own links carry ?page=N
    return "/" + path
