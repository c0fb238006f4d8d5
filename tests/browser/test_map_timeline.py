"""The map's timeline (issue 14, item 2) in Chromium against a real server of the built atlas.

The JavaScript's stage as of a day agrees with ``geodata.timeline.stage_as_of`` on every case
of ``tests/geodata/timeline_cases.json``; the slider at three months shows each seed feature
as Python says it stood then (hidden when not yet reported, styled by its stage, faded when
not certain, outlined when scheduled) with the legend counting them; the month is kept in the
permalink, in /embed and across the language switch; play advances a month at a time and
stops at the end; invalid months in the URL are ignored; axe-core finds nothing serious with
the timeline open; a phone fits it; a large atlas's page has none.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, expect

from geodata.timeline import stage_as_of, timeline_span
from geodata.vocabulary import STAGES
from tests.browser.test_map_browser import PHONE, _overlap, features, open_page, other_site  # noqa: F401
from tests.browser.test_map_large import large_server, open_large  # noqa: F401
from tests.support import axe
from tests.support.pages import DESKTOP
from webapp.map.pagedata import slug

pytestmark = pytest.mark.browser

CASES = Path(__file__).parents[1] / "geodata" / "timeline_cases.json"
#: Three months of the seeds' story: before the first report, between, and after the
#: events announced for 2026.
MONTHS = ["2024-06", "2024-08", "2027-01"]

#: What the page shows of every feature: drawn or not, the timeline's answer, and the SVG
#: attributes its style sets.
SHOWN = """() => {
    const app = CorridorAtlas.app, t = app.timeline;
    return Object.fromEntries([...app.features].map(([id, f]) => {
        const el = f.layer.getElement();
        return [id, {
            shown: app.filters.isShown(id),
            asOf: t.on() ? t.asOf.get(id) : undefined,
            kind: f.data.kind,
            dash: el ? el.getAttribute("stroke-dasharray") : null,
            fill: el ? el.getAttribute("fill") : null,
            opacity: el ? el.getAttribute("stroke-opacity") : null,
            classes: el ? [...el.classList].filter((c) => c.startsWith("atlas-asof-")) : [],
        }];
    }));
}"""


def last_day(month: str) -> date:
    """The last day of "YYYY-MM"."""
    year, number = map(int, month.split("-"))
    following = date(year + number // 12, number % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def expected(props: dict, month: str) -> dict | None:
    """Python's answer for a feature as of the end of ``month``, keyed as the map keys stages
    (a feature without a history stands as reported)."""
    found = stage_as_of(props["history"], last_day(month))
    if found is None:
        return None
    answer = found.to_json()
    return {**answer, "stage": slug(answer["stage"])}


def slider_index(features: dict, month: str) -> int:  # noqa: F811
    """The slider position of ``month``: months since the first of the span."""
    start, _ = timeline_span(features.values())
    year, number = map(int, month.split("-"))
    return (year - start.year) * 12 + number - start.month


def open_timeline(page: Page) -> None:
    page.get_by_role("button", name="Timeline").click()
    expect(page.locator("#atlas-timeline-panel")).to_be_visible()


def set_month(page: Page, features: dict, month: str) -> None:  # noqa: F811
    page.locator("#atlas-timeline-range").fill(str(slider_index(features, month)))
    page.wait_for_function("(m) => CorridorAtlas.app.timeline.getState() === m", arg=month)


def month_words(page: Page, month: str, language: str = "en") -> str:
    """``month`` in words as CLDR (through the browser's Intl) writes it in ``language``."""
    return page.evaluate(
        """([m, lang]) => new Intl.DateTimeFormat(lang, {month: "long", year: "numeric",
            timeZone: "UTC"}).format(new Date(m + "-01T00:00:00Z"))""",
        [month, language],
    )


def check_month(page: Page, features: dict, month: str) -> dict:  # noqa: F811
    """Every feature as Python says it stood at the end of ``month``; the page's view."""
    shown = page.evaluate(SHOWN)
    drawing = page.evaluate("() => CorridorAtlas.app.data.drawing.stages")
    assert set(shown) == set(features)
    for fid, seen in shown.items():
        want = expected(features[fid], month)
        assert seen["shown"] == (want is not None), (fid, month)
        assert seen["asOf"] == want, (fid, month)
        if want is None:
            continue
        style = drawing[want["stage"]]
        uncertain, scheduled = not want["certain"], want["certain"] and want["scheduled"]
        assert seen["classes"] == (
            ["atlas-asof-uncertain"] * uncertain + ["atlas-asof-scheduled"] * scheduled
        ), fid
        if seen["kind"] == "corridor":
            if uncertain:
                assert seen["opacity"] == "0.35", fid
                assert seen["dash"] == (style["dash"] or "6 6"), fid
            elif scheduled:
                assert seen["dash"] == "12 4 2 4", fid
            else:
                assert seen["dash"] == style["dash"], fid
        else:
            fill = seen["fill"]
            if style["fill"] == "ring":
                assert fill == "#ffffff", fid
            elif style["fill"] == "half":
                assert fill.startswith("url(#atlas-half-"), fid
            else:
                assert fill not in ("#ffffff", None) and not fill.startswith("url("), fid
            assert seen["opacity"] == ("0.5" if uncertain else "1"), fid
    return shown


# --- the rule, on the shared table of cases ---------------------------------------------------


def test_javascript_stage_as_of_gives_the_python_answer_on_every_case(open_page):  # noqa: F811
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    assert len(cases) >= 20
    page = open_page("/")
    answers = page.evaluate(
        "([cases, order]) => cases.map((c) => CorridorAtlas.stageAsOf(c.history, c.date, order))",
        [cases, list(STAGES)],
    )
    for case, answer in zip(cases, answers, strict=True):
        assert answer == case["expected"], case
        python = stage_as_of(case["history"], case["date"])
        assert answer == (python.to_json() if python else None), case


# --- the slider ---------------------------------------------------------------------------------


def test_off_by_default_the_map_is_as_reported(open_page, features):  # noqa: F811
    page = open_page("/")
    expect(page.get_by_role("button", name="Timeline")).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("() => CorridorAtlas.app.timeline.on()") is False
    shown = page.evaluate(SHOWN)
    assert all(seen["shown"] and not seen["classes"] for seen in shown.values())
    assert "as_of" not in page.url
    expect(page.locator(".atlas-legend-asof")).to_have_count(0)


@pytest.mark.parametrize("month", MONTHS)
def test_the_slider_shows_each_feature_as_it_stood_then(open_page, features, month):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, month)
    check_month(page, features, month)
    words = month_words(page, month)
    expect(page.locator(".atlas-timeline-date")).to_have_text(words)
    expect(page.locator("#atlas-timeline-range")).to_have_attribute("aria-valuetext", words)
    # The legend counts each stage then and the features not yet reported.
    answers = [expected(p, month) for p in features.values()]
    missing = sum(a is None for a in answers)
    legend = page.locator(".atlas-legend-asof")
    expect(legend.locator("h3")).to_have_text(f"As of {words}")
    expect(legend.locator(".atlas-legend-asof-missing")).to_have_text(f"{missing} not yet reported")
    labels = page.evaluate(
        "() => Object.fromEntries("
        "CorridorAtlas.app.data.timeline.stages.map((s) => [s.key, s.label]))"
    )
    stages = [a["stage"] for a in answers if a]
    expect(legend.locator(".atlas-legend-asof-stage")).to_have_text(
        [f"{labels[s]}: {stages.count(s)}" for s in map(slug, STAGES) if s in stages]
    )
    page.wait_for_function("(m) => location.hash.includes('as_of=' + m)", arg=month)


