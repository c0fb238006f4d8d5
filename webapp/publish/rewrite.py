"""The app's documents rewritten for the static site: every link relative to the document.

HTML: the attributes holding URLs (``href``, ``src``, ``action``, ``content``), the JSON data
blocks the map's scripts read (parsed, every URL string rewritten, written back escaped for a
``<script>`` element), and the quoted paths inside inline scripts (folium's popups). A link the
static site cannot serve loses its ``href`` (the text stays, never a 404); a form asking the
app (the table's filters) is replaced by a note. JSON documents (OGC, OpenAPI): every
string that is an app URL.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import escape

from webapp.publish.links import ORIGIN

#: Turns an app URL into the document's link to it, or None where nothing static serves it.
Mapper = Callable[[str], str | None]

_SCRIPT = re.compile(r"(<script(?P<attrs>[^>]*)>)(?P<body>.*?)(</script>)", re.S | re.I)
_JSON_TYPE = re.compile(r"""type\s*=\s*["']application/(?:ld\+)?json["']""", re.I)
_ATTRIBUTE = re.compile(
    r"""(?P<lead>\s(?P<name>href|src|action|content|poster)=)(?P<q>["'])(?P<value>[^"']*)(?P=q)""",
    re.I,
)
_FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>.*?</form>", re.S | re.I)
_ACTION = re.compile(r"""\saction=["'](?P<value>[^"']*)["']""", re.I)
#: A quoted absolute path in script text: ``"/x"``, ``'/x'``, or ``\"/x\"`` in escaped HTML
#: (not a lone ``"/"``: in code that is a separator far more often than the home page).
_QUOTED_PATH = re.compile(r"""(?P<q>\\?["'])(?P<url>/[^/"'\s<>\\][^"'\s<>\\]*)(?P=q)""")
_LINK_START = ("/", "?", ORIGIN)


def html_document(page: str, mapper: Mapper, note: str) -> str:
    """``page`` with its links made static by ``mapper``; ``note`` (HTML) replaces a form
    that only the live app can answer."""
    page = _FORM.sub(lambda m: _form(m, mapper, note), page)
    pieces = []
    position = 0
    for match in _SCRIPT.finditer(page):
        pieces.append(_attributes(page[position : match.start()], mapper))
        pieces.append(_script(match, mapper))
        position = match.end()
    pieces.append(_attributes(page[position:], mapper))
    return "".join(pieces)


def _form(match: re.Match[str], mapper: Mapper, note: str) -> str:
    """A form asking the app (the table's filters): static files answer no query, so the
    form gives way to ``note``."""
    action = _ACTION.search(match.group("attrs"))
    if action is None or not html.unescape(action.group("value")).startswith("/"):
        return match.group(0)
    return note


def _attributes(text: str, mapper: Mapper) -> str:
    def one(match: re.Match[str]) -> str:
        value = html.unescape(match.group("value"))
        if not value.startswith(_LINK_START):
            return match.group(0)
        target = mapper(value)
        if target is None:
            if match.group("name").lower() == "content":
                return match.group(0)
            return ""  # a link to nothing published: the element stays, without the link
        return f"{match.group('lead')}{match.group('q')}{escape(target)}{match.group('q')}"

    return _ATTRIBUTE.sub(one, text)


def _script(match: re.Match[str], mapper: Mapper) -> str:
    body = match.group("body")
    if "src=" in match.group("attrs").lower() and not body.strip():
        return _attributes(match.group(1), mapper) + body + match.group(4)
    if _JSON_TYPE.search(match.group("attrs")):
        data = json_data(json.loads(body), mapper)
        body = str(htmlsafe_json_dumps(data, ensure_ascii=False))
    else:
        body = _QUOTED_PATH.sub(lambda m: _quoted(m, mapper), body)
    return match.group(1) + body + match.group(4)


def _quoted(match: re.Match[str], mapper: Mapper) -> str:
    url = match.group("url").replace("\\u0026", "&").replace("&amp;", "&")
    target = mapper(url)
    if target is None:
        return match.group(0)
    quote = match.group("q")
    return quote + target.replace("&", "\\u0026") + quote


def json_data(value: Any, mapper: Mapper) -> Any:
    """``value`` (parsed JSON) with every string that is an app URL rewritten, and the links
    inside strings of HTML (popups held in the map's data) too."""
    if isinstance(value, dict):
        return {key: json_data(item, mapper) for key, item in value.items()}
    if isinstance(value, list):
        return [json_data(item, mapper) for item in value if not _dead_link(item, mapper)]
    if isinstance(value, str):
        if value.startswith(("/", ORIGIN)) and not value.startswith("//") and value != "/":
            target = mapper(value)
            return value if target is None else target
        if "<" in value and ("href=" in value or "src=" in value):
            return _attributes(value, mapper)
    return value


def _dead_link(item: Any, mapper: Mapper) -> bool:
    """Whether ``item`` is a link object (``{"href": …}``) to an app URL nothing static
    serves (an OGC document as HTML): it is left out rather than lead to a 404."""
    if not isinstance(item, dict) or not isinstance(item.get("href"), str):
        return False
    href = item["href"]
    return href.startswith(("/", ORIGIN)) and not href.startswith("//") and mapper(href) is None


def json_document(body: bytes, mapper: Mapper) -> bytes:
    """A JSON document (OGC, OpenAPI) with its URLs rewritten, compact UTF-8."""
    data = json_data(json.loads(body), mapper)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
