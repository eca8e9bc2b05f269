"""The digest's chart (bot/render/chart.py) read back from its pixels: a PNG
Telegram takes, bars as tall as the scores and the counts on the scale the
ticks show, no bar where there is no score, and text where the labels go.
The month of tests/test_summary.py gives the data."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain.summary import CHART_COMPARE_WEEKS, ChartData, ThemeComparison, chart_data
from bot.render.chart import (
    EARLIER_COLOUR,
    HEIGHT,
    NOW_COLOUR,
    PEOPLE_COLOUR,
    WIDTH,
    render_chart,
)
from bot.render.plot import INK

from helpers.chart_pixels import (
    SCORES,
    Picture,
    assert_heights,
    assert_labelled,
    assert_missing_mark,
    axes,
    bars,
    slot_of,
)
from helpers.summary import month_facts

ROOT = Path(__file__).resolve().parents[1]
WEEK = date(2025, 3, 3)










@pytest.mark.parametrize("language", ["en", "es"])
def test_the_chart_shows_the_month(catalog, packs, language):
    data = chart_data(month_facts(language=language))
    assert [(theme.now, theme.before) for theme in data.themes] == [
        (pytest.approx(2.3), pytest.approx(2.2)), (pytest.approx(31 / 12), None),
        (pytest.approx(38 / 11), None), (None, None), (None, None),
    ]
    assert data.participation == (0, 0, 0, 5, 7, 6, 5, 7)
    picture = Picture(render_chart(data, catalog, language, packs))
    assert (picture.size, picture.mode) == ((WIDTH, HEIGHT), "P")
    themes, people = axes(picture)

    # Themes: a tick per score 1 to 5, a column per theme; bars only for the scores
    # there are, the earlier span's left of the column's middle, the last span's right.
    assert (len(themes.ticks), len(themes.slots)) == (5, 5)
    unit = themes.unit(*SCORES)
    earlier, now = bars(picture, themes, EARLIER_COLOUR), bars(picture, themes, NOW_COLOUR)
    assert [slot_of(bar, themes) for bar in earlier] == [0]
    assert [slot_of(bar, themes) for bar in now] == [0, 1, 2]
    assert all(bar.middle < themes.slots[0] for bar in earlier)
    assert all(bar.middle > themes.slots[slot] for slot, bar in enumerate(now))
    assert_heights(earlier, [2.2], unit)
    assert_heights(now, [2.3, 31 / 12, 38 / 11], unit)
    for slot, side in ((1, -1), (2, -1), (3, -1), (3, 1), (4, -1), (4, 1)):
        assert_missing_mark(picture, themes, slot, side)
    assert_labelled(picture, themes, lines=2)
    # The legend's two swatches, above the plot.
    for colour in (EARLIER_COLOUR, NOW_COLOUR):
        assert picture.count(colour, 0, 0, WIDTH, themes.ticks[-1] - 10) > 100

    # People: a tick per count 0 to 8 (the highest week, 7, and room above), a
    # column per week, no bar for the weeks nobody answered.
    assert (len(people.ticks), len(people.slots)) == (9, 8)
    weekly = bars(picture, people, PEOPLE_COLOUR)
    assert [slot_of(bar, people) for bar in weekly] == [3, 4, 5, 6, 7]
    assert_heights(weekly, [5, 7, 6, 5, 7], people.unit(0, 8))
    assert_labelled(picture, people)

    # The titles above the panels, the axes' names at the left.
    assert picture.drawn(0, 0, WIDTH, 20)
    assert picture.drawn(themes.left + 50, themes.bottom + 50, WIDTH, people.ticks[-1] - 10)
    for panel in (themes, people):
        assert picture.drawn(0, panel.ticks[-1], 25, panel.bottom)


@pytest.mark.parametrize("scores", [
    ((5.0, 1.0), (None, 4.2), (3.0, None), (None, None)),
    ((1.0, 1.0),),
    tuple((round(1 + step / 2, 2), round(5 - step / 2, 2)) for step in range(9)),
])
def test_the_bars_follow_the_scores(catalog, packs, scores):
    data = ChartData(
        week=WEEK, compare_week=WEEK - timedelta(weeks=CHART_COMPARE_WEEKS),
        themes=tuple(ThemeComparison(f"theme-{n}", now, before)
                     for n, (now, before) in enumerate(scores)),
        weeks=tuple(WEEK - timedelta(weeks=back) for back in range(7, -1, -1)),
        participation=(0, 1, 2, 30, 4, 0, 61, 7),
    )
    picture = Picture(render_chart(data, catalog, "en", packs))
    themes, people = axes(picture)
    assert len(themes.slots) == len(scores)
    unit = themes.unit(*SCORES)
    for colour, index in ((NOW_COLOUR, 0), (EARLIER_COLOUR, 1)):
        expected = [(slot, pair[index]) for slot, pair in enumerate(scores)
                    if pair[index] is not None]
        found = bars(picture, themes, colour)
        assert [slot_of(bar, themes) for bar in found] == [slot for slot, _ in expected]
        assert_heights(found, [score for _, score in expected], unit)
    # 61 at the most, and room above: ticks every 10 from 0 to 70.
    assert len(people.ticks) == 8
    weekly = bars(picture, people, PEOPLE_COLOUR)
    assert [slot_of(bar, people) for bar in weekly] == [1, 2, 3, 4, 6, 7]
    assert_heights(weekly, [1, 2, 30, 4, 61, 7], people.unit(0, 70))


def test_a_chart_without_any_rating(catalog, packs):
    data = chart_data(replace(month_facts(), themes=(), participation=()))
    assert (data.themes, data.participation) == ((), (0,) * 8)
    picture = Picture(render_chart(data, catalog, "en", packs))
    (people,) = axes(picture)  # the themes' panel has no axes, only its note
    for colour in (EARLIER_COLOUR, NOW_COLOUR, PEOPLE_COLOUR):
        assert picture.count(colour, 0, 0, WIDTH, HEIGHT) == 0
    note = picture.drawn(0, 60, WIDTH, people.ticks[-1] - 60)
    assert note and sum(note) / len(note) == pytest.approx(WIDTH / 2, abs=40)
    assert (len(people.ticks), len(people.slots)) == (2, 8)  # 0 and 1
    assert_labelled(picture, people)
    assert picture.count(INK, 0, 0, WIDTH, 30) > 0  # the title


def test_drawing_charts_loads_no_plotting_library():
    """The charts are Pillow only: matplotlib (and numpy under it) cost tens of
    megabytes in every chart worker."""
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests/bench')\n"
        "import charts\n"
        "charts.main()\n"
        "loaded = sorted({'matplotlib', 'numpy'} & set(sys.modules))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code, "--draws", "2"], cwd=ROOT, check=True,
                   capture_output=True)
