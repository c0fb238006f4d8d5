"""Every URL of a published document made relative to it, pointing at the published file.

The app renders its pages with absolute paths (``/features/x``, ``/static/site.css``) and its
JSON with absolute URLs (``http://localhost/ogc/collections``). The published site must work
under any prefix (``/`` or ``/atlas/``), so each URL becomes the path of the published file
relative to the document that carries it: from ``ru/features/x.html``, ``/sources/a#q-1``
becomes ``../sources/a.html#q-1``. A URL the static site cannot serve (a filtered table, an
API query) becomes the live API's URL when one is configured, else ``None``: the caller then
drops the link rather than leave it pointing at a 404.

>>> published("/features/bekabad", "ru")
'ru/features/bekabad.html'
>>> relative("/sources/a#q-1", "ru/features/x.html", "ru")
'../sources/a.html#q-1'
>>> relative("http://localhost/ogc/collections/sites/items?limit=1000&offset=1000",
...          "ogc/collections/sites/items.json", "en")
'items/page/2.json'
>>> print(relative("/features?sort=kind", "features.html", "en"))
None
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from webapp.i18n.languages import DEFAULT

#: The origin the publisher's test client renders under; URLs starting with it are the app's.
ORIGIN = "http://localhost"
#: Features in one static page of an OGC collection's items.
OGC_PAGE_SIZE = 1000
#: Pages that are one file each in every language (``/about`` is ``about.html``).
PAGES = frozenset({"/sources", "/about", "/data", "/api"})
#: Paths published as they are, in one copy for every language.
FILE_PREFIXES = ("/static/", "/assets/leaflet/", "/basemap/", "/previews/", "/data/")
#: The default order of the features table: its pages are the only ones published.
TABLE_DEFAULTS = {"sort": "name", "order": "asc"}
#: Selections (``/data/selection.<ext>``) that, with no filter, are the whole atlas's file.
SELECTION_AS_ATLAS = frozenset({"geojson", "csv", "gpkg"})
#: Query parameters the map pages read in the browser, kept on links to them.
MAP_PARAMETERS = frozenset({"focus", "only"})


def language_root(language: str) -> str:
    """The directory of a language's pages: ``""`` for English, ``"ru/"`` for Russian."""
    return "" if language == DEFAULT else f"{language}/"


def published(url: str, language: str) -> str | None:
    """The published file (and any query the browser reads, and fragment) of an app URL, as a
    path from the site's root; ``None`` if the static site cannot serve it. ``language`` is
    the language of the document carrying the link (a ``lang=`` in the URL wins)."""
    if url.startswith(ORIGIN):
        url = url[len(ORIGIN) :] or "/"
    if not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    language = params.pop("lang", language)
    path = _file_of(parts.path, params, language_root(language))
    if path is None:
        return None
    return path + (f"#{parts.fragment}" if parts.fragment else "")


def _file_of(path: str, params: dict[str, str], root: str) -> str | None:
    if path in ("/", "/embed"):
        kept = {k: v for k, v in params.items() if k in MAP_PARAMETERS}
        if len(kept) != len(params):
            return None
        name = "index.html" if path == "/" else "embed.html"
        return root + name + (f"?{urlencode(kept, safe=',')}" if kept else "")
    if path == "/features":
        return _table_page(params, root)
    if path.startswith("/ogc"):
        return _ogc_file(path, params)
    if params:
        return None
    if path in PAGES:
        return f"{root}{path[1:]}.html"
    segments = path.split("/")
    if len(segments) == 3 and segments[1] in ("features", "sources") and segments[2]:
        return f"{root}{path[1:]}.html"
    if path.startswith("/assets/map/popups/"):
        return root + path[1:]
    if path.startswith("/data/selection."):  # with no filter: every feature, the atlas's file
        extension = path.rsplit(".", 1)[1]
        return f"data/atlas.{extension}" if extension in SELECTION_AS_ATLAS else None
    if path.startswith(FILE_PREFIXES) or path.startswith("/assets/map/"):
        return path[1:]
    if path == "/api/openapi.json":
        return path[1:]
    return None


def _table_page(params: dict[str, str], root: str) -> str | None:
    """``features.html`` for the table's first page in its default order, then
    ``features/page/N.html``; any filter or other order is not published."""
    page = params.pop("page", "1")
    if any(params.get(name, value) != value for name, value in TABLE_DEFAULTS.items()):
        return None
    if set(params) - set(TABLE_DEFAULTS) or not page.isdigit() or int(page) < 1:
        return None
    return f"{root}features.html" if int(page) == 1 else f"{root}features/page/{int(page)}.html"


def _ogc_file(path: str, params: dict[str, str]) -> str | None:
    """``/ogc/...`` as its JSON file: ``ogc/index.json``, ``ogc/collections/sites.json``, the
    items' pages ``items.json`` and ``items/page/N.json``, one item ``items/<id>.json``."""
    if params.pop("f", "json") != "json":
        return None
    path = path.rstrip("/") or "/"
    segments = path.split("/")[2:]
    if len(segments) == 3 and segments[0] == "collections" and segments[2] == "items":
        limit = int(params.pop("limit", OGC_PAGE_SIZE) or 0)
        offset = params.pop("offset", "0")
        if params or limit != OGC_PAGE_SIZE or not offset.isdigit():
            return None
        if int(offset) % OGC_PAGE_SIZE:
            return None
        number = int(offset) // OGC_PAGE_SIZE + 1
        items = f"ogc/collections/{segments[1]}/items"
        return f"{items}.json" if number == 1 else f"{items}/page/{number}.json"
    if params:
        return None
    return "ogc/index.json" if not segments else f"ogc/{'/'.join(segments)}.json"


def relative(url: str, document: str, language: str, live_api: str | None = None) -> str | None:
    """``url`` as a link from ``document`` (its published path) to the published file; the
    live API's URL for what only it serves when ``live_api`` is given; else ``None``."""
    return _relative(url, posixpath.dirname(document), language, live_api)


@lru_cache(maxsize=1 << 16)  # pages repeat their links (the header, the styles, the scripts)
def _relative(url: str, folder: str, language: str, live_api: str | None) -> str | None:
    target = published(url, language)
    if target is None:
        return live_url(url, live_api)
    path, mark, rest = _split_tail(target)
    return _path_from(folder, path) + mark + rest


def _path_from(folder: str, path: str) -> str:
    """``path`` (from the site's root) relative to ``folder``; both are clean relative paths
    of the site, so no file system is asked (as ``posixpath.relpath`` would).

    >>> _path_from("ru/features", "static/site.css"), _path_from("ru", "ru/assets/map/popups/")
    ('../../static/site.css', 'assets/map/popups/')
    """
    here = folder.split("/") if folder else []
    there = path.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def _split_tail(target: str) -> tuple[str, str, str]:
    for mark in ("?", "#"):
        if mark in target:
            path, rest = target.split(mark, 1)
            return path, mark, rest
    return target, "", ""


def live_url(url: str, live_api: str | None) -> str | None:
    """The live API's address of an app URL only it can answer (an ``/api`` or ``/ogc`` query,
    a selection download), or ``None`` without a live API or for a page."""
    if live_api is None:
        return None
    if url.startswith(ORIGIN):
        url = url[len(ORIGIN) :]
    if url.startswith(("/api", "/ogc", "/data/selection.")):
        return live_api.rstrip("/") + url
    return None