def test_the_three_months_tell_a_story(features):  # noqa: F811
    """The months chosen show a change: a feature not yet reported, then reported."""
    counts = [sum(expected(p, m) is None for p in features.values()) for m in MONTHS]
    assert counts[0] > counts[1] >= counts[2]
    stages = [{fid: expected(p, m) for fid, p in features.items()} for m in MONTHS]
    assert any(stages[1][f] and stages[2][f] and stages[1][f] != stages[2][f] for f in features)


def test_the_status_filter_reads_the_stage_as_of_the_month(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, "2027-01")
    page.evaluate(
        """() => { const f = CorridorAtlas.app.filters;
                   f.status = new Set(["operational"]); f.apply(); }"""
    )
    shown = {fid for fid, seen in page.evaluate(SHOWN).items() if seen["shown"]}
    operational = {
        fid
        for fid, p in features.items()
        if (expected(p, "2027-01") or {}).get("stage") == "operational"
    }
    reported_so = {fid for fid, p in features.items() if p["stage"] == "operational"}
    assert shown == operational and operational != reported_so


def test_the_keyboard_moves_the_slider_a_month(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, "2024-08")
    page.locator("#atlas-timeline-range").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => CorridorAtlas.app.timeline.getState() === '2024-09'")
    expect(page.locator("#atlas-timeline-range")).to_have_attribute(
        "aria-valuetext", month_words(page, "2024-09")
    )
    expect(page.get_by_label("As of the end of")).to_be_focused()
    page.keyboard.press("Escape")  # closes the panel, keeps the month
    expect(page.locator("#atlas-timeline-panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Timeline")).to_be_focused()
    expect(page.locator(".atlas-timeline-state")).to_have_text(month_words(page, "2024-09"))
    check_month(page, features, "2024-09")


