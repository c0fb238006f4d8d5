"""The seed articles, and the check that every catalogue quote is really in them.

Matching ignores differences in whitespace (line breaks, repeated spaces) and nothing else:
a quote with a straight apostrophe does not match an article with a curly one.

>>> library = SeedLibrary({"a.txt": "Bashkortostan is planning\\nan industrial park"})
>>> library.contains("a.txt", "planning an   industrial")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from geodata.catalogue import Catalogue, Entry, Source, field_path
from geodata.errors import CatalogueError

_WHITESPACE = re.compile(r"\s+")
#: Seed names become URL slugs (/sources/<name without .txt>).
_SEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.txt")


def squash_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return _WHITESPACE.sub(" ", text).strip()


class SeedLibrary:
    """The text of each seed article, keyed by file name."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)
        self._squashed = {name: squash_whitespace(text) for name, text in self.texts.items()}

    @classmethod
    def from_directory(cls, seeds_dir: Path) -> SeedLibrary:
        """Read every ``*.txt`` in ``seeds_dir`` as UTF-8."""
        paths = sorted(seeds_dir.glob("*.txt"))
        if not paths:
            raise CatalogueError([f"{seeds_dir}: no seed articles (*.txt) found"])
        problems = [
            f"{path}: a seed file name must be letters, digits, '_' or '-' before .txt"
            for path in paths
            if not _SEED_NAME.fullmatch(path.name)
        ]
        texts = {}
        for path in paths:
            try:
                texts[path.name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as err:
                problems.append(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})")
        if problems:
            raise CatalogueError(problems)
        return cls(texts)

    def contains(self, seed: str, quote: str) -> bool:
        return squash_whitespace(quote) in self._squashed[seed]

    def longest_found_prefix(self, seed: str, quote: str) -> str:
        """The longest run of whole words that starts ``quote`` and is in ``seed``.

        It shows the author where a misquote departs from the article.
        """
        words = squash_whitespace(quote).split(" ")
        low, high = 0, len(words)
        while low < high:
            middle = (low + high + 1) // 2
            prefix = re.escape(" ".join(words[:middle])) + r"(?!\w)"
            if re.search(prefix, self._squashed[seed]):
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low])


def verify_quotes(catalogue: Catalogue, library: SeedLibrary, catalogue_path: Path) -> None:
    """Raise :class:`CatalogueError` naming each source, figure or stage quote and each
    milestone's date words not found verbatim, and each stage backed by neither a quote nor
    an assessment."""
    problems = []
    for label, name, field, sources in _quoted_items(catalogue):
        for position, source in enumerate(sources):
            problem = _check(source, library)
            if problem:
                subfield, message = problem
                path = field_path([field, position, subfield])
                problems.append(f"{catalogue_path}: {label} {name!r}, field {path!r}: {message}")
    for position, title in enumerate(catalogue.seeds):
        where = f"{catalogue_path}: seeds {title.seed!r}"
        if title.seed not in library.texts:
            problems.append(f"{where}, field {field_path([position, 'seed'])!r}: unknown seed")
        elif title.headline and not library.contains(title.seed, title.title):
            problems.append(f"{where}, field 'title': headline not found verbatim in the seed")
    for entry in catalogue.entries:
        cited = [library.texts.get(source.seed, "") for source in entry.sources]
        for position, figure in enumerate(entry.figures):
            quote = squash_whitespace(figure.quote)
            if not any(quote in squash_whitespace(text) for text in cited):
                field = field_path(["figures", position, "quote"])
                problems.append(
                    f"{catalogue_path}: entry {entry.id!r}, field {field!r}: "
                    f"{figure.quote!r} is not in any seed this entry cites"
                )
        problem = _stage_problem(entry, library)
        if problem:
            problems.append(f"{catalogue_path}: entry {entry.id!r}, {problem}")
        problems += [
            f"{catalogue_path}: entry {entry.id!r}, {problem}"
            for problem in _date_problems(entry, library)
        ]
    if problems:
        raise CatalogueError(problems)


def stage_seed(entry: Entry, library: SeedLibrary) -> str | None:
    """The first seed ``entry`` cites whose text holds its ``stage_quote`` (None: no quote, or
    not found)."""
    quote = entry.status.stage_quote
    if quote is None:
        return None
    seeds = dict.fromkeys(source.seed for source in entry.sources)
    return next((s for s in seeds if s in library.texts and library.contains(s, quote)), None)


def _date_problems(entry: Entry, library: SeedLibrary) -> list[str]:
    """A milestone's ``when`` is its article's words: they must be in it (its ``seed``, or
    any article the entry cites when none is named)."""
    problems = []
    cited = list(dict.fromkeys(source.seed for source in entry.sources))
    for position, milestone in enumerate(entry.status.dates):
        seeds = [milestone.seed] if milestone.seed else cited
        known = [seed for seed in seeds if seed in library.texts]
        if known and not any(library.contains(seed, milestone.when) for seed in known):
            field = field_path(["status", "dates", position, "when"])
            problems.append(
                f"field {field!r}: {milestone.when!r} is not found verbatim in "
                f"{' or '.join(known)}; keep the article's words"
            )
    return problems


def _stage_problem(entry: Entry, library: SeedLibrary) -> str | None:
    status = entry.status
    if status.stage_quote is None and status.stage_assessment is None:
        return (
            f"field 'status': the stage {status.stage!r} is neither quoted nor marked; add "
            "stage_quote (the words of a cited article that state it) or stage_assessment "
            "(one line saying why the atlas judges it so)"
        )
    if status.stage_quote is not None and stage_seed(entry, library) is None:
        return (
            f"field 'status.stage_quote': {status.stage_quote!r} is not found verbatim in any "
            "seed this entry cites"
        )
    return None


def _quoted_items(catalogue: Catalogue) -> Iterator[tuple[str, str, str, list[Source]]]:
    for entry in catalogue.entries:
        yield "entry", entry.id, "sources", entry.sources
    for item in catalogue.not_mapped:
        yield "not_mapped", item.name, "sources", item.sources


def _check(source: Source, library: SeedLibrary) -> tuple[str, str] | None:
    """The failing field of ``source`` and why, or None when the quote is found."""
    if source.seed not in library.texts:
        return "seed", f"unknown seed {source.seed!r} (seeds: {', '.join(sorted(library.texts))})"
    if library.contains(source.seed, source.quote):
        return None
    found = library.longest_found_prefix(source.seed, source.quote)
    hint = f"; the seed has its start up to {found!r}" if found else ""
    return "quote", f"not found verbatim in {source.seed}: {source.quote!r}{hint}"
