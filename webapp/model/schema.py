"""The part of the data contract the web app relies on, as pydantic models.

The pipeline (``geodata``) owns the contract; these models only check what the pages need, so
that a file breaking it fails loudly when the app starts instead of rendering a half-empty map.
Unknown properties are ignored: the pipeline may add fields without touching the web app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from geodata.spatial import NEAR_SITES_LISTED
from geodata.vocabulary import BASES, LEG_MODES, STAGES

#: Feature ids become CSS class names on the map, so they must be plain slugs.
SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
#: A day, YYYY-MM-DD.
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

Position = list[float]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Source(_Model):
    """A verbatim quote and the seed file it was taken from, with its article's citation."""

    seed: str
    quote: str
    title: str | None = Field(
        default=None, description="The article's headline, or a label the atlas wrote."
    )
    title_is_editorial: bool | None = Field(
        default=None, description="True when the title is the atlas's label, not a headline."
    )
    publisher: str | None = Field(default=None, description="Null when the article names none.")
    published: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Publication date (YYYY-MM-DD); null when the article states none.",
    )
    published_earliest: str | None = Field(
        default=None,
        pattern=DAY_PATTERN,
        description="The earliest day the article can have been published; null if unbounded.",
    )
    published_latest: str | None = Field(
        default=None,
        pattern=DAY_PATTERN,
        description="The latest day the article can have been published; null if unbounded.",
    )


class DateEvent(_Model):
    """A dated milestone; ``when`` is free text as the source states it (e.g. "Q4 2026"),
    read as the days ``start`` to ``end`` (inclusive; null: open)."""

    event: str
    when: str
    stage: Literal[STAGES] | None = Field(  # type: ignore[valid-type]
        default=None, description="The stage the event brings."
    )
    seed: str | None = Field(default=None, description="The article that states the date.")
    start: str | None = Field(default=None, pattern=DAY_PATTERN)
    end: str | None = Field(default=None, pattern=DAY_PATTERN)
    relative: bool = Field(
        default=False, description="True when the words were read against the article's date."
    )


class HistoryStep(_Model):
    """One step of a feature's history: a stage an article reported ("reported", over the
    days it may have been published) or an event brings ("event", over the days its words
    stand for); ``scheduled`` when the event was announced, not reported as done."""

    stage: Literal[STAGES]  # type: ignore[valid-type]
    start: str | None = Field(default=None, pattern=DAY_PATTERN)
    end: str | None = Field(default=None, pattern=DAY_PATTERN)
    kind: Literal["reported", "event"]
    label: str | None = None
    when: str | None = None
    seed: str
    scheduled: bool = False


class Status(_Model):
    """The project stage, what backs it, and its milestones."""

    stage: str
    stage_quote: str | None = Field(
        default=None, description="Words of a cited article that state the stage."
    )
    stage_assessment: str | None = Field(
        default=None,
        description="Why the atlas assessed the stage when no quote states it (one line).",
    )
    as_reported: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Publication date of the article the status comes from; null if unknown.",
    )
    dates: list[DateEvent] = []


class Figure(_Model):
    """A quantity stated by a source, e.g. an area of 100 ha."""

    label: str
    value: int | float | str
    unit: str | None = None
    quote: str | None = None


#: The languages names are given in besides English (which is ``name``), by code.
NAME_LANGUAGES = ("ru", "uz", "kk")


class ByLanguage(_Model):
    """A text for each of the region's languages that has one (a name, or where it comes
    from); a language with none is left out or null."""

    ru: str | None = Field(default=None, min_length=1, description="Russian.")
    uz: str | None = Field(default=None, min_length=1, description="Uzbek, in Latin script.")
    kk: str | None = Field(default=None, min_length=1, description="Kazakh, in Cyrillic script.")

    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        """(language, text) for each language: every place is checked when the atlas is
        loaded, and iterating the model instead took a fifth of a feature's validation."""
        return (("ru", self.ru), ("uz", self.uz), ("kk", self.kk))


def _unreferenced(names: Iterable[tuple[str, str | None]], references: ByLanguage) -> str | None:
    """The first language of ``names`` ((language, name) pairs) that has a name but no
    reference, or None: names are taken from sources, never invented, so a reader must be
    able to check each one."""
    for language, name in names:
        if name and not getattr(references, language):
            return language
    return None


def _no_reference(language: str, what: str) -> ValueError:
    return ValueError(f"the {language} name of {what} has no reference in name_refs")


class LocatedBy(_Model):
    """A place of the feature and how its position was found (``geonames:<id>``, ...)."""

    place: str
    lon: float
    lat: float
    resolved_by: str
    names: ByLanguage = Field(
        default_factory=ByLanguage,
        description="The place's names in Russian, Uzbek and Kazakh, where they are known.",
    )
    name_refs: ByLanguage = Field(
        default_factory=ByLanguage,
        description="Where each of the names comes from (a gazetteer record, CLDR or a "
        "reference), by language.",
    )

    @model_validator(mode="after")
    def _names_have_references(self) -> LocatedBy:
        if language := _unreferenced(self.names.pairs(), self.name_refs):
            raise _no_reference(language, f"place {self.place!r}")
        return self


class Neighbour(_Model):
    """Another feature and its geodesic distance, computed at build time."""

    id: str
    name: str
    distance_km: float


