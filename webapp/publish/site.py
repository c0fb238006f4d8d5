"""What the static site holds: every reader-facing app URL with the file it is published as.

Each :class:`Document` is one GET of the real app (its test client) and one file of the site.
The list is a generator, in a fixed order, so that a large atlas's 100,000 feature pages are
never all in memory and the workers can share it out by position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from webapp.i18n.languages import DEFAULT, LANGUAGES
from webapp.map import routes as map_routes
from webapp.model.store import KINDS
from webapp.publish.links import OGC_PAGE_SIZE, language_root
from webapp.state import state_of

#: Kinds of document, each rewritten its own way (``webapp.publish.rewrite``).
PAGE, POPUP, JSON, FILE = "page", "popup", "json", "file"
#: The OGC collections and the kind of feature each holds (None: every feature).
OGC_COLLECTIONS = {"atlas": None, "corridors": "corridor", "sites": "site"}
#: The pages of every language besides the features and sources pages.
PAGES = ("/", "/embed", "/sources", "/about", "/data", "/api")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: A quoted path of a script, style or image the app serves from memory or from a package.
_ASSET = re.compile(r"""["'(](/(?:static|assets)/[^"'\s)<>\\?#]+)""")


@dataclass(frozen=True)
class Document:
    """One app URL and the file of the site it becomes."""

    url: str
    path: str
    kind: str
    language: str = DEFAULT


def page_path(url: str, language: str) -> str:
    """The file of a page: ``/`` is ``index.html``, ``/features/x`` is ``features/x.html``.

    >>> page_path("/", "ru"), page_path("/features/x", "en")
    ('ru/index.html', 'features/x.html')
    """
    return language_root(language) + ("index" if url == "/" else url[1:]) + ".html"


def documents(app: Flask) -> Iterator[Document]:
    """Every document of the site: pages and popups in each language, then the files."""
    state = state_of(app)
    atlas, limits = state.atlas, state.limits
    ids = atlas.store.ids
    large = len(atlas) > limits.map_inline_features
    table_pages = max(1, -(-len(atlas) // limits.table_page_size))
    for language in LANGUAGES:
        for url in PAGES:
            yield Document(url, page_path(url, language), PAGE, language)
        yield Document("/features", page_path("/features", language), PAGE, language)
        for number in range(2, table_pages + 1):
            yield Document(
                f"/features?page={number}",
                f"{language_root(language)}features/page/{number}.html",
                PAGE,
                language,
            )
        for seed in atlas.seeds:
            url = f"/sources/{seed.slug}"
            yield Document(url, page_path(url, language), PAGE, language)
        for feature_id in ids:
            url = f"/features/{feature_id}"
            yield Document(url, page_path(url, language), PAGE, language)
        if large:
            for feature_id in ids:
                url = f"/assets/map/popups/{feature_id}.html"
                yield Document(url, language_root(language) + url[1:], POPUP, language)
    yield from _files(app)
    yield from _ogc(app)


def _files(app: Flask) -> Iterator[Document]:
    """Downloads, previews, the map's feed, the scripts, styles, Leaflet and the base map."""
    state = state_of(app)
    for name in state.part("downloads").files:
        yield _file(f"/data/{name}")
    for feature_id in state.atlas.store.ids:
        yield _file(f"/data/features/{feature_id}.geojson")
    yield _file("/api/openapi.json", JSON)
    yield _file("/assets/map/features.json")  # the large map's feed
    previews = Path(app.config["DATA_DIR"]) / "previews"
    for image in sorted(previews.rglob("*.png")) if previews.is_dir() else ():
        yield _file(f"/previews/{image.relative_to(previews).as_posix()}")
    on_disk = {
        f"/static/{path.relative_to(STATIC_DIR).as_posix()}"
        for path in STATIC_DIR.rglob("*")
        if path.is_file()
    }
    leaflet = {f"/assets/leaflet/{name}" for name in map_routes.LEAFLET_FILES}
    basemap = {f"/basemap/{name}" for name in (*map_routes.BASEMAP_FILES, map_routes.CITIES_FILE)}
    for url in sorted(on_disk | leaflet | basemap | referenced_files(app)):
        yield _file(url)


def referenced_files(app: Flask) -> set[str]:
    """The scripts and styles the pages load that are no file of ``webapp/static`` (bundles
    the app joins when it starts), found in the pages themselves so that none is missed."""
    client = app.test_client(use_cookies=False)
    first = state_of(app).atlas.store.ids[:1]
    found = set()
    for language in LANGUAGES:
        for url in ("/", "/embed", "/features", *(f"/features/{i}" for i in first)):
            page = client.get(url, headers={"Accept-Language": language}).get_data(as_text=True)
            found.update(_ASSET.findall(page))
    return {url for url in found if not url.startswith("/assets/map/")}


def _file(url: str, kind: str = FILE) -> Document:
    return Document(url, url[1:], kind)


def _ogc(app: Flask) -> Iterator[Document]:
    """The OGC API as JSON files (names in ``webapp.publish.links``)."""
    store = state_of(app).atlas.store
    for url in ("/ogc", "/ogc/conformance", "/ogc/api", "/ogc/collections"):
        yield Document(url, "ogc/index.json" if url == "/ogc" else f"{url[1:]}.json", JSON)
    for collection, kind in OGC_COLLECTIONS.items():
        base = f"/ogc/collections/{collection}"
        yield Document(base, f"{base[1:]}.json", JSON)
        yield Document(f"{base}/queryables", f"{base[1:]}/queryables.json", JSON)
        members = [
            feature_id
            for position, feature_id in enumerate(store.ids)
            if kind is None or KINDS[store.kinds[position]] == kind
        ]
        for number in range(1, max(1, -(-len(members) // OGC_PAGE_SIZE)) + 1):
            url = f"{base}/items?limit={OGC_PAGE_SIZE}&offset={(number - 1) * OGC_PAGE_SIZE}"
            path = (
                f"{base[1:]}/items.json" if number == 1 else f"{base[1:]}/items/page/{number}.json"
            )
            yield Document(url, path, JSON)
        for feature_id in members:
            yield Document(
                f"{base}/items/{feature_id}", f"{base[1:]}/items/{feature_id}.json", JSON
            )
