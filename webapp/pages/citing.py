"""What the pages need to cite an article: its headline or atlas-written title, publisher,
publication date and address, and each quote's link to where it stands in its source page.

The citation fields live in sources.json beside each article's text (see the data contract);
the loaded :class:`webapp.model.articles.Article` keeps them as ``cited_as``, read with its
text in one pass, so they always describe the article shown. Every field is optional: an
older build, or one without a field, is cited with what it has and says what is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from webapp.model.articles import Article


@dataclass(frozen=True)
class ArticleInfo:
    """How to cite one article (the fields the ``citation`` filter reads, and more)."""

    slug: str
    title: str
    title_is_editorial: bool = False
    headline: str | None = None
    publisher: str | None = None
    published: str | None = None
    published_note: str | None = None
    url: str | None = None
    language: str | None = None


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) and value else None


def _web_address(url: str | None) -> str | None:
    """``url`` if it is an http(s) address (a page links it), else None.

    >>> _web_address("https://example.org/a"), _web_address("javascript:alert(1)")
    ('https://example.org/a', None)
    """
    return url if url and url.lower().startswith(("https://", "http://")) else None


def article_info(article: Article, record: Mapping[str, Any]) -> ArticleInfo:
    """The citation of ``article`` from its sources.json ``record`` (any field may be absent)."""
    return ArticleInfo(
        slug=article.slug,
        title=_text(record, "title") or article.title,
        title_is_editorial=record.get("title_is_editorial") is True,
        headline=_text(record, "headline"),
        publisher=_text(record, "publisher"),
        published=_text(record, "published"),
        published_note=_text(record, "published_note"),
        url=_web_address(_text(record, "url")),
        language=_text(record, "language"),
    )


def read_article_info(articles: Iterable[Article]) -> dict[str, ArticleInfo]:
    """Each article's citation by slug."""
    return {article.slug: article_info(article, article.cited_as) for article in articles}


@dataclass(frozen=True)
class QuoteCitation:
    """A quote as the pages show it: the words, the article's citation and the link to the
    quote in its source page (``href`` is None when the article is not in the build)."""

    quote: str
    source: ArticleInfo | Mapping[str, Any]
    href: str | None


def locate(
    quote: str, feature_id: str, seeds: Sequence[str], article: Callable[[str], Article | None]
) -> tuple[Article | None, str | None]:
    """The article among ``seeds`` (file names) that holds ``quote``, and the anchor of this
    feature's catalogued citation of it (``q-<n>``) if there is one.

    A status or figure quote is checked verbatim in one of the feature's own articles by the
    build, but not always catalogued as a citation: it then links to the article's page.
    """
    found: Article | None = None
    for seed in seeds:
        candidate = article(seed.removesuffix(".txt"))
        if candidate is None:
            continue
        number = candidate.citations.number_of(feature_id, quote)
        if number is not None:
            return candidate, f"q-{number}"
        if found is None and quote in candidate.text:
            found = candidate
    return found, None
