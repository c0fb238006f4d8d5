"""Share cards: the ``og:`` and ``twitter:`` meta tags of the map, feature and source pages,
and the preview images the build drew for them (``geodata.previews``), served as downloads.

A link pasted into a messenger shows a card: title, description, and the image of the feature
(a small static map) or of the whole atlas. Every address in the tags is absolute and starts
with :func:`webapp.responses.public_root` (the configured public URL, else the request's host as
ProxyFix corrected it). The map page is rendered once, when the app is made, so its tags carry
:data:`ROOT_MARK` where the root goes and :func:`with_public_root` puts the request's root in.

The images are listed by the build's manifest; ``/previews/atlas.png`` and
``/previews/features/<id>.png`` serve them with the downloads' validators and caching (strong
ETag of the bytes, Last-Modified the build time, 304 on If-None-Match).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, request
from flask_babel import gettext
from markupsafe import Markup, escape
from werkzeug.urls import iri_to_uri

from geodata.errors import ManifestError
from geodata.outputs import (
    ATLAS_CARD,
    CARD_SIZE,
    PREVIEW_DIR,
    feature_card,
    is_output,
    read_manifest,
)
from webapp.http.representation import Representation
from webapp.i18n import LANGUAGES, current_language
from webapp.responses import public_root, replayable, send
from webapp.state import get_state, state_of

#: Where the public root goes in a page rendered before any request (the map).
ROOT_MARK = "__CORRIDOR_ATLAS_PUBLIC_ROOT__"
#: The Open Graph locale of each interface language.
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU"}
#: Longest description in a card; longer ones are cut at a word boundary.
DESCRIPTION_CHARS = 200
SITE_NAME = "Corridor Atlas"
_PART = "share-cards"

bp = Blueprint("previews", __name__, url_prefix=f"/{PREVIEW_DIR}")


@dataclass(frozen=True)
class Cards:
    """The preview images of the loaded build: their output names, and where they lie."""

    data_dir: Path
    names: frozenset[str]
    built_at: datetime

    @classmethod
    def load(cls, data_dir: Path, built_at: datetime) -> Cards:
        """The images ``data_dir``'s manifest lists; without a manifest (a directory made by
        hand, which the atlas loader accepts too), the images found there."""
        data_dir = Path(data_dir)
        try:
            listed: Iterable[str] = read_manifest(data_dir).files
        except ManifestError:
            found = (data_dir / PREVIEW_DIR).rglob("*.png")
            listed = [path.relative_to(data_dir).as_posix() for path in found]
        names = frozenset(
            name for name in listed if name.startswith(f"{PREVIEW_DIR}/") and is_output(name)
        )
        return cls(data_dir, names, built_at)

    def image_of(self, feature_id: str | None = None) -> str | None:
        """The path of a feature's image (the atlas's for None or a feature without one), or
        None when the build drew no images."""
        for name in (feature_card(feature_id) if feature_id else None, ATLAS_CARD):
            if name in self.names:
                return f"/{name}"
        return None

    def representation(self, name: str) -> Representation | None:
        """The image ``name`` as a download, or None if the build has no such image."""
        if name not in self.names:
            return None
        try:
            body = (self.data_dir / name).read_bytes()
        except OSError:
            return None
        return Representation(body=body, media_type="image/png", last_modified=self.built_at)


def cards() -> Cards:
    """The preview images of the app handling the current request."""
    return get_state().part(_PART)


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` with "…".

    >>> shorten("A railway  route\\nfrom Xi'an to Tashkent.", 30)
    "A railway route from Xi'an to…"
    >>> shorten("A railway route from Xi'an to Tashkent.", 28)
    "A railway route from Xi'an…"
    >>> shorten("Short.", 30)
    'Short.'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[len(cut)] != " " and " " in cut:  # the cut is inside a word: drop that word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


def share_meta(
    title: str,
    description: str,
    feature_id: str | None = None,
    image_alt: str | None = None,
    root: str | None = None,
) -> Markup:
    """The ``og:`` and ``twitter:`` meta tags of the current page, every value escaped.

    ``feature_id`` picks the feature's image (else the atlas's); ``root`` replaces the public
    root (the map page passes :data:`ROOT_MARK`). ``og:url`` is the page in the current
    language, the language's own address.
    """
    root = public_root() if root is None else root
    language = current_language()
    path = "/" if request.path == "/embed" else iri_to_uri(request.path)  # one map, one address
    image = cards().image_of(feature_id)
    if image_alt is None:
        image_alt = gettext("Map of the transport corridors and sites of Central Asia")
    description = shorten(description)
    tags = [
        ("property", "og:site_name", SITE_NAME),
        ("property", "og:type", "website"),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", f"{root}{path}?lang={language}"),
        ("property", "og:locale", OG_LOCALES.get(language, "en_GB")),
        *(
            ("property", "og:locale:alternate", OG_LOCALES[code])
            for code in LANGUAGES
            if code != language and code in OG_LOCALES
        ),
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        width, height = CARD_SIZE
        tags += [
            ("property", "og:image", f"{root}{image}"),
            ("property", "og:image:type", "image/png"),
            ("property", "og:image:width", str(width)),
            ("property", "og:image:height", str(height)),
            ("property", "og:image:alt", image_alt),
            ("name", "twitter:image", f"{root}{image}"),
            ("name", "twitter:image:alt", image_alt),
        ]
    line = Markup('<meta {}="{}" content="{}">')
    return Markup("\n").join(line.format(kind, key, value) for kind, key, value in tags)


def feature_image_alt(name: str) -> str:
    """The alternative text of a feature's image, in the page's language."""
    return gettext("Map of %(name)s and its surroundings", name=name)


def article_description(title: str) -> str:
    """The description of a source page's card, in the page's language."""
    return gettext(
        "The article “%(title)s”, and each quote the Corridor Atlas cites from it.", title=title
    )


def with_public_root(page: str) -> str:
    """A page rendered with :data:`ROOT_MARK` with the current request's public root in its
    place (escaped: a Host header is the client's to choose)."""
    return page.replace(ROOT_MARK, str(escape(public_root())))


@bp.get("/atlas.png")
@replayable
def atlas_image() -> Response:
    """The whole atlas's card: the map page's and the source pages' image."""
    return _image(ATLAS_CARD, "The build drew no preview image of the atlas.")


@bp.get("/features/<feature_id>.png")
@replayable
def feature_image(feature_id: str) -> Response:
    """One feature's card, e.g. /previews/features/bekabad-industrial-park.png."""
    return _image(
        feature_card(feature_id),
        f"There is no preview image of a feature {feature_id!r}; the list is at /features.",
    )


def _image(name: str, missing: str) -> Response:
    entity = cards().representation(name)
    if entity is None:
        abort(404, missing)
    return send(entity)


def init_app(app: Flask) -> None:
    """List the loaded build's preview images, register their routes, and give the templates
    ``share_meta`` and the texts of the cards."""
    state = state_of(app)
    state.parts[_PART] = Cards.load(Path(app.config["DATA_DIR"]), state.atlas.built_at)
    app.jinja_env.globals.update(
        share_meta=share_meta,
        feature_image_alt=feature_image_alt,
        article_description=article_description,
    )
    app.register_blueprint(bp)