class Properties(_Model):
    """The feature properties shown in popups, tooltips and the legend."""

    id: str = Field(pattern=SLUG_PATTERN)
    name: str
    name_ru: str | None = Field(
        default=None, min_length=1, description="The established name in Russian, if any."
    )
    name_uz: str | None = Field(
        default=None,
        min_length=1,
        description="The established name in Uzbek (Latin script), if any.",
    )
    name_kk: str | None = Field(
        default=None, min_length=1, description="The established name in Kazakh, if any."
    )
    name_refs: ByLanguage = Field(
        default_factory=ByLanguage,
        description="Where each of name_ru, name_uz and name_kk comes from, by language.",
    )
    aliases: list[str] = []
    kind: Literal["site", "corridor"]
    category: str
    stage: str | None = Field(
        default=None, description="The stage as reported (status.stage), flat for GIS styling."
    )
    reported_on: str | None = Field(
        default=None,
        pattern=DAY_PATTERN,
        description="The earliest exact publication date among the sources; null if none.",
    )
    source_count: int | None = Field(default=None, ge=0, description="Entries of sources.")
    first_source: str | None = Field(
        default=None, description="The seed file of the source published first."
    )
    countries: list[str] = []
    status: Status | None = None
    figures: list[Figure] = []
    description: str = ""
    sources: list[Source] = []
    history: list[HistoryStep] = Field(
        default=[], description="The steps the stage as of a day is read from, by day."
    )
    length_km: float | None = Field(default=None, description="Corridors: geodesic length.")
    basis: Literal[BASES] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Corridors: how the line was drawn (through stations, between its two "
        "ends only, or both).",
    )
    leg_modes: list[Literal[LEG_MODES]] = Field(  # type: ignore[valid-type]
        default=[],
        description="Corridors: the mode of each part of the geometry, in order "
        "(a LineString has one).",
    )
    located_by: list[LocatedBy] = []
    nearest_corridor: Neighbour | None = Field(
        default=None, description="Sites: the closest corridor and its geodesic distance."
    )
    sites_within_100km: list[Neighbour] = Field(
        default=[],
        max_length=NEAR_SITES_LISTED,
        description=(
            f"Corridors: the nearest {NEAR_SITES_LISTED} sites within 100 km, by distance then "
            "id; sites_within_100km_count says how many there are."
        ),
    )
    sites_within_100km_count: int | None = Field(
        default=None,
        ge=0,
        description="Corridors: how many sites are within 100 km, listed or not.",
    )

    @model_validator(mode="after")
    def _names_have_references(self) -> Properties:
        names = (("ru", self.name_ru), ("uz", self.name_uz), ("kk", self.name_kk))
        if language := _unreferenced(names, self.name_refs):
            raise _no_reference(language, f"feature {self.id!r}")
        return self


class Geometry(_Model):
    """A Point (site) or a LineString / MultiLineString (corridor), in (lon, lat) order."""

    type: Literal["Point", "LineString", "MultiLineString"]
    coordinates: Position | list[Position] | list[list[Position]]

    @model_validator(mode="after")
    def _nesting_matches_type(self) -> Geometry:
        depth = {"Point": 0, "LineString": 1, "MultiLineString": 2}[self.type]
        level: object = self.coordinates
        for _ in range(depth):
            if not isinstance(level, list) or not level:
                raise ValueError(f"{self.type} needs non-empty nested coordinate lists")
            level = level[0]
        if not (isinstance(level, list) and len(level) >= 2 and isinstance(level[0], float)):
            raise ValueError(f"{self.type} coordinates are not nested {depth} deep")
        return self


class Feature(_Model):
    """One corridor or site."""

    type: Literal["Feature"]
    geometry: Geometry
    properties: Properties

    @model_validator(mode="after")
    def _kind_matches_geometry(self) -> Feature:
        is_point = self.geometry.type == "Point"
        if is_point != (self.properties.kind == "site"):
            raise ValueError(
                f"feature {self.properties.id!r} is a {self.properties.kind} "
                f"but has a {self.geometry.type} geometry"
            )
        return self

    def lines(self) -> list[list[Position]]:
        """The corridor's line parts in (lon, lat) order; a LineString is one part."""
        if self.geometry.type == "MultiLineString":
            return self.geometry.coordinates  # type: ignore[return-value]
        if self.geometry.type == "LineString":
            return [self.geometry.coordinates]  # type: ignore[list-item]
        return []


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="ignore"))
class Citation:
    """A catalogued quote located in its article: ``text[start:end]`` is the quote.

    A slotted dataclass rather than a model: an atlas of 100,000 features holds as many
    citations, and this takes about a third of a model's memory.
    """

    feature: str | None
    label: str
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    why: str | None = None


class SeedArticle(_Model):
    """A source article, how to cite it, and every catalogued quote located in it (from
    sources.json). Citation fields are null where the article does not state them."""

    seed: str
    slug: str = Field(pattern=SLUG_PATTERN)
    headline: str | None = None
    title: str
    title_is_editorial: bool | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = Field(default=None, pattern=DAY_PATTERN)
    published_earliest: str | None = Field(default=None, pattern=DAY_PATTERN)
    published_latest: str | None = Field(default=None, pattern=DAY_PATTERN)
    published_note: str | None = None
    url: str | None = None
    language: str | None = None
    reference: str | None = None
    text: str
    citations: list[Citation]

    @model_validator(mode="after")
    def _citations_match_text(self) -> SeedArticle:
        for citation in self.citations:
            if not citation.start < citation.end <= len(self.text):
                raise ValueError(f"citation {citation.quote!r} lies outside {self.seed}")
        return self


class SourceIndex(_Model):
    """sources.json: the articles the atlas cites."""

    seeds: list[SeedArticle]
