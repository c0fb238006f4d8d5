"""Configurations that serve a published site as the app would: nginx, and static hosts'
``_headers`` file (Netlify, Cloudflare Pages).

Both give every answer the app's security headers (:mod:`webapp.security`): one
Content-Security-Policy whose script hashes are those of every inline script of the PUBLISHED
pages (their links were made relative, so the app's hashes do not fit), ``frame-ancestors
'none'`` and ``X-Frame-Options: DENY`` everywhere except the embed pages, which any site may
frame. Cache-Control goes by file kind: the scripts, styles and map files (``static/``,
``assets/``, ``basemap/``) keep their names from release to release, so they are cached a day
rather than forever; pages and data for five minutes, then revalidated with the ETag and
Last-Modified that nginx sends. Downloads and the OGC documents may be read by any origin, as
the app's.

nginx maps an address ``P`` to the file ``P``, ``P.html``, ``P/index.html``, ``P.json`` or
``P/index.json`` (the last two for the OGC documents, which clients ask for without
extension), serves the precompressed ``.gz`` (and ``.br`` where Debian's
``libnginx-mod-http-brotli-static`` is installed) beside a file, answers ``Range`` as it does for
every static file, and refuses ``_server/`` and ``_headers``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from webapp.map.basemaps import tile_origins
from webapp.security import (
    STATIC_HEADERS,
    content_security_policy,
    framing_allowed,
    inline_script_hashes,
)

#: Where Debian's brotli_static module lives once ``libnginx-mod-http-brotli-static`` is installed.
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
#: Pages of the site that other sites may frame, by their path from the language's root.
FRAMEABLE_PAGES = ("embed",)
#: Folders whose files keep their names between releases: cached a day. (The large map's feed
#: and popups, assets/map/, change with the data: they are cached as pages.)
LONG_CACHED = ("static", "assets/leaflet", "basemap")
#: Top-level entries any origin may read, as the app's open-data answers.
OPEN_DATA = ("data", "ogc", "api")
#: The published site's own configuration, which readers are not served.
PRIVATE = ("_server", "_headers")
PAGE_CACHE = "public, max-age=300, must-revalidate"
#: Seconds nginx trusts what it knows of a file (open descriptor, size, absence) before
#: looking again: a new publish is served within this, while readers' caches hold pages
#: five minutes anyway (PAGE_CACHE).
FILE_CACHE_VALID = 5
LONG_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Range",
}
#: Media types by extension: nginx's defaults lack the geodata ones, and a server block that
#: declares ``types`` replaces the defaults, so the whole list is here.
MEDIA_TYPES = {
    "text/html": "html",
    "text/css": "css",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/javascript": "js mjs",
    "application/json": "json",
    "application/geo+json": "geojson",
    "application/vnd.google-earth.kml+xml": "kml",
    "application/geopackage+sqlite3": "gpkg",
    "application/xml": "xml",
    "image/png": "png",
    "image/svg+xml": "svg",
    "image/x-icon": "ico",
    "image/webp": "webp",
    "font/woff2": "woff2",
    "font/woff": "woff",
}
#: Types sent with ``charset=utf-8`` (all the text the atlas writes is UTF-8) beside
#: text/html, which nginx always includes (naming it again draws a warning at every start).
TEXT_TYPES = (
    "text/css text/csv text/plain application/javascript application/json "
    "application/geo+json application/vnd.google-earth.kml+xml application/xml image/svg+xml"
)


def brotli_static_available() -> bool:
    """Whether Debian's brotli_static module is installed here (nginx can serve ``.br``)."""
    return BROTLI_STATIC_MODULE.is_file()


def site_script_hashes(site: Path) -> list[str]:
    """CSP hash sources of every inline script of every published page of ``site`` (sorted).

    Map popups (``assets/``, ``ru/assets/``) are fragments inserted by a script, whose scripts
    never run.
    """
    hashes: set[str] = set()
    for page in site.rglob("*.html"):
        parts = page.relative_to(site).parts
        if parts[0] not in ("static", "basemap", *PRIVATE) and "assets" not in parts[:2]:
            hashes.update(_page_script_hashes(page.read_bytes()))
    return sorted(hashes)


