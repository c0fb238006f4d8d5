"""The share cards' preview images: drawn by the build with Pillow, in the map's look, the same
bytes every time, published in a subfolder of the output set and checked like the data files."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from cli.previews import OFFLINE_BORDER, OFFLINE_COASTLINE, OFFLINE_SEA, preview_style
from geodata import DEFAULT_OUTPUT_DIR, previews
from geodata.build import build, check, stale_outputs
from geodata.outputs import (
    ATLAS_CARD,
    CARD_SIZE,
    DATA_FILES,
    MANIFEST,
    feature_card,
    publish,
    read_manifest,
    verify_outputs,
)
from geodata.previews import render_previews
from tests.support.samples import corridor_entry, site_entry

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
STYLE = preview_style()


@pytest.fixture(scope="module")
def atlas() -> list[dict]:
    """The committed atlas's features, in its order (corridors first)."""
    return json.loads((DEFAULT_OUTPUT_DIR / "atlas.geojson").read_bytes())["features"]


@pytest.fixture(scope="module")
def cards(atlas) -> dict[str, bytes]:
    return render_previews(atlas, STYLE)


def _image(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _near(pixel: tuple[int, ...], colour: str, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], _rgb(colour), strict=True))


def test_one_card_per_feature_and_one_of_the_atlas(atlas, cards):
    assert set(cards) == {feature_card(f["id"]) for f in atlas} | {ATLAS_CARD}


def test_every_card_is_a_1200_by_630_png_with_a_palette(cards):
    for name, content in cards.items():
        assert content.startswith(b"\x89PNG\r\n\x1a\n"), name
        image = _image(content)
        assert (image.format, image.size, image.mode) == ("PNG", CARD_SIZE, "P"), name
        assert CARD_SIZE == (1200, 630)


def test_drawing_twice_gives_the_same_bytes(atlas, cards):
    some = [atlas[0], next(f for f in atlas if f["properties"]["kind"] == "site")]
    again = render_previews(some, STYLE)
    for feature in some:
        assert again[feature_card(feature["id"])] == cards[feature_card(feature["id"])]


def test_the_committed_cards_are_the_ones_the_build_draws(cards):
    assert stale_outputs(DEFAULT_OUTPUT_DIR, cards) == []
    listed = read_manifest(DEFAULT_OUTPUT_DIR).files
    assert {name for name in listed if name.startswith("previews/")} == set(cards)


