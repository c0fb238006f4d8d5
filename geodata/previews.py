"""The share cards' preview images: a small static map of each feature, drawn at build time.

A link to a feature page pasted into a messenger shows a card with ``og:image``; this module
draws that image with Pillow, with no tile server: the offline Natural Earth base the map draws
without internet (``geodata/basemap``), in the map's colours, the feature in its category's
colour and shape and its stage's dash or fill, framed on the feature (a site with a few hundred
kilometres around it, a corridor on its bounding box plus a margin) in Web Mercator like the
map, and its name with "Corridor Atlas" in a band at the bottom. One more card shows the whole
atlas (the map page's and the source pages' image).

How the map looks is the web app's business (``webapp.style``, ``webapp.map.pagedata``) and the
pipeline never imports the web app, so the caller hands the look in as a :class:`PreviewStyle`
(``cli.build`` makes it from the web app's tables). The bytes depend only on the features, the
style and the pinned Pillow: the same input gives the same PNG, so the committed images pass
``corridor-atlas build --check``.

Drawing is most of a warm build of the seed atlas (1.5 s of 3.4 here), so each card carries the
key of what it was drawn from (:func:`card_key`: its features, colours, words and style, and this
module, the base layer, the fonts and Pillow) in a PNG text chunk, and a build hands in
the cards of the previous one (``previous``): a card whose key is unchanged is kept as it was,
the same bytes a new drawing would give. ``build --check`` draws every card afresh.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from geodata.outputs import ATLAS_CARD, CARD_SIZE, feature_card

#: Size of every card: the 1.91:1 image Open Graph and Twitter's large card expect.
WIDTH, HEIGHT = CARD_SIZE
#: The Natural Earth layer the map draws offline (see geodata/basemap/README.md).
BASEMAP = Path(__file__).resolve().parent / "basemap" / "natural-earth.geojson"
#: Fonts of Debian's fonts-dejavu-core (``make system-deps``); Pillow's own font otherwise.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: Drawn this many times larger, then reduced: Pillow draws without anti-aliasing.
_SCALE = 2
#: Height of the text band at the bottom of the card.
_BAND = 132
#: Kilometres shown each side of a site, and the margin around a corridor (share of its size).
SITE_CONTEXT_KM = 350.0
CORRIDOR_MARGIN = 0.12
#: Colours of the reduced image: few enough for a small PNG, enough for smooth edges and text.
_COLOURS = 96
_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class PreviewStyle:
    """How the map draws things, handed in by the caller (the pipeline does not import the
    web app). Colours are ``#rrggbb``; ``shapes`` maps a shape name to its vertices on the unit
    circle (none: a circle); a stage's ``dash`` is an SVG dash array or None (solid) and its
    ``fill`` one of "full", "half", "ring"."""

    sea: str
    land: str
    coastline: str
    border: str
    corridor_palette: Sequence[str]
    site_colours: Mapping[str, str]
    unknown_site_colour: str
    site_shapes: Mapping[str, str]
    unknown_site_shape: str
    shapes: Mapping[str, Sequence[Sequence[float]]]
    stage_dash: Mapping[str, str | None]
    stage_fill: Mapping[str, str]
    text: str = "#1a1a1a"
    muted: str = "#4d4d4d"
    band: str = "#ffffff"
    unknown_stage: str = field(default="proposed")


#: The PNG text chunk holding a card's key (:func:`card_key`).
KEY_CHUNK = "corridor-atlas-card"
#: A card of an earlier build by its output name, or None: what ``render_previews`` may keep.
Previous = Callable[[str], bytes | None]

#: Above this many features a card each would cost more than it gives (about 40 ms and 20 KB
#: a card: an hour and 2 GB at 100,000), so only the atlas's card is drawn.
FEATURE_CARDS_UP_TO = 2000


def render_previews(
    features: Sequence[dict[str, Any]],
    style: PreviewStyle,
    feature_cards_up_to: int = FEATURE_CARDS_UP_TO,
    previous: Previous | None = None,
) -> dict[str, bytes]:
    """Every card: one per feature (named by :func:`geodata.outputs.feature_card`) and the atlas's
    (:data:`~geodata.outputs.ATLAS_CARD`); an atlas of more than ``feature_cards_up_to``
    features gets the atlas's card only, which its feature pages then share.

    ``features`` are the atlas's GeoJSON features in the atlas's order, corridors first: a
    corridor's colour is its place among the corridors, as on the map. A card ``previous``
    gives with the key of this one's inputs is kept instead of drawn again.
    """
    corridors = [f for f in features if f["properties"]["kind"] == "corridor"]
    colour_of = {
        f["id"]: style.corridor_palette[i % len(style.corridor_palette)]
        for i, f in enumerate(corridors)
    }
    cards = {}

    def draw(name: str, shown: Sequence[dict[str, Any]], lines: list[str], atlas: bool) -> None:
        colours = {f["id"]: colour_of[f["id"]] for f in shown if f["id"] in colour_of}
        key = card_key(shown, colours, lines, style, atlas)
        kept = previous(name) if previous is not None else None
        if kept is not None and _key_chunk(key) in kept:
            cards[name] = kept
            return
        if atlas:
            every_point = chain.from_iterable(_coordinates(f["geometry"]) for f in shown)
            frame = _fit(_bbox(every_point), CORRIDOR_MARGIN)
        else:
            frame = _frame(shown[0])
        cards[name] = _card(_basemap(), shown, colours, frame, lines, style, key, atlas)

    for feature in features if len(features) <= feature_cards_up_to else ():
        lines = [_title_of(feature), _subtitle_of(feature)]
        draw(feature_card(feature["id"]), [feature], lines, atlas=False)
    lines = ["Corridor Atlas", "Transport corridors and sites of Central Asia"]
    draw(ATLAS_CARD, features, lines, atlas=True)
    return cards


def card_key(
    features: Sequence[dict[str, Any]],
    colours: Mapping[str, str],
    lines: Sequence[str],
    style: PreviewStyle,
    atlas: bool,
) -> str:
    """What a card is drawn from, as 32 hex digits: equal keys, equal bytes."""
    digest = hashlib.blake2b(_drawing_version(), digest_size=16)
    head = [dict(colours), list(lines), asdict(style), atlas]
    digest.update(json.dumps(head, sort_keys=True, default=_plain).encode())
    for feature in features:  # one at a time: an atlas's card may show 100,000
        digest.update(json.dumps(feature, sort_keys=True).encode())
    return digest.hexdigest()


@cache
def _drawing_version() -> bytes:
    """What else the pixels and bytes depend on: this module, the base layer, the fonts and
    Pillow (whose wheel brings the zlib it compresses with)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in (Path(__file__), BASEMAP, _font_path(False), _font_path(True)):
        digest.update(path.read_bytes() if path.is_file() else b"none")
    digest.update(f"Pillow {PIL.__version__}".encode())
    return digest.digest()