def _page_script_hashes(page: bytes) -> Iterator[str]:
    """:func:`webapp.security.inline_script_hashes` of ``page``, given each <script> element
    alone: its regular expression over a whole 200 KB map page takes a millisecond, which
    200,000 pages of a large atlas would turn into minutes; finding the elements first takes
    a tenth of that.

    >>> list(_page_script_hashes(b'<p>x</p><SCRIPT>x = 1;</SCRIPT><script src="a.js"></script>'))
    ["'sha256-03jAmr2rYzY2g8yeHqeQY8HHCKsHFGpYa4WklgyYdMk='"]
    """
    lower = page.lower()  # ASCII case folding keeps every byte where it was
    start = 0
    while (opened := lower.find(b"<script", start)) != -1:
        body = lower.find(b">", opened) + 1
        closed = lower.find(b"</script>", body)
        if body == 0 or closed == -1:
            return
        start = closed + len(b"</script>")
        tag = page[opened:body].decode("utf-8")
        if inline_script_hashes(tag + "</script>"):  # runs (not src, not data): hash its body
            yield from inline_script_hashes(page[opened:start].decode("utf-8"))


def site_policy(site: Path, *, live_api: str | None = None) -> str:
    """The Content-Security-Policy of ``site``'s pages (not framable): the app's policy with
    the published pages' script hashes, and the live API's origin if pages may call it."""
    policy = content_security_policy(site_script_hashes(site), tile_origins())
    if live_api:
        parts = urlsplit(live_api)
        policy = policy.replace(
            "connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}"
        )
    return policy


def _headers_for(kind: str, policy: str) -> dict[str, str]:
    """Every header an answer of this kind carries: ``page`` (the default), ``frame`` (an embed
    page), ``long`` (scripts, styles, map files), ``open`` (downloads and OGC documents)."""
    headers = dict(STATIC_HEADERS)
    headers["Content-Security-Policy"] = policy
    if kind == "frame":
        headers["Content-Security-Policy"] = framing_allowed(policy)
        del headers["X-Frame-Options"]
    headers["Cache-Control"] = LONG_CACHE if kind == "long" else PAGE_CACHE
    if kind == "open":
        headers.update(CORS_HEADERS)
    return headers