def test_a_site_is_drawn_in_its_category_colour_at_the_centre_of_the_map(atlas, cards):
    drawn = 0
    for feature in atlas:
        p = feature["properties"]
        if p["kind"] != "site" or STYLE.stage_fill.get(p["status"]["stage"]) != "full":
            continue
        image = _image(cards[feature_card(feature["id"])]).convert("RGB")
        centre = (CARD_SIZE[0] // 2, (CARD_SIZE[1] - previews._BAND) // 2)
        assert _near(image.getpixel(centre), STYLE.site_colours[p["category"]]), p["id"]
        drawn += 1
    assert drawn >= 3


def test_a_corridor_is_drawn_in_its_map_colour(atlas, cards):
    corridors = [f for f in atlas if f["properties"]["kind"] == "corridor"]
    for index, feature in enumerate(corridors):
        image = _image(cards[feature_card(feature["id"])]).convert("RGB")
        colour = STYLE.corridor_palette[index % len(STYLE.corridor_palette)]
        map_area = image.crop((0, 0, CARD_SIZE[0], CARD_SIZE[1] - previews._BAND))
        counts = map_area.getcolors(maxcolors=CARD_SIZE[0] * CARD_SIZE[1])
        line = sum(n for n, pixel in counts if _near(pixel, colour, 8))
        assert line > 300, (feature["id"], colour, line)


def test_the_card_has_the_land_and_sea_of_the_offline_base(cards):
    image = _image(cards[ATLAS_CARD]).convert("RGB")
    colours = {pixel for _, pixel in image.getcolors(maxcolors=CARD_SIZE[0] * CARD_SIZE[1])}
    assert any(_near(c, STYLE.land, 3) for c in colours)
    assert any(_near(c, STYLE.sea, 3) for c in colours)


def test_the_offline_colours_are_the_maps():
    """The preview's base colours are the browser's: a change to one must reach the other."""
    script = (ROOT / "webapp/static/map-basemap.js").read_text(encoding="utf-8")
    styles = (ROOT / "webapp/static/map.css").read_text(encoding="utf-8")
    assert re.search(rf'coastline: \{{ color: "{OFFLINE_COASTLINE}"', script)
    assert re.search(rf'border: \{{ color: "{OFFLINE_BORDER}"', script)
    assert re.search(rf'fillColor: "{STYLE.land}"', script)
    assert re.search(rf"--atlas-sea: {OFFLINE_SEA};|background: {OFFLINE_SEA};", styles)


def test_a_long_name_is_cut_at_a_word_to_fit(atlas):
    feature = json.loads(json.dumps(atlas[-1]))
    feature["properties"]["name"] = "Very long name " * 20
    image = _image(render_previews([feature], STYLE)[feature_card(feature["id"])]).convert("RGB")
    below_the_rule = CARD_SIZE[1] - previews._BAND + 4
    margin = image.crop((CARD_SIZE[0] - 30, below_the_rule, *CARD_SIZE))  # right of the text
    assert all(_near(pixel, STYLE.band, 2) for _, pixel in margin.getcolors())
    text = image.crop((30, below_the_rule, CARD_SIZE[0] - 30, CARD_SIZE[1]))
    assert not all(_near(pixel, STYLE.band, 2) for _, pixel in text.getcolors())


def test_without_the_dejavu_fonts_pillows_own_font_draws(atlas, monkeypatch, tmp_path):
    monkeypatch.setattr(previews, "FONT_DIR", tmp_path)  # a machine without fonts-dejavu-core
    previews._font.cache_clear()
    try:
        card = render_previews(atlas[:1], STYLE)[feature_card(atlas[0]["id"])]
    finally:
        previews._font.cache_clear()
    assert _image(card).size == CARD_SIZE


def test_the_build_publishes_the_cards_in_their_folder_and_check_verifies_them(
    tmp_path, write_catalogue
):
    catalogue = write_catalogue([site_entry(), corridor_entry()])
    out = tmp_path / "out"
    compiled = build(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE)
    names = [name for name in compiled.files if name.startswith("previews/")]
    assert len(names) == 3
    for name in names:
        assert (out / name).read_bytes() == compiled.files[name]
    assert set(read_manifest(out).files) == set(DATA_FILES) | set(names)
    assert verify_outputs(out) == []
    assert check(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE) == []
    assert not list(out.rglob(".*.png.*"))  # no staging leftovers

    card = out / names[0]
    card.write_bytes(card.read_bytes()[:-10])
    problems = check(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE)
    assert f"{card}: differs from a fresh build" in problems
    assert any(str(card) in p and MANIFEST in p for p in problems)


def test_a_card_the_manifest_does_not_list_is_reported_then_removed_by_the_next_build(
    tmp_path, write_catalogue
):
    catalogue = write_catalogue([site_entry()])
    out = tmp_path / "out"
    build(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE)
    stray = out / feature_card("gone-feature")
    stray.write_bytes(b"an image of a feature no longer in the atlas")
    assert verify_outputs(out) == [f"{stray}: not listed in {MANIFEST}"]
    build(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE)
    assert not stray.exists()
    assert verify_outputs(out) == []


def test_a_manifest_naming_a_file_outside_the_set_is_refused(tmp_path):
    publish(tmp_path, {"previews/../escape.png": b"x", "previews/atlas.png": b"y"})
    problems = verify_outputs(tmp_path)
    assert (
        f"{tmp_path / 'previews/../escape.png'}: listed in {MANIFEST} but not a build output"
        in (problems)
    )
    assert not any("previews/atlas.png" in p for p in problems)


def test_a_large_atlas_gets_the_atlas_card_only(atlas, cards):
    """Past the limit no feature card is drawn (the pages fall back to the atlas's card)."""
    only = render_previews(atlas, STYLE, feature_cards_up_to=len(atlas) - 1)
    assert only == {ATLAS_CARD: cards[ATLAS_CARD]}


def test_a_card_of_unchanged_inputs_is_kept_and_one_of_changed_inputs_drawn(atlas, cards):
    """A build hands in the cards of the set it replaces: one whose key (what it was drawn
    from) holds is kept as it is, without drawing; a card of changed inputs is drawn again."""
    site = next(f for f in atlas if f["properties"]["kind"] == "site")
    name = feature_card(site["id"])
    key = _image(cards[name]).text[previews.KEY_CHUNK]
    # A stand-in with the card's key and none of its pixels: getting it back means not drawn.
    stand_in = b"stand-in " + previews.KEY_CHUNK.encode() + b"\0" + key.encode()

    def previous(card: str) -> bytes | None:
        return stand_in if card == name else cards.get(card)

    assert render_previews(atlas, STYLE, previous=previous) == {**cards, name: stand_in}
    renamed = {**site, "properties": {**site["properties"], "name": "Another name"}}
    changed = [renamed if f is site else f for f in atlas]
    drawn = render_previews(changed, STYLE, previous=previous)
    assert (
        drawn[name].startswith(b"\x89PNG") and _image(drawn[name]).text[previews.KEY_CHUNK] != key
    )
    assert _image(drawn[ATLAS_CARD]).text != _image(cards[ATLAS_CARD]).text  # it names every site


def test_a_build_keeps_only_the_intact_cards_of_the_set_it_replaces(tmp_path, write_catalogue):
    catalogue = write_catalogue([site_entry(), corridor_entry()])
    out = tmp_path / "out"
    first = build(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE).files
    card = next(out / name for name in first if name.startswith("previews/features/"))
    card.write_bytes(card.read_bytes()[:-10])  # damaged, its key still in it
    again = build(out, catalogue_path=catalogue, seeds_dir=SEEDS, previews=STYLE).files
    assert again == first
    assert card.read_bytes() == first[card.relative_to(out).as_posix()]
    assert verify_outputs(out) == []