def _plain(value: object) -> object:
    """A style's mappings and sequences as JSON's (``json.dumps``'s ``default``)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Iterable):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not part of a preview style")


def _key_chunk(key: str) -> bytes:
    """How ``key`` reads inside a PNG's tEXt chunk (keyword, NUL, text)."""
    return KEY_CHUNK.encode("latin-1") + b"\0" + key.encode("ascii")


# --- projection and framing -------------------------------------------------------------------


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in units of the earth's radius, y up; latitudes clamped as the map does."""
    lat = max(-85.0511, min(85.0511, lat))
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@dataclass(frozen=True)
class _Frame:
    """The Mercator box shown in the map area (the card above the text band)."""

    left: float
    bottom: float
    right: float
    top: float

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        """Where a lon/lat position falls on the (enlarged) map area."""
        return self._to_pixel(*_mercator(lon, lat))

    def _to_pixel(self, x: float, y: float) -> tuple[float, float]:
        width, height = WIDTH * _SCALE, (HEIGHT - _BAND) * _SCALE
        return (
            (x - self.left) / (self.right - self.left) * width,
            (self.top - y) / (self.top - self.bottom) * height,
        )

    def pixels(self, path: _Path) -> list[tuple[float, float]]:
        """A projected path's positions on the map area."""
        width, height = WIDTH * _SCALE, (HEIGHT - _BAND) * _SCALE
        xs = (path.xy[:, 0] - self.left) / (self.right - self.left) * width
        ys = (self.top - path.xy[:, 1]) / (self.top - self.bottom) * height
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def shows(self, path: _Path) -> bool:
        """Whether any of ``path``'s bounding box lies in the frame."""
        west, south, east, north = path.box
        return (
            west <= self.right and east >= self.left and south <= self.top and north >= self.bottom
        )

    @property
    def zoom(self) -> float:
        """The web map zoom level showing the frame's width across the card."""
        return math.log2(WIDTH / 256 * 2 * math.pi / (self.right - self.left))


