"""The feature page's History: a timeline of the steps in the feature's ``history``.

Expectations come from the built feature's ``history`` (dates formatted by the app's CLDR
formatter for the reader's language), not from the page's own helpers.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from geodata.vocabulary import STAGES
from webapp import create_app
from webapp.i18n.formatting import long_date

CENTRE = "central-asia-international-industrial-cooperation-centre"


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def history_of(client, feature_id: str, lang: str = "en") -> tuple[str, list[str]]:
    response = client.get(f"/features/{feature_id}?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = re.search(r'<section class="feature-history".*?</section>', page, re.S)
    assert section, "the page has a History section"
    steps = re.findall(r'<li class="history-step[^"]*">(.*?)</li>', section.group(0), re.S)
    return section.group(0), steps


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_feature_page_lists_its_steps_in_order(client, features):
    for feature in features:
        history = feature["properties"]["history"]
        section, steps = history_of(client, feature["id"])
        assert len(steps) == len(history), feature["id"]
        assert '<h2 id="history-heading">History</h2>' in section
        assert section.count('<ol class="history-timeline">') == 1
        for step, shown in zip(history, steps, strict=True):
            assert words(shown).startswith(step["stage"]), (feature["id"], step)


def test_the_centre_shows_its_two_scheduled_events(client, features):
    centre = next(f for f in features if f["id"] == CENTRE)
    history = centre["properties"]["history"]
    scheduled = [step for step in history if step["scheduled"]]
    assert len(scheduled) == 2 and all(step["kind"] == "event" for step in scheduled)
    section, steps = history_of(client, CENTRE)
    plans = [shown for shown in steps if "Scheduled: a plan the article announced" in shown]
    assert len(plans) == 2
    assert section.count('class="history-step scheduled"') == 2
    for step in scheduled:
        shown = next(s for s in plans if f"“{step['when']}”" in unescape(s))
        assert f'<span lang="en">{step["label"]}</span>' in shown
        interval = f"{long_date(step['start'], 'en')} – {long_date(step['end'], 'en')}"
        assert f"read as {interval}" in words(shown)
        slug = step["seed"].removesuffix(".txt")
        assert f'href="/sources/{slug}"' in shown


def test_steps_link_the_reporting_article(client, features):
    centre = next(f for f in features if f["id"] == CENTRE)
    _, steps = history_of(client, CENTRE)
    for step, shown in zip(centre["properties"]["history"], steps, strict=True):
        href = re.search(r'href="(/sources/[^"]+)"', shown).group(1)
        assert href == f"/sources/{step['seed'].removesuffix('.txt')}"
        assert "Reported by" in words(shown)
        article = client.get(href)
        assert article.status_code == 200
        title = re.search(r"<h1[^>]*>(.*?)</h1>", article.get_data(as_text=True), re.S).group(1)
        assert words(title) in words(shown)


def test_reported_steps_say_when_the_article_appeared(client, features):
    for feature in features:
        _, steps = history_of(client, feature["id"])
        for step, shown in zip(feature["properties"]["history"], steps, strict=True):
            if step["kind"] != "reported":
                continue
            text = words(shown)
            assert "reported in an article published" in text
            if step["start"] and step["start"] == step["end"]:
                assert long_date(step["start"], "en") in text
            elif step["end"] and not step["start"]:
                assert f"by {long_date(step['end'], 'en')}, start not known" in text


def test_the_bars_follow_the_intervals(client, features):
    centre = next(f for f in features if f["id"] == CENTRE)
    history = centre["properties"]["history"]
    _, steps = history_of(client, CENTRE)
    spans = [
        tuple(float(v) for v in re.search(r"left: ([\d.]+)%; width: ([\d.]+)%", s).groups())
        for s in steps
    ]
    for (left, width), step in zip(spans, history, strict=True):
        assert left >= 0 and left + width <= 100.05, step
    lefts = {step["start"]: left for (left, _), step in zip(spans, history, strict=True)}
    dated = sorted(start for start in lefts if start)
    assert [lefts[d] for d in dated] == sorted(lefts[d] for d in dated)
    # the bars are drawing only; the words are what assistive technology reads
    assert all('class="history-track" aria-hidden="true"' in s for s in steps)


def test_the_history_reads_in_russian(client, features):
    centre = next(f for f in features if f["id"] == CENTRE)
    section, steps = history_of(client, CENTRE, "ru")
    assert '<h2 id="history-heading">Хронология</h2>' in section
    technical = next(step for step in centre["properties"]["history"] if step["scheduled"])
    shown = next(s for s in steps if f"“{technical['when']}”" in unescape(s))
    interval = f"{long_date(technical['start'], 'ru')} – {long_date(technical['end'], 'ru')}"
    assert words(interval) in words(shown)
    assert "Запланировано" in shown
    stage_ru = re.search(r'<span class="stage">([^<]*)</span>', shown).group(1)
    assert stage_ru not in STAGES  # the stage is translated (|term), not shown as data
