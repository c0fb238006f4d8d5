"""Geoparsing: place names found in raw text, resolved with the article as context."""

from __future__ import annotations

import dataclasses

import pytest

from geodata.geoparse import PlaceMention, parse_places


def by_mention(text: str) -> dict[str, PlaceMention]:
    return {m.mention: m for m in parse_places(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Trains run from Xi'an to Tashkent via St. Petersburg.",
        "В Ташкенте: «Samarkand» and “Bukhara” — then Qoʻqon and Xi’an.",
        "The Naryn region and Russia's Omsk region, Kazakhstan and Almaty.",
    ],
)
def test_offsets_slice_back_to_the_mention(text: str) -> None:
    mentions = parse_places(text)
    assert mentions
    for m in mentions:
        assert text[m.start : m.end] == m.mention


def test_names_with_abbreviations_apostrophes_and_other_scripts_are_found() -> None:
    found = by_mention("From St. Petersburg and Xi'an to Qoʻqon, Самарканд and Xi’an.")
    assert found["St. Petersburg"].country == "RU"
    assert found["Xi'an"].geonameid == 1790630
    assert found["Qoʻqon"].country == "UZ"
    assert found["Самарканд"].geonameid == 1216265


def test_a_facility_named_after_a_town_is_placed_where_the_sentence_puts_it() -> None:
    text = "The Fergana logistics centre will be built in Russia's Omsk region, Interfax reported."
    found = by_mention(text)
    fergana = found["Fergana"]
    assert fergana.lat is None and "Omsk region" in fergana.unresolved
    assert fergana.alternatives[0]["country"] == "UZ"  # the namesake stays visible to a curator
    omsk = found["Omsk region"]
    assert (omsk.kind, omsk.country) == ("region", "RU")
    assert omsk.lat == pytest.approx(54.99, abs=0.1)


def test_a_namesake_goes_to_the_country_the_article_points_at() -> None:
    # Kurchatov: a town of 46,600 in Russia (geonames:538908) and of 10,700 in Kazakhstan.
    kz = by_mention("Kurchatov, near Semey in Kazakhstan, hosted the Kazakh nuclear centre.")
    ru = by_mention("Kurchatov lies in Russia's Kursk region, south of Moscow.")
    assert kz["Kurchatov"].geonameid == 1520885 and kz["Kurchatov"].country == "KZ"
    assert ru["Kurchatov"].geonameid == 538908 and ru["Kurchatov"].country == "RU"
    assert {a["country"] for a in kz["Kurchatov"].alternatives} == {"RU"}


def test_ambiguity_the_article_cannot_settle_is_flagged_not_guessed() -> None:
    (kurchatov,) = parse_places("Kurchatov was quiet on Sunday.")
    assert kurchatov.lat is None and kurchatov.geonameid is None
    assert kurchatov.unresolved.startswith("ambiguous: Kurchatov")
    assert {a["country"] for a in kurchatov.alternatives} == {"RU", "KZ"}


def test_a_text_with_no_places_gives_nothing() -> None:
    assert parse_places("The minister said on Monday that prices would rise in May.") == []
    assert parse_places("") == []


def test_countries_and_regions_are_recognised_with_their_kind() -> None:
    found = by_mention("Uzbekistan and Kazakhstan signed a deal; Kentucky and the Omsk region too.")
    assert (found["Uzbekistan"].kind, found["Uzbekistan"].country) == ("country", "UZ")
    assert found["Kazakhstan"].kind == "country"
    assert (found["Kentucky"].kind, found["Kentucky"].country) == ("region", "US")
    assert found["Omsk region"].kind == "region"


def test_common_words_people_and_titles_are_not_places() -> None:
    text = (
        "Chiquita Raquel Henry, 19, was arrested. Police said Henry lit the fire. "
        "Mr Washington met Mobile officials about a mobile home."
    )
    assert [m.mention for m in parse_places(text)] == []


def test_common_words_heading_a_sentence_line_or_headline_are_not_places() -> None:
    text = (
        "Kazakhstan, Uzbekistan Set to Establish Free Trade Regime\n"
        "Share on social media\n"
        "- Industry\n"
        "Visa regulations have been simplified for visitors to Taraz.\n"
        "Paris hosted the talks."
    )
    found = by_mention(text)
    assert not {"Set", "Share", "Industry", "Visa"} & found.keys()
    assert found["Taraz"].country == "KZ"
    assert found["Paris"].country == "FR"  # a city of millions heading a sentence is kept


