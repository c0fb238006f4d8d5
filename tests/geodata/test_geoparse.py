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
    # Floors: the figures measured when this test was written, less a margin of about 0.08.
    assert by_name["LGL"].f1 > 0.56 and by_name["LGL"].accuracy > 0.72
    assert by_name["GeoVirus"].f1 > 0.72 and by_name["GeoVirus"].accuracy > 0.6
    assert by_name["TR-News"].f1 > 0.62 and by_name["GWN"].f1 > 0.46
    assert all(s.per_second > 20 for s in scores)
    assert facts["peak_mb"] < 1024
    report = evaluation.table(scores, facts, evaluation.QUICK_ARTICLES)
    assert "| LGL | tune | 40 |" in report and "CLAVIN" in report
