"""What the About page states, computed from the loaded data rather than written by hand: how
many articles and features the atlas holds, the span of the articles' dates, how its corridors
were drawn, and the licence and citation the data's own metadata gives.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from flask_babel import LazyString, lazy_gettext

from webapp.model.atlas import Atlas
from webapp.model.store import KINDS
from webapp.pages.citing import ArticleInfo

#: What each stage of ``geodata.vocabulary.STAGES`` means in the atlas (a test checks that
#: every stage has one), translated when the page is shown.
STAGE_MEANINGS: dict[str, LazyString] = {
    "proposed": lazy_gettext(
        "Suggested or under discussion; no decision to build it has been reported."
    ),
    "planned": lazy_gettext(
        "Agreed or decided (an agreement, a plan, a target date), with no construction "
        "reported yet."
    ),
    "under construction": lazy_gettext("Work on it is reported to be under way."),
    "operational": lazy_gettext(
        "In service: carrying traffic, producing or open, even if it is still being extended."
    ),
    "completed": lazy_gettext("Finished: built, or (for an event) held."),
}

#: How a corridor's line was drawn (its ``basis``), in the order the page lists them.
BASIS_MEANINGS: dict[str, LazyString] = {
    "stations": lazy_gettext(
        "through the named stations, ports and border crossings the articles or "
        "references give, in route order"
    ),
    "endpoints": lazy_gettext("straight (geodesic) between its two ends: only they are known"),
    "mixed": lazy_gettext("partly through named stations, partly between known points only"),
}

#: The licence of the atlas's own data when its metadata does not state one.
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Coverage:
    """The scope of the atlas as loaded."""

    articles: int
    first_published: str | None
    last_published: str | None
    undated: int
    corridors: int
    sites: int
    bases: list[tuple[str, int]]


@dataclass(frozen=True)
class Licence:
    """The licence of the atlas's data and the text to cite it by."""

    name: str
    url: str
    cite_as: str


def _bases(atlas: Atlas) -> Counter[str]:
    store = atlas.store
    counts: Counter[str] = Counter()
    for position in np.flatnonzero(store.kinds == KINDS.index("corridor")):
        properties = json.loads(store.raw(int(position)))["properties"]
        counts[properties.get("basis") or "not recorded"] += 1
    return counts


def coverage(atlas: Atlas, articles: Iterable[ArticleInfo]) -> Coverage:
    """Articles, their publication dates' span, feature counts and corridors by basis."""
    infos = list(articles)
    dates = sorted(a.published for a in infos if a.published)
    counts = atlas.counts()
    bases = _bases(atlas)
    order = [*BASIS_MEANINGS, "not recorded"]
    return Coverage(
        articles=len(infos),
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
        undated=len(infos) - len(dates),
        corridors=counts["corridors"],
        sites=counts["sites"],
        bases=[(b, bases[b]) for b in order if bases[b]],
    )


def licence(atlas: Atlas) -> Licence:
    """The licence and citation from the GeoJSON's top-level ``metadata``, so the page cites the
    data exactly as the files do; a build without metadata is cited by its build date."""
    metadata = atlas.store.header.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    fallback = f"Corridor Atlas (data built {atlas.built_at:%Y-%m-%d}), {LICENCE}."
    return Licence(
        name=metadata.get("licence") or LICENCE,
        url=metadata.get("licence_url") or LICENCE_URL,
        cite_as=metadata.get("cite_as") or fallback,
    )
