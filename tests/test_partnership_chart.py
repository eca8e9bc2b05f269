"""The partnership's chart (bot/render/partnership_chart.py) read back from
its pixels: both sides' bars as tall as their averages, the gap marker as
long as the gap, no bar for a theme neither side has scored, the names in
the legend, and the note when there is nothing to compare."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.partnership import PartnershipView, Side, ThemeBars
from bot.render.chart import EARLIER_COLOUR, NOW_COLOUR
from bot.render.partnership_chart import (
    GAP_COLOUR,
    HEIGHT,
    WIDTH,
    render_partnership_chart,
)

from helpers import chart_pixels as pixels

THEMES = ("defining-valued-outcomes", "engaging-whole-systems", "co-producing-the-future",
          "strengthening-resilience", "working-inclusively")
OURS_THEIRS = ((2.5, 4.0), (11 / 3, 3.5), (5.0, 2.0), (None, None), (3.0, 3.0))


def view(scores=OURS_THEIRS) -> PartnershipView:
    return PartnershipView(
        viewer=Side.CSO, themes=(), one_sided=(), unanswered=(),
        bars=tuple(ThemeBars(theme, ours, theirs)
                   for theme, (ours, theirs) in zip(THEMES, scores, strict=True)))


def draw(catalog, packs, language="en", seen=None, title="Barrio Norte",
         partner="Riverside Council") -> pixels.Picture:
    return pixels.Picture(render_partnership_chart(seen or view(), catalog, language, packs,
                                            title=title, partner=partner))


@pytest.mark.parametrize("language", ["en", "es"])
def test_both_sides_bars_and_the_gaps(catalog, packs, language):
    picture = draw(catalog, packs, language)
    assert (picture.size, picture.mode) == ((WIDTH, HEIGHT), "P")
    (panel,) = pixels.axes(picture)
    assert (len(panel.ticks), len(panel.slots)) == (5, 5)
    unit = panel.unit(*pixels.SCORES)
    ours = pixels.bars(picture, panel, NOW_COLOUR)
    theirs = pixels.bars(picture, panel, EARLIER_COLOUR)
    assert [pixels.slot_of(bar, panel) for bar in ours] == [0, 1, 2, 4]
    assert [pixels.slot_of(bar, panel) for bar in theirs] == [0, 1, 2, 4]
    assert all(o.middle < panel.slots[pixels.slot_of(o, panel)] < t.middle
               for o, t in zip(ours, theirs, strict=True))
    pixels.assert_heights(ours, [2.5, 11 / 3, 5.0, 3.0], unit)
    pixels.assert_heights(theirs, [4.0, 3.5, 2.0, 3.0], unit)
    for side in (-1, 1):
        pixels.assert_missing_mark(picture, panel, 3, side)
    pixels.assert_labelled(picture, panel, lines=2)

    # Each gap marker: a red bracket right of its theme's bars, from one bar's
    # top to the other's, with its label beside it.
    column = panel.slots[1] - panel.slots[0]
    for slot, (mine, other) in enumerate(OURS_THEIRS):
        left, right = panel.slots[slot] + column * 0.38, panel.slots[slot] + column / 2
        gap = pixels.rgb(GAP_COLOUR)
        rows = [y for y in range(panel.bottom) for x in range(round(left), round(right))
                if picture.at(x, y) == gap]
        if mine is None:
            assert rows == []
            continue
        bracket = [y for y in range(panel.bottom)
                   if picture.at(round(panel.slots[slot] + column * 0.42), y) == gap]
        assert max(bracket) - min(bracket) == pytest.approx(abs(mine - other) * unit, abs=2.5)
        assert (min(bracket) + max(bracket)) / 2 == pytest.approx(
            panel.bottom - (mine + other) / 2 * unit, abs=2.5)
        label = picture.drawn(round(panel.slots[slot] + column * 0.45), min(bracket) - 60,
                              round(right) + 16, max(bracket) + 60)
        assert len(label) > 50

    # The legend: each side's swatch, and its name beside it.
    for colour in (NOW_COLOUR, EARLIER_COLOUR):
        assert picture.count(colour, 0, 0, WIDTH, panel.ticks[-1] - 10) > 100
    legend = picture.drawn(panel.left, 25, WIDTH, panel.ticks[-1] - 10)
    assert max(legend) - min(legend) > 300


def test_a_long_name_is_cut_and_emoji_are_left_out(catalog, packs):
    """A name with a character the font lacks draws without it (no box); a very
    long one is cut with "…" instead of running off the picture."""
    plain = draw(catalog, packs, title="Barrio Norte")
    with_emoji = draw(catalog, packs, title="Barrio Norte 🌳")
    assert with_emoji.pixels == plain.pixels
    long = draw(catalog, packs, partner="Riverside " * 30)
    (panel,) = pixels.axes(long)
    legend = long.drawn(panel.left, 25, WIDTH, panel.ticks[-1] - 10)
    assert max(legend) < WIDTH - 8


def test_nothing_to_compare_draws_a_note_and_no_bars(catalog, packs):
    seen = view()
    seen = replace(seen, bars=tuple(ThemeBars(bar.theme, None, None) for bar in seen.bars))
    picture = draw(catalog, packs, "es", seen)
    assert pixels.axes(picture) == []
    for colour in (NOW_COLOUR, EARLIER_COLOUR, GAP_COLOUR):
        assert picture.count(colour, 0, 0, WIDTH, HEIGHT) == 0
    note = picture.drawn(0, 40, WIDTH, HEIGHT)
    assert note and sum(note) / len(note) == pytest.approx(WIDTH / 2, abs=40)
    assert picture.drawn(0, 0, WIDTH, 25)  # the title