def _frame(feature: dict[str, Any]) -> _Frame:
    points = list(_coordinates(feature["geometry"]))
    if feature["geometry"]["type"] == "Point":
        lon, lat = points[0]
        dlat = SITE_CONTEXT_KM / _KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.1)
        return _fit((lon - dlon, lat - dlat, lon + dlon, lat + dlat), 0.0)
    return _fit(_bbox(points), CORRIDOR_MARGIN)


def _fit(bbox: tuple[float, float, float, float], margin: float) -> _Frame:
    """The box around ``bbox`` (lon/lat) with ``margin`` on each side, widened to the map
    area's proportions about its centre."""
    west, south, east, north = bbox
    left, bottom = _mercator(west, south)
    right, top = _mercator(east, north)
    width = max(right - left, 0.01) * (1 + 2 * margin)
    height = max(top - bottom, 0.01) * (1 + 2 * margin)
    aspect = WIDTH / (HEIGHT - _BAND)
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (left + right) / 2, (bottom + top) / 2
    return _Frame(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def _coordinates(geometry: dict[str, Any]) -> Iterator[tuple[float, float]]:
    """Every position of a Point, LineString, MultiLineString, Polygon or MultiPolygon."""
    coordinates = geometry["coordinates"]
    depth = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
    stack = [(coordinates, depth[geometry["type"]])]
    while stack:
        item, level = stack.pop()
        if level == 0:
            yield float(item[0]), float(item[1])
        else:
            stack.extend((part, level - 1) for part in reversed(item))


def _bbox(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    lons, lats = zip(*points, strict=True)
    return min(lons), min(lats), max(lons), max(lats)


def _lines(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    if geometry["type"] == "LineString":
        return [[(p[0], p[1]) for p in geometry["coordinates"]]]
    return [[(p[0], p[1]) for p in line] for line in geometry["coordinates"]]


# --- drawing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    """A ring or line of the base, in Web Mercator, with its bounding box."""

    xy: np.ndarray
    box: tuple[float, float, float, float]

    @classmethod
    def of(cls, positions: Sequence[Sequence[float]]) -> _Path:
        lonlat = np.asarray(positions, dtype=float)[:, :2]
        lat = np.radians(np.clip(lonlat[:, 1], -85.0511, 85.0511))
        xy = np.column_stack((np.radians(lonlat[:, 0]), np.log(np.tan(np.pi / 4 + lat / 2))))
        low, high = xy.min(axis=0), xy.max(axis=0)
        return cls(xy, (float(low[0]), float(low[1]), float(high[0]), float(high[1])))


@dataclass(frozen=True)
class _Base:
    """The offline base, projected once: land rings (outer or hole), coastlines, borders and
    country names (name, the zoom from which the map shows it, position)."""

    land: list[tuple[_Path, bool]]
    coastline: list[_Path]
    border: list[_Path]
    labels: list[tuple[str, float, float, float]]


@cache
def _basemap() -> _Base:
    land: list[tuple[_Path, bool]] = []
    lines: dict[str, list[_Path]] = {"coastline": [], "border": []}
    labels = []
    for feature in json.loads(BASEMAP.read_bytes())["features"]:
        layer, geometry = feature["properties"].get("layer"), feature["geometry"]
        if layer == "land":
            polygons = geometry["coordinates"]
            polygons = [polygons] if geometry["type"] == "Polygon" else polygons
            land += [(_Path.of(ring), i > 0) for poly in polygons for i, ring in enumerate(poly)]
        elif layer in lines:
            lines[layer] += [_Path.of(line) for line in _lines(geometry)]
        elif layer == "label":
            lon, lat = geometry["coordinates"][:2]
            minzoom = float(feature["properties"].get("minzoom", 0))
            labels.append((str(feature["properties"]["name"]), minzoom, lon, lat))
    return _Base(land, lines["coastline"], lines["border"], labels)


def _card(
    base: _Base,
    features: Sequence[dict[str, Any]],
    colour_of: Mapping[str, str],
    frame: _Frame,
    lines: Sequence[str],
    style: PreviewStyle,
    key: str,
    atlas: bool = False,
) -> bytes:
    image = Image.new("RGB", (WIDTH * _SCALE, (HEIGHT - _BAND) * _SCALE), style.sea)
    draw = ImageDraw.Draw(image)
    _draw_base(draw, base, frame, style)
    _draw_labels(draw, base, frame, style)
    scale = 0.6 if atlas else 1.0
    for feature in features:
        if feature["properties"]["kind"] == "corridor":
            _draw_corridor(draw, feature, colour_of[feature["id"]], frame, style, scale)
    for feature in features:
        if feature["properties"]["kind"] == "site":
            _draw_site(image, feature, frame, style, scale)
    card = Image.new("RGB", (WIDTH, HEIGHT), style.band)
    card.paste(image.reduce(_SCALE), (0, 0))
    _draw_text(ImageDraw.Draw(card), lines, style)
    reduced = card.quantize(_COLOURS, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib level 6, not 9: 5% larger images (23 kB in all), written four times faster.
    text = PngInfo()
    text.add_text(KEY_CHUNK, key)
    reduced.save(out, "PNG", compress_level=6, pnginfo=text)
    return out.getvalue()


def _draw_base(draw: ImageDraw.ImageDraw, base: _Base, frame: _Frame, style: PreviewStyle) -> None:
    for path, hole in base.land:
        if frame.shows(path) and len(path.xy) >= 3:
            draw.polygon(frame.pixels(path), fill=style.sea if hole else style.land)
    for paths, colour, dash in (
        (base.coastline, style.coastline, None),
        (base.border, style.border, "4 3"),
    ):
        for path in paths:
            if frame.shows(path):
                _polyline(draw, frame.pixels(path), colour, 1.5 * _SCALE, dash)


def _draw_labels(draw: ImageDraw.ImageDraw, base: _Base, frame: _Frame, style: PreviewStyle):
    """The country names the map would show at this zoom, in its grey with a halo."""
    font = _font(15 * _SCALE, bold=False)
    for name, minzoom, lon, lat in base.labels:
        x, y = frame.pixel(lon, lat)
        inside = 0 <= x <= WIDTH * _SCALE and 0 <= y <= (HEIGHT - _BAND) * _SCALE
        if inside and minzoom <= frame.zoom + 1:
            draw.text(
                (x, y), name, fill=style.muted, font=font, anchor="mm",
                stroke_width=2 * _SCALE, stroke_fill=style.land,
            )  # fmt: skip


def _draw_corridor(
    draw: ImageDraw.ImageDraw,
    feature: dict[str, Any],
    colour: str,
    frame: _Frame,
    style: PreviewStyle,
    scale: float,
) -> None:
    stage = _stage(feature, style)
    width = 7 * _SCALE * scale
    for line in _lines(feature["geometry"]):
        points = [frame.pixel(*p) for p in line]
        _polyline(draw, points, "#ffffff", width + 4 * _SCALE * scale, None)  # a halo
        _polyline(draw, points, colour, width, style.stage_dash.get(stage))


def _draw_site(
    image: Image.Image, feature: dict[str, Any], frame: _Frame, style: PreviewStyle, scale: float
) -> None:
    category = feature["properties"]["category"]
    colour = style.site_colours.get(category, style.unknown_site_colour)
    shape = style.shapes.get(style.site_shapes.get(category, style.unknown_site_shape)) or []
    fill = style.stage_fill.get(_stage(feature, style), "ring")
    x, y = frame.pixel(*feature["geometry"]["coordinates"][:2])
    radius = 24 * _SCALE * scale
    outline = 4 * _SCALE * scale
    outer, inner = _outline(shape, x, y, radius), _outline(shape, x, y, radius - outline)
    draw = ImageDraw.Draw(image)
    if fill == "full":
        _shape(draw, outer, "#ffffff")
        _shape(draw, inner, colour)
        return
    _shape(draw, outer, colour)
    _shape(draw, inner, "#ffffff")
    if fill == "half":  # the lower half filled: under construction
        # A mask of the marker's box only (a whole-card mask made a 10,000-site atlas card take
        # half a minute); shifted by whole pixels, the shape covers the same pixels.
        left, top = int(x - radius) - 1, int(y - radius) - 1
        size = int(2 * radius) + 3
        mask = Image.new("L", (size, size), 0)
        _shape(ImageDraw.Draw(mask), _outline(shape, x - left, y - top, radius - outline), 255)
        ImageDraw.Draw(mask).rectangle((0, 0, size, y - top), fill=0)
        image.paste(colour, (left, top, left + size, top + size), mask=mask)


def _outline(shape: Sequence[Sequence[float]], x: float, y: float, radius: float):
    if not shape:
        return (x - radius, y - radius, x + radius, y + radius)
    return [(x + vx * radius, y + vy * radius) for vx, vy in shape]


def _shape(draw: ImageDraw.ImageDraw, outline: Any, colour: str | int) -> None:
    if isinstance(outline, tuple):
        draw.ellipse(outline, fill=colour)
    else:
        draw.polygon(outline, fill=colour)


def _stage(feature: dict[str, Any], style: PreviewStyle) -> str:
    stage = (feature["properties"].get("status") or {}).get("stage")
    return stage if stage in style.stage_fill else style.unknown_stage


def _polyline(
    draw: ImageDraw.ImageDraw,
    points: Sequence[tuple[float, float]],
    colour: str,
    width: float,
    dash: str | None,
) -> None:
    """A line through ``points``, dashed by an SVG dash array in units of the line width (the
    map's dashes are for 3–4 px lines); short dashes get round caps and read as dots."""
    if len(points) < 2:
        return
    thick = max(1, round(width))
    if not dash:
        draw.line(points, fill=colour, width=thick, joint="curve")
        return
    pattern = [float(v) * width / 3 for v in dash.split()]
    for a, b in _dashes(points, pattern):
        if math.dist(a, b) < thick:  # a dot
            cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            draw.ellipse((cx - thick / 2, cy - thick / 2, cx + thick / 2, cy + thick / 2), colour)
        else:
            draw.line([a, b], fill=colour, width=thick)


def _dashes(
    points: Sequence[tuple[float, float]], pattern: Sequence[float]
) -> Iterator[tuple[tuple[float, float], tuple[float, float]]]:
    """The drawn pieces of a polyline under a dash ``pattern`` (on, off, on, off, …)."""
    if len(pattern) % 2:  # as in SVG, an odd list is repeated to make it even
        pattern = [*pattern, *pattern]
    index, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        done = 0.0
        while length - done > 1e-9:
            step = min(left, length - done)
            if on:
                t0, t1 = done / length, (done + step) / length
                yield (
                    (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0),
                    (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1),
                )
            done += step
            left -= step
            if left <= 1e-9:
                index = (index + 1) % len(pattern)
                left, on = pattern[index], not on


# --- text -------------------------------------------------------------------------------------


def _title_of(feature: dict[str, Any]) -> str:
    return str(feature["properties"]["name"])


def _subtitle_of(feature: dict[str, Any]) -> str:
    """ "Industrial park · under construction · Uzbekistan, Kazakhstan — Corridor Atlas"."""
    p = feature["properties"]
    parts = [str(p["category"]).capitalize()]
    stage = (p.get("status") or {}).get("stage")
    if stage:
        parts.append(str(stage))
    return " · ".join(parts) + " — Corridor Atlas"


def _font_path(bold: bool) -> Path:
    return FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(_font_path(bold)), size)
    except OSError:
        return ImageFont.load_default(size)


def _draw_text(draw: ImageDraw.ImageDraw, lines: Sequence[str], style: PreviewStyle) -> None:
    """The title (shrunk, then cut with "…", to fit one line) and the subtitle in the band."""
    title, subtitle = lines
    top = HEIGHT - _BAND
    draw.line([(0, top), (WIDTH, top)], fill=style.coastline, width=2)
    margin = 40
    font, text = _fitted(draw, title, WIDTH - 2 * margin, (46, 40, 34), bold=True)
    draw.text((margin, top + 20), text, fill=style.text, font=font)
    font, text = _fitted(draw, subtitle, WIDTH - 2 * margin, (28, 24), bold=False)
    draw.text((margin, top + 82), text, fill=style.muted, font=font)


def _fitted(
    draw: ImageDraw.ImageDraw, text: str, width: int, sizes: Sequence[int], bold: bool
) -> tuple[Any, str]:
    for size in sizes:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= width:
            return font, text
    font = _font(sizes[-1], bold)
    words = text.split()
    while len(words) > 1 and draw.textlength(" ".join(words) + "…", font=font) > width:
        words.pop()
    return font, " ".join(words) + "…"
