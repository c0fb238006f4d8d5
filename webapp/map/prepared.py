"""What the map part prepares once per app: the rendered page in each language, a large
atlas's feed of features, and the popups that page fetches one by one (kept per language).
The page is compressed for the readers who accept gzip like every other page of the app
(``webapp.compression``: 187 KB becomes 34 KB for the seed atlas).

Rendering reads the language from the current context (``webapp.i18n``): the map part's
``init_app`` renders each language's page in a request context for that language. A page
rendered before for the same build and code is read from ``webapp.map.pagecache`` instead, and
folium (``webapp.map.page``, ``webapp.map.fragments``) is imported only when something is
rendered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from webapp.cache import BoundedCache
from webapp.http import mediatypes
from webapp.http.representation import Representation, compress
from webapp.map.assets import page_assets
from webapp.map.pagecache import PageCache
from webapp.map.pagedata import map_feed
from webapp.model.atlas import Atlas


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
        rendered: PageCache | None = None,
    ) -> MapPart:
        """Render the page in each of ``languages`` (each inside ``speaking(language)``), or
        read it from ``rendered`` when it holds it, and make the feed (with its gzip) of
        ``atlas``."""
        built = atlas.prepared.feeds if atlas.prepared is not None else {}
        if "features.json" in built:  # made by the build (webapp.model.serving)
            body, gzipped = built["features.json"]
        else:
            body = map_feed(atlas.store)
            gzipped = compress(body)
        feed = Representation(body, mediatypes.JSON, atlas.built_at, gzipped)

        def render(language: str) -> str:
            from webapp.map.page import render_page

            with speaking(language):
                return render_page(atlas, page_assets(), inline_limit)

        pages = {}
        for language in languages:
            if rendered is None:
                pages[language] = render(language)
            else:
                key = rendered.key(atlas.content_id, language, inline_limit)
                pages[language] = rendered.get_or_render(key, functools.partial(render, language))
        return cls(atlas, pages, feed, BoundedCache(kept_popups))

    def popup(self, feature_id: str, language: str) -> Representation | None:
        """The popup of a feature (``webapp.map.fragments``) as an HTML fragment in the
        current context's ``language``, or None."""
        if self.atlas.store.position(feature_id) is None:
            return None
        return self.popups.get_or_make(f"{language}/{feature_id}", lambda: self._render(feature_id))

    def _render(self, feature_id: str) -> Representation:
        from webapp.map.fragments import popup_html

        html = str(popup_html(self.atlas.feature(feature_id))).encode("utf-8")
        return Representation(html, mediatypes.HTML, self.atlas.built_at)