def test_a_lone_small_town_in_a_country_the_article_never_names_is_left_open() -> None:
    text = (
        "Tashkent and Samarkand signed deals with Kazakhstan and Kyrgyzstan, "
        "The Caspian Post reports."
    )
    caspian = by_mention(text)["Caspian"]
    assert caspian.lat is None
    assert "says nothing else about US" in caspian.unresolved
    assert caspian.alternatives[0]["geonames_id"] == 4988212


def test_a_mention_is_a_frozen_record_with_the_agreed_fields() -> None:
    (m,) = parse_places("Tashkent")
    names = [f.name for f in dataclasses.fields(m)]
    assert names == [
        "mention", "start", "end", "lat", "lon", "geonameid", "country", "kind", "resolved_by",
        "confidence", "alternatives", "why", "unresolved",
    ]  # fmt: skip
    assert m.resolved_by == "geonames:1512569" and 0 <= m.confidence <= 1 and m.why
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.lat = 0.0  # type: ignore[misc]


def test_the_united_states_is_placed_near_its_geographic_centre() -> None:
    # The geographic centre of the contiguous US is near Lebanon, Kansas (39.83 N, 98.58 W);
    # countryinfo's rounded point (38 N, 97 W) is 230 km away.
    from geodata.geometry import geodesic_km

    us = by_mention("Flights to the United States resumed.")["United States"]
    assert geodesic_km((us.lon, us.lat), (-98.58, 39.83)) < 100
    russia = by_mention("Flights to Russia resumed.")["Russia"]
    assert (russia.lat, russia.lon) == (60.0, 100.0)  # high latitude: countryinfo's point kept


def test_a_name_does_not_count_as_evidence_for_itself() -> None:
    found = by_mention("Georgia lawmakers met in Atlanta; Savannah and Macon sent delegates.")
    assert (found["Georgia"].kind, found["Georgia"].country) == ("region", "US")
    assert by_mention("Georgia and Armenia signed a deal in Yerevan.")["Georgia"].country == "GE"


def test_a_county_is_placed_at_its_own_towns_in_the_state_that_has_it() -> None:
    # The only Laurel County is in Kentucky (seat: London, 37.13 N 84.08 W).
    laurel = by_mention("Deputies in Laurel County found the car.")["Laurel County"]
    assert (laurel.kind, laurel.country) == ("region", "US") and "Kentucky" in laurel.why
    assert laurel.lat == pytest.approx(37.13, abs=0.4) and laurel.lon == pytest.approx(
        -84.08, abs=0.4
    )


def test_a_province_without_a_town_of_its_name_is_placed_at_its_towns() -> None:
    found = by_mention("It rained across Ontario and Queensland, then England.")
    assert {m: (f.kind, f.country) for m, f in found.items()} == {
        "Ontario": ("region", "CA"),
        "Queensland": ("region", "AU"),
        "England": ("region", "GB"),  # not England, Arkansas
    }
    assert found["Queensland"].lat < -15 and found["Queensland"].lon > 140


def test_divisions_come_from_the_packaged_table_only() -> None:
    from geodata.geoparse.divisions import divisions

    provinces, counties = divisions()
    assert len(provinces) > 3000 and len(counties) > 3000
    ontario = next(d for d in provinces if (d.name, d.country) == ("Ontario", "CA"))
    assert ontario.province is None and ontario.towns > 50
    assert all(d.province for d in counties)


def test_a_far_larger_namesake_in_a_named_country_is_not_ambiguous() -> None:
    assert by_mention("Paris is the capital of France.")["Paris"].country == "FR"
    (springfield,) = parse_places("Springfield was quiet on Sunday.")
    assert springfield.lat is None and springfield.unresolved.startswith("ambiguous")


def test_a_word_for_a_people_is_a_mention_of_its_country() -> None:
    found = by_mention("Sudanese officials met Canadian and Israeli envoys; Palestinians waited.")
    assert {m: (f.kind, f.country) for m, f in found.items()} == {
        "Sudanese": ("country", "SD"),
        "Canadian": ("country", "CA"),  # not the town of Canadian, Texas
        "Israeli": ("country", "IL"),
        "Palestinians": ("country", "PS"),
    }
    assert "people of" in found["Sudanese"].why


