"""What the map part prepares once per app: the rendered page in each language, a large
atlas's feed of features, and the popups that page fetches one by one (kept per language).
The page is compressed for the readers who accept gzip like every other page of the app
(``webapp.compression``: 187 KB becomes 34 KB for the seed atlas).

Rendering reads the language from the current context (``webapp.i18n``): the map part's
``init_app`` renders each language's page in a request context for that language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from webapp.cache import BoundedCache
from webapp.http import mediatypes
from webapp.http.representation import Representation, compress
from webapp.map.fragments import popup_html
from webapp.map.page import PageAssets, render_page
from webapp.map.pagedata import map_feed
from webapp.model.atlas import FILES, Atlas


def page_assets() -> PageAssets:
    """The local URLs the map page loads; they match the routes this app registers."""
    return PageAssets(
        leaflet_js="/assets/leaflet/leaflet.js",
        favicon="/static/favicon.svg",
        downloads={name: f"/data/{name}" for name in FILES},
    )


@dataclass
class MapPart:
    """The map page (for / and /embed) by language, the large map's feed, and its popups."""

    atlas: Atlas
    pages: dict[str, str]
    feed: Representation
    popups: BoundedCache[Representation] = field(repr=False)

    @classmethod
    def prepare(
        cls,
        atlas: Atlas,
        inline_limit: int,
        kept_popups: int,
        languages: Iterable[str],
        speaking: Callable[[str], AbstractContextManager[object]],
    ) -> MapPart:
        """Render the page in each of ``languages`` (each inside ``speaking(language)``) and
        make the feed (with its gzip) of ``atlas``."""
        built = atlas.prepared.feeds if atlas.prepared is not None else {}
        if "features.json" in built:  # made by the build (webapp.model.serving)
            body, gzipped = built["features.json"]
        else:
            body = map_feed(atlas.store)
            gzipped = compress(body)
        feed = Representation(body, mediatypes.JSON, atlas.built_at, gzipped)
        pages = {}
        for language in languages:
            with speaking(language):
                pages[language] = render_page(atlas, page_assets(), inline_limit)
        return cls(atlas, pages, feed, BoundedCache(kept_popups))

    def popup(self, feature_id: str, language: str) -> Representation | None:
        """The popup of a feature (``webapp.map.fragments``) as an HTML fragment in the
        current context's ``language``, or None."""
        if self.atlas.store.position(feature_id) is None:
            return None
        return self.popups.get_or_make(f"{language}/{feature_id}", lambda: self._render(feature_id))

    def _render(self, feature_id: str) -> Representation:
        html = str(popup_html(self.atlas.feature(feature_id))).encode("utf-8")
        return Representation(html, mediatypes.HTML, self.atlas.built_at)