def test_all_dates_turns_the_timeline_off(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, "2024-06")
    page.get_by_role("button", name="All dates").click()
    page.wait_for_function("() => !location.hash.includes('as_of')")
    shown = page.evaluate(SHOWN)
    assert all(seen["shown"] and not seen["classes"] for seen in shown.values())
    expect(page.locator(".atlas-legend-asof")).to_be_hidden()
    expect(page.locator(".atlas-timeline-date")).to_have_text("all dates")


def test_play_advances_a_month_at_a_time_and_stops_at_the_end(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    end = page.evaluate("() => CorridorAtlas.app.timeline.months.length - 1")
    page.locator("#atlas-timeline-range").fill(str(end - 2))
    play = page.locator(".atlas-timeline-play")
    play.click()
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(play).to_have_text("Pause")
    page.wait_for_function("(i) => CorridorAtlas.app.timeline.index === i", arg=end - 1)
    page.wait_for_function("(i) => CorridorAtlas.app.timeline.index === i", arg=end)
    expect(play).to_have_attribute("aria-pressed", "false", timeout=3000)
    page.wait_for_timeout(900)
    assert page.evaluate("() => CorridorAtlas.app.timeline.index") == end
    # Pause stops it where it is.
    page.locator("#atlas-timeline-range").fill("0")
    play.click()
    page.wait_for_function("() => CorridorAtlas.app.timeline.index === 1")
    play.click()
    expect(play).to_have_text("Play")
    stopped = page.evaluate("() => CorridorAtlas.app.timeline.index")
    page.wait_for_timeout(900)
    assert page.evaluate("() => CorridorAtlas.app.timeline.index") == stopped


def test_stages_change_without_animation_when_less_motion_is_asked(open_page):  # noqa: F811
    durations = (
        "() => getComputedStyle(document.querySelector('path.atlas-site')).transitionDuration"
    )
    assert open_page("/").evaluate(durations) != "0s"
    assert open_page("/", reduced_motion="reduce").evaluate(durations) == "0s"


# --- the URL ------------------------------------------------------------------------------------


def test_the_permalink_keeps_the_month(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, "2024-08")
    page.wait_for_function("() => location.hash.includes('as_of=2024-08')")
    before = page.evaluate(SHOWN)
    again = open_page(page.url)
    assert again.evaluate("() => CorridorAtlas.app.timeline.getState()") == "2024-08"
    expect(again.locator("#atlas-timeline-range")).to_have_value(
        str(slider_index(features, "2024-08"))
    )
    expect(again.locator(".atlas-timeline-state")).to_have_text(month_words(again, "2024-08"))
    assert again.evaluate(SHOWN) == before
    # A day or a year is read as the API reads it: the end of that period, shown as its month.
    year = open_page("/#as_of=2024")
    assert year.evaluate("() => CorridorAtlas.app.timeline.getState()") == "2024-12"
    check_month(year, features, "2024-12")


@pytest.mark.parametrize(
    "fragment",
    [
        "as_of=2025-13",
        "as_of=abc",
        "as_of=2025-02-30",
        "as_of=20255",
        "as_of=-1",
        "as_of=__proto__",
        "as_of=%E0%A4%A",
        "as_of=1800-01",
        "as_of=2025-6",
    ],
)
def test_an_invalid_month_in_the_url_is_ignored(open_page, fragment):  # noqa: F811
    page = open_page(f"/#map=5/41/69&{fragment}")
    assert page.evaluate("() => CorridorAtlas.app.timeline.on()") is False
    shown = page.evaluate(SHOWN)
    assert all(seen["shown"] for seen in shown.values())


def test_the_embed_takes_the_month_and_carries_it(open_page, features):  # noqa: F811
    site = "central-asia-international-industrial-cooperation-centre"
    page = open_page(f"/embed?focus={site}&as_of=2024-08")
    assert page.evaluate("() => CorridorAtlas.app.timeline.getState()") == "2024-08"
    check_shown = page.evaluate(SHOWN)
    for fid, seen in check_shown.items():
        assert seen["shown"] == (expected(features[fid], "2024-08") is not None), fid
    link = page.locator("a.atlas-embed-link")
    assert unquote(link.get_attribute("href")) == f"/#as_of=2024-08&open={site}"
    # The reader moves the slider in the frame: the link follows.
    open_timeline(page)
    set_month(page, features, "2027-01")
    page.wait_for_function(
        "() => document.querySelector('a.atlas-embed-link').href.includes('as_of=2027-01')"
    )
    full = open_page(link.get_attribute("href"))
    assert full.evaluate("() => CorridorAtlas.app.timeline.getState()") == "2027-01"


def test_the_language_switch_keeps_the_month(open_page, features):  # noqa: F811
    page = open_page("/")
    open_timeline(page)
    set_month(page, features, "2024-08")
    page.wait_for_function(
        "() => document.querySelector('.atlas-languages a[data-language=ru]').href"
        ".includes('as_of=2024-08')"
    )
    page.locator(".atlas-languages a[data-language=ru]").evaluate("(a) => a.click()")
    page.wait_for_url("**lang=ru**")
    page.wait_for_function("() => !!CorridorAtlas.app")
    assert page.evaluate("() => CorridorAtlas.app.timeline.getState()") == "2024-08"
    words = month_words(page, "2024-08", "ru")
    expect(page.locator(".atlas-timeline-state")).to_have_text(words)
    page.get_by_role("button", name="Хронология").click()
    expect(page.locator(".atlas-timeline-date")).to_have_text(words)
    expect(page.locator(".atlas-legend-asof h3")).to_have_text(f"По состоянию на {words}")
    expect(page.get_by_role("button", name="Все даты")).to_be_visible()
    check_month(page, features, "2024-08")


# --- reading it: accessibility, a phone; a large atlas ------------------------------------------


def test_axe_finds_nothing_serious_with_the_timeline_open(browser: Browser, live_server, features):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP)
    axe.prepare(context)
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort(),
    )
    try:
        page.goto(f"{live_server}/#as_of=2025-06", wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        open_timeline(page)
        violations = axe.run(page)
        assert not [v for v in violations if v.serious], axe.describe(violations)
    finally:
        context.close()


def test_the_timeline_fits_a_phone(open_page, features):  # noqa: F811
    page = open_page("/", viewport=PHONE, is_mobile=True, has_touch=True)
    toggle = page.locator(".atlas-timeline")
    expect(toggle).to_be_visible()
    box = toggle.bounding_box()
    for other in (
        ".leaflet-control-zoom",
        ".atlas-tools",
        ".leaflet-control-layers",
        ".atlas-filters",
        ".atlas-legend",
    ):
        assert not _overlap(box, page.locator(other).bounding_box()), other
    open_timeline(page)
    panel = page.locator("#atlas-timeline-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    set_month(page, features, "2024-08")
    check_month(page, features, "2024-08")


def test_a_large_atlas_has_no_timeline(open_large):  # noqa: F811
    page = open_large("/")
    expect(page.locator(".leaflet-control-layers")).to_be_attached()
    expect(page.locator(".atlas-timeline")).to_have_count(0)
    assert page.evaluate("() => CorridorAtlas.app.timeline") is None
