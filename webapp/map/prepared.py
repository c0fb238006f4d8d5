"""What the map part prepares once per app: the rendered page, a large atlas's feed of
features, and the popups that page fetches one by one.

Free of Flask.
"""

from __future__ import annotations

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
        leaflet_css="/assets/leaflet/leaflet.css",
        atlas_css="/static/atlas.css",
        favicon="/static/favicon.svg",
        downloads={name: f"/data/{name}" for name in FILES},
    )


@dataclass
class MapPart:
    """The map page (for / and /embed), the large map's feed, and its popups when asked."""

    atlas: Atlas
    page: str
    feed: Representation
    popups: BoundedCache[Representation] = field(repr=False)

    @classmethod
    def prepare(cls, atlas: Atlas, inline_limit: int, kept_popups: int) -> MapPart:
        """Render the page and make the feed (with its gzip) of ``atlas``."""
        body = map_feed(atlas.store)
        feed = Representation(body, mediatypes.JSON, atlas.built_at, compress(body))
        page = render_page(atlas, page_assets(), inline_limit)
        return cls(atlas, page, feed, BoundedCache(kept_popups))

    def popup(self, feature_id: str) -> Representation | None:
        """The popup of a feature (``webapp.map.fragments``) as an HTML fragment, or None."""
        if self.atlas.store.position(feature_id) is None:
            return None
        return self.popups.get_or_make(feature_id, lambda: self._render(feature_id))

    def _render(self, feature_id: str) -> Representation:
        html = str(popup_html(self.atlas.feature(feature_id))).encode("utf-8")
        return Representation(html, mediatypes.HTML, self.atlas.built_at)
