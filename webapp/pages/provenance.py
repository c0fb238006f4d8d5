"""Where a fact comes from, shaped for the pages: quotes in their articles, and resolved positions.

The feature page links each quote to its highlighted place on the source page
(``/sources/<slug>#q-<n>``, ``n`` being the citation's index in sources.json), and says how
each position was resolved. The source page shows the article as segments (see
``webapp.pages.highlight``) with, per segment, what to link and how to label it; by default only
the paragraphs that hold a quote (:func:`excerpt`). Everything here is plain data; templates
escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext

from webapp.i18n.formatting import format_number
from webapp.model.articles import Article, Cited
from webapp.pages.highlight import Segment, paragraphs

GEONAMES_URL = "https://www.geonames.org/{}"
#: Labels in a quote's tooltip, and feature links after a shared quote, shown before "N more".
LISTED = 10
OSM_URL = "https://www.openstreetmap.org/{}/{}"
#: OpenStreetMap's element types as a reader reads them (the URL keeps OSM's own word).
OSM_TYPES = {
    "node": lazy_gettext("node"),
    "way": lazy_gettext("way"),
    "relation": lazy_gettext("relation"),
}


@dataclass(frozen=True)
class Resolution:
    """How a position was found, as text, with a link to the gazetteer record when there is one."""

    text: str
    href: str | None = None
    #: A curator's reference quoted as written (English), shown after ``text``.
    reference: str | None = None


def describe_resolution(resolved_by: str) -> Resolution:
    """A readable form of a ``located_by`` entry's ``resolved_by``.

    >>> describe_resolution("geonames:1514402")
    Resolution(text='GeoNames 1514402', href='https://www.geonames.org/1514402', reference=None)
    >>> describe_resolution("curated:Wikipedia, article X")
    Resolution(text='curated:', href=None, reference='Wikipedia, article X')
    >>> describe_resolution("nominatim:way/42").text
    'OpenStreetMap way 42 (Nominatim)'
    """
    scheme, _, value = resolved_by.partition(":")
    if scheme == "geonames" and value.isdigit():
        return Resolution(f"GeoNames {value}", GEONAMES_URL.format(value))
    if scheme == "curated":
        return Resolution(gettext("curated:"), reference=value)
    osm_type, _, osm_id = value.partition("/")
    if scheme == "nominatim" and osm_type in {"node", "way", "relation"} and osm_id.isdigit():
        text = gettext(
            "OpenStreetMap %(type)s %(id)s (Nominatim)", type=OSM_TYPES[osm_type], id=osm_id
        )
        return Resolution(text, OSM_URL.format(osm_type, osm_id))
    return Resolution(resolved_by)


@dataclass(frozen=True)
class Tag:
    """A small link after a quote: to a feature page, or to the note on a not-mapped mention."""

    href: str
    text: str
    label: str


@dataclass(frozen=True)
class MarkedSegment:
    """One segment of the article as the template renders it."""

    text: str
    marked: bool = False
    anchors: tuple[int, ...] = ()
    citations: tuple[int, ...] = ()
    href: str | None = None
    title: str = ""
    unmapped: bool = False
    tags: tuple[Tag, ...] = ()


def _some(items: list[str]) -> list[str]:
    """At most :data:`LISTED` of ``items``, then how many more there are."""
    extra = len(items) - LISTED
    if extra <= 0:
        return items
    return [*items[:LISTED], gettext("and %(count)s more", count=format_number(extra))]


def _not_mapped(citation: Cited) -> str:
    return gettext("Not mapped: %(label)s", label=citation.label)


def _title(citations: list[Cited]) -> str:
    labels = [
        c.label if c.feature else f"{_not_mapped(c)}. {c.why or ''}".strip() for c in citations
    ]
    return " | ".join(_some(list(dict.fromkeys(labels))))


def _tags(
    segment: Segment,
    article: Article,
    ambiguous: set[int],
    names: Mapping[str, str],
    feature_url: Callable[[str], str],
) -> tuple[Tag, ...]:
    tags = []
    for number in segment.ends:
        citation = article.citations[number]
        if citation.feature is None:
            tags.append(Tag(f"#nm-{number}", "*", _not_mapped(citation)))
        elif number in ambiguous:
            name = names.get(citation.feature, citation.label)
            label = gettext("Feature page: %(name)s", name=name)
            tags.append(Tag(feature_url(citation.feature), name, label))
    if len(tags) > LISTED:
        more = gettext("%(count)s more", count=format_number(len(tags) - LISTED))
        every = gettext("Every feature this article supports")
        tags[LISTED:] = [Tag("#supported-heading", more, every)]
    return tuple(tags)


def mark_article(
    article: Article, names: Mapping[str, str], feature_url: Callable[[str], str]
) -> list[list[MarkedSegment]]:
    """The article's paragraphs, every catalogued quote marked and linked.

    A marked segment links to its feature when the quotes covering it name exactly one
    feature. Where several features share a passage (e.g. two technoparks in one sentence),
    the text is left unlinked and each quote ends with a small link per feature (the first
    :data:`LISTED`, then how many more); a not-mapped mention ends with a link to its note.
    """
    citations = article.citations
    spans = list(zip(citations.starts.tolist(), citations.ends.tolist(), strict=True))
    split = paragraphs(article.text, spans)
    ambiguous: set[int] = set()
    for paragraph in split:
        for segment in paragraph:
            if len(citations.features_of(segment.citations)) > 1:
                ambiguous.update(segment.citations)
    result = []
    for paragraph in split:
        row = []
        for segment in paragraph:
            covering = [citations[n] for n in segment.citations]
            features = citations.features_of(segment.citations)
            row.append(
                MarkedSegment(
                    text=segment.text,
                    marked=bool(covering),
                    anchors=segment.starts,
                    citations=segment.citations,
                    href=feature_url(features[0]) if len(features) == 1 else None,
                    title=_title(covering),
                    unmapped=bool(covering) and not features,
                    tags=_tags(segment, article, ambiguous, names, feature_url),
                )
            )
        result.append(row)
    return result


def excerpt(
    paragraphs: list[list[MarkedSegment]],
) -> list[list[MarkedSegment] | None]:
    """Only the paragraphs that hold a highlighted quote, with None wherever paragraphs were
    left out (the page shows "…"), so a source page quotes the article rather than reprinting it.

    >>> quoted, plain = [MarkedSegment("Q", marked=True)], [MarkedSegment("text")]
    >>> [p and p[0].text for p in excerpt([plain, quoted, quoted, plain, plain, quoted])]
    [None, 'Q', 'Q', None, 'Q']
    >>> excerpt([plain]), excerpt([quoted]) == [quoted]
    ([None], True)
    """
    shown: list[list[MarkedSegment] | None] = []
    for paragraph in paragraphs:
        if any(segment.marked for segment in paragraph):
            shown.append(paragraph)
        elif not shown or shown[-1] is not None:
            shown.append(None)
    return shown