def test_acronyms_contractions_and_abbreviated_titles_are_not_places() -> None:
    text = "HIV tests, said Gov. Smith. We're told St. is an abbreviation. The FDA agreed."
    assert [m.mention for m in parse_places(text)] == []


def test_countries_and_states_inside_the_names_of_bodies_are_found() -> None:
    text = "The Florida Highway Patrol and the U.S. House; Russia said no. Mr Washington smiled."
    assert [m.mention for m in parse_places(text)] == ["Florida", "U.S.", "Russia"]


def test_two_town_names_side_by_side_are_a_person_but_a_region_pair_is_not() -> None:
    # Scott and Bell are both towns somewhere; "Scott Bell" is a man.
    assert parse_places("Scott Bell opened the shop.") == []
    found = by_mention("Trade with West Africa grew; Kansas City Missouri officials agreed.")
    assert "Africa" in found or "West Africa" in found
    assert "Missouri" in found


# --- evaluation -------------------------------------------------------------------------------

corpora_present = pytest.mark.skipif(
    not __import__("bench.eval_corpora", fromlist=["x"]).CORPORA_DIR.joinpath("lgl.xml").exists(),
    reason="the research corpora are not on this machine (/work/shared/corpora)",
)


def _mention(start: int, end: int, lat: float | None = 0.0, lon: float | None = 0.0):
    return PlaceMention("x" * (end - start), start, end, lat, lon, 1, "UZ", "settlement",
                        "geonames:1", 1.0)  # fmt: skip


def test_scoring_matches_overlapping_spans_one_to_one_and_skips_ignored_ones() -> None:
    from bench.eval import Score, score_article
    from bench.eval_corpora import Article, Gold

    article = Article("a", "", [Gold(0, 5, 0.0, 0.0), Gold(10, 15, 10.0, 0.0)], [(20, 25)])
    predicted = [_mention(2, 4), _mention(3, 5), _mention(12, 20, None, None), _mention(21, 22)]
    score = Score("t", "tune", errors=[])
    score_article(article, predicted, score)
    assert (score.predicted, score.gold, score.matched) == (3, 2, 2)
    assert (score.located, score.accurate, score.errors) == (2, 1, [0.0])  # unresolved is wrong
    assert score.precision == pytest.approx(2 / 3) and score.recall == 1.0


@corpora_present
def test_every_gold_span_slices_back_to_a_name() -> None:
    from bench.eval_corpora import CORPORA, load

    for name in CORPORA:
        for article in load(name, 10):
            for gold in article.gold:
                phrase = article.text[gold.start : gold.end]
                assert phrase.strip() and phrase[0].isalnum(), (name, phrase)


@corpora_present
def test_a_short_evaluation_on_lgl_is_sane() -> None:
    from bench.eval import evaluate

    score = evaluate("LGL", 10)
    assert score.articles == 10 and score.gold > 50
    assert score.f1 > 0.5 and score.accuracy > 0.6


@corpora_present
@pytest.mark.eval
def test_the_quick_evaluation_runs_and_its_figures_are_sane(capsys) -> None:
    """``python -m bench.eval --quick``: 40 articles a corpus, in well under a minute."""
    from bench import eval as evaluation

    scores, facts = evaluation.run(evaluation.QUICK_ARTICLES)
    by_name = {s.corpus: s for s in scores}
    # Floors: the figures measured when this test was written, less a margin of about 0.05.
    assert by_name["LGL"].f1 > 0.72 and by_name["LGL"].accuracy > 0.82
    assert by_name["GeoVirus"].f1 > 0.76 and by_name["GeoVirus"].accuracy > 0.65
    assert by_name["TR-News"].f1 > 0.78 and by_name["GWN"].f1 > 0.57
    assert all(s.per_second > 20 for s in scores)
    assert facts["peak_mb"] < 1024
    report = evaluation.table(scores, facts, evaluation.QUICK_ARTICLES)
    assert "| LGL | tune | 40 |" in report and "CLAVIN" in report
