"""Reading an article: decoding, sentences with offsets, and the title and date it states.

Everything downstream quotes the decoded text by 0-based character offsets, so this module
never changes the text: it only finds spans in it.

>>> article = read_article(b"Big news today\\nA plant opened in Taraz. It is big.", "a.txt")
>>> article.title.value, [article.text[s:e] for s, e in article.sentences()]
('Big news today', ['Big news today', 'A plant opened in Taraz.', 'It is big.'])
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import date

from geodata.errors import AtlasError

#: Larger articles are refused: a news article is a few kilobytes, and the extractors'
#: regular expressions are linear, but a pasted dump is not an article.
MAX_BYTES = 2_000_000
#: English month names (Python starts in the C locale, whatever the system's).
_MONTHS = list(calendar.month_name[1:])
_MONTH = "|".join(_MONTHS)
_DATE_PATTERNS = (
    re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)
_BOILERPLATE_LINE = re.compile(
    r"^(?:photo|image|last update|updated|by |source|none$|share\b|read more)|\blogo$", re.I
)
_STOP = re.compile(r"[.!?][”\"’)]*(?=\s+[“\"A-Z0-9])")
_HTML = re.compile(r"<\s*(?:html|body|div|p|head|script|!doctype)\b", re.I)


class ArticleError(AtlasError):
    """The input is not an article this command can read (binary, empty, too large, HTML)."""


@dataclass(frozen=True)
class Stated:
    """A value and where it came from: ``"article"``, ``"option"`` or None when unknown."""

    value: str | None
    source: str | None


@dataclass(frozen=True)
class Article:
    """A decoded article: its file name, the hash of its bytes, its text, title and date."""

    name: str
    sha256: str
    text: str
    title: Stated
    published: Stated

    def sentences(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every sentence (and every line without a full stop)."""
        return sentence_spans(self.text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` (each line at least one), trimmed of spaces.

    A full stop inside quotation marks does not end the sentence (“Innoprom. Central Asia”).

    >>> text = "One. Two is “A. B” here. Three\\n- four"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['One.', 'Two is “A. B” here.', 'Three', '- four']
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for stop in _STOP.finditer(line.group()):
            end = line.start() + stop.end()
            piece = text[start:end]
            if piece.count("“") > piece.count("”"):
                continue
            spans.append(_trimmed(text, start, end))
            start = end
        spans.append(_trimmed(text, start, line.end()))
    return [span for span in spans if span[1] > span[0]]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def decode(data: bytes, name: str) -> str:
    """The article's text, or :class:`ArticleError` saying in one line why it cannot be read."""
    if not data.strip():
        raise ArticleError(f"{name}: the article is empty")
    if len(data) > MAX_BYTES:
        raise ArticleError(
            f"{name}: {len(data):,} bytes is too large for one article "
            f"(the limit is {MAX_BYTES:,}); split it into articles"
        )
    if b"\x00" in data:
        raise ArticleError(f"{name}: binary data, not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ArticleError(
            f"{name}: not UTF-8 text ({err.reason} at byte {err.start}); "
            "convert it, e.g. iconv -f cp1251 -t utf-8"
        ) from err
    if _HTML.search(text[:5000]):
        raise ArticleError(
            f"{name}: this looks like HTML, not plain text; save the article's text instead"
        )
    return text


def read_article(
    data: bytes, name: str, *, title: str | None = None, published: str | None = None
) -> Article:
    """Decode ``data`` and find its title and date unless given (``--title``, ``--published``)."""
    text = decode(data, name)
    if published is not None:
        _parse_iso(published, name)
    return Article(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        title=Stated(title, "option") if title else _stated(headline(text)),
        published=Stated(published, "option") if published else _stated(dateline(text)),
    )


def _stated(value: str | None) -> Stated:
    return Stated(value, "article" if value else None)


def _parse_iso(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ArticleError(f"{name}: --published must be YYYY-MM-DD, not {value!r}") from err


def _first_lines(text: str, count: int = 6) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:count]


def headline(text: str) -> str | None:
    """The article's headline: its first line that is not boilerplate, when that line is a
    title (a few words, no closing full stop), else None.

    >>> headline("photo: a cat\\nUzbekistan and Kazakhstan Sign a Deal\\nBody.")
    'Uzbekistan and Kazakhstan Sign a Deal'
    >>> headline("Dushanbe (TDI): The president arrived on Monday.") is None
    True
    """
    for line in _first_lines(text):
        if _BOILERPLATE_LINE.search(line) or len(line.split()) < 3:
            continue
        if line.endswith((".", "!", "?", ":")) or len(line) > 160:
            return None
        return line
    return None


def dateline(text: str) -> str | None:
    """The publication date stated in the first lines (a by-line's first), as YYYY-MM-DD.

    >>> dateline("Last update: March 17, 2025 14:57\\nBy A. Writer July 14, 2024\\nText")
    '2024-07-14'
    """
    found: list[tuple[int, str]] = []
    for line in _first_lines(text):
        for pattern in _DATE_PATTERNS:
            match = pattern.search(line)
            if match and (value := _iso(match)):
                rank = 0 if line.lower().startswith("by ") else 2 if "update" in line.lower() else 1
                found.append((rank, value))
    return min(found)[1] if found else None


def _iso(match: re.Match[str]) -> str | None:
    month = match["month"]
    number = _MONTHS.index(month) + 1 if month in _MONTHS else int(month)
    try:
        return date(int(match["year"]), number, int(match["day"])).isoformat()
    except ValueError:
        return None