def _nginx_string(value: str) -> str:
    """``value`` quoted for an nginx configuration."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_prefix(prefix: str) -> None:
    if not (prefix.startswith("/") and prefix.endswith("/")) or re.search(r"[\s;{}\"'$\\]", prefix):
        raise ValueError(f"the prefix must be a path starting and ending with '/', not {prefix!r}")


def nginx_config(
    site: Path,
    *,
    prefix: str = "/",
    listen: str = "127.0.0.1:8080",
    root: Path | None = None,
    live_api: str | None = None,
    policy: str | None = None,
) -> str:
    """A complete nginx ``server {}`` block serving the published ``site`` at ``prefix``.

    ``site`` is read for the pages' script hashes; ``root`` is where nginx will find the files
    (default: ``site``; publish passes the final directory while it writes a temporary one).
    ``policy``: :func:`site_policy` if already made (reading every page of a large atlas takes
    seconds).
    Include the block in nginx's ``http {}`` (Debian: a file in /etc/nginx/sites-enabled/);
    ``brotli_static`` is written only where the module is installed, since nginx refuses an
    unknown directive.

    >>> "try_files $uri $uri.html" in nginx_config(Path("/nonexistent"), prefix="/atlas/")
    True
    """
    _check_prefix(prefix)
    served = Path(root or site).resolve()
    policy = policy or site_policy(site, live_api=live_api)
    kinds = {kind: _headers_for(kind, policy) for kind in ("page", "frame", "long", "open")}
    quoted = re.escape(prefix)
    lines = [
        "# The published Corridor Atlas, made by `corridor-atlas publish`: static files only.",
        "server {",
        f"    listen {listen};",
        "    server_tokens off;",
        "    # Files opened, and addresses found missing (try_files asks for P before P.html),",
        "    # kept open between requests: without it a small page served at 0.66-0.75 of nginx's",
        "    # rate for the same bytes as a plain file (bench/publishing.py), with it at 0.95-1.2.",
        "    open_file_cache max=10000 inactive=60s;",
        f"    open_file_cache_valid {FILE_CACHE_VALID}s;",
        "    open_file_cache_errors on;",
        "    charset utf-8;",
        f"    charset_types {TEXT_TYPES};",
        "    # Redirects keep to the path the reader asked for (right behind a proxy, too).",
        "    absolute_redirect off;",
        "    # Precompressed files written beside each file: file.gz, file.br.",
        "    gzip_static on;",
        "    gzip_vary on;",
    ]
    if brotli_static_available():
        lines.append("    brotli_static on;")
    else:
        lines.append(
            "    # brotli_static on;  # needs libnginx-mod-http-brotli-static (not installed here)"
        )
    lines += [
        "    default_type application/octet-stream;",
        "    types {",
        *(f"        {name} {extensions};" for name, extensions in MEDIA_TYPES.items()),
        "    }",
        "    # Headers by kind of answer; nginx leaves out a header whose value is empty.",
        *_nginx_kind_variables(kinds, quoted),
        *(
            f"    add_header {name} $atlas_{_variable(name)} always;"
            for name in _header_names(kinds)
        ),
    ]
    if prefix != "/":
        lines.append(f"    location = {prefix[:-1]} {{ return 301 {prefix}; }}")
    lines += [
        f"    location ^~ {prefix} {{",
        f"        alias {_nginx_string(f'{served}/')};",
        "        try_files $uri $uri.html $uri/index.html $uri.json $uri/index.json =404;",
        "    }",
        *(f"    location ^~ {prefix}{name}/ {{ return 404; }}" for name in PRIVATE[:1]),
        *(f"    location = {prefix}{name} {{ return 404; }}" for name in PRIVATE[1:]),
    ]
    if (Path(site) / "404.html").is_file():
        lines.append(f"    error_page 404 {prefix}404.html;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _variable(header: str) -> str:
    return header.lower().replace("-", "_")


def _header_names(kinds: dict[str, dict[str, str]]) -> list[str]:
    return list(dict.fromkeys(name for headers in kinds.values() for name in headers))


def _nginx_kind_variables(kinds: dict[str, dict[str, str]], quoted_prefix: str) -> Iterator[str]:
    """``set`` lines choosing each header's value by the requested path, at server level (so
    that ``if`` only sets variables, its one safe use)."""
    names = _header_names(kinds)
    patterns = {
        "frame": rf"^{quoted_prefix}(ru/)?({'|'.join(FRAMEABLE_PAGES)})(\.html)?$",
        "long": rf"^{quoted_prefix}({'|'.join(LONG_CACHED)})/",
        # /ogc is the OGC landing document; /data and /api are pages (data.html, api.html).
        "open": rf"^{quoted_prefix}(({'|'.join(OPEN_DATA)})/|ogc$)",
    }
    for name in names:
        yield f"    set $atlas_{_variable(name)} {_nginx_string(kinds['page'].get(name, ''))};"
    for kind, pattern in patterns.items():
        yield f"    if ($uri ~ {_nginx_string(pattern)}) {{"
        for name in names:
            value = kinds[kind].get(name, "")
            if value != kinds["page"].get(name, ""):
                yield f"        set $atlas_{_variable(name)} {_nginx_string(value)};"
        yield "    }"


def headers_file(site: Path, *, live_api: str | None = None, policy: str | None = None) -> str:
    """The ``_headers`` file of ``site`` for Netlify and Cloudflare Pages: the same headers as
    :func:`nginx_config`, for a site at the host's root.

    Both hosts ADD the headers of every rule a path matches (Netlify joins repeated names with
    commas, which would make two policies of one), so the rules never overlap: one per
    top-level file or folder, the folders holding an embed page split one level further.
    """
    policy = policy or site_policy(site, live_api=live_api)
    blocks = []
    for path, kind in _header_rules(site, site):
        headers = _headers_for(kind, policy)
        blocks.append("\n".join([path, *(f"  {name}: {value}" for name, value in headers.items())]))
    return "# Headers of the published Corridor Atlas (Netlify, Cloudflare Pages).\n" + (
        "\n".join(blocks) + "\n"
    )


def _header_rules(site: Path, folder: Path) -> Iterable[tuple[str, str]]:
    """(path pattern, kind) for every entry of ``folder``, not overlapping."""
    for entry in sorted(folder.iterdir()):
        relative = entry.relative_to(site).as_posix()
        top = relative.split("/", 1)[0]
        if top in PRIVATE or entry.suffix in (".gz", ".br"):
            continue
        long = any(f"{relative}/".startswith(f"{folder}/") for folder in LONG_CACHED)
        kind = "long" if long else "open" if top in OPEN_DATA else "page"
        if entry.is_dir():
            holds_other_kinds = any(folder.startswith(f"{relative}/") for folder in LONG_CACHED)
            if holds_other_kinds or any(
                (entry / f"{page}.html").exists() for page in FRAMEABLE_PAGES
            ):
                yield from _header_rules(site, entry)
            else:
                yield f"/{relative}/*", kind
        elif entry.suffix == ".html":
            page = relative.removesuffix(".html")
            if entry.stem in FRAMEABLE_PAGES:
                kind = "frame"
            if page == "index" or page.endswith("/index"):
                yield f"/{page.removesuffix('index')}", kind
            else:
                yield f"/{page}", kind
            yield f"/{relative}", kind
        else:
            yield f"/{relative}", kind
