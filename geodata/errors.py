"""The pipeline's exceptions: one family, so the CLI can report any of them in one place."""


class AtlasError(Exception):
    """Base of every error the pipeline reports to a user."""


class CatalogueError(AtlasError):
    """The catalogue is malformed; the message names the file, entry and field of each problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class GeocodingError(AtlasError):
    """A place could not be resolved to exactly one position."""


class PlaceNotFound(GeocodingError):
    """No gazetteer record matches the name."""


class AmbiguousPlace(GeocodingError):
    """Several records match and nothing in the catalogue says which one is meant."""


class PinMismatch(GeocodingError):
    """A pinned GeoNames id names a place that does not match the catalogue's name or country."""


class GeocoderUnavailable(GeocodingError):
    """An online geocoder could not be reached or refused the request."""


class OutputsLocked(AtlasError):
    """Another build holds the output directory's lock and the caller asked not to wait."""


class ManifestError(AtlasError):
    """An output directory's manifest is missing or cannot be read."""
