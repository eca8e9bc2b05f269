"""The digest's picture: theme scores now against four weeks earlier, and
how many people answered each week.

Drawn with Pillow from the pieces in bot/render/plot.py (which says why not
matplotlib, and why this font): a few milliseconds of CPU per chart, so the
weekly round's charts never hold up its sending.
"""

from __future__ import annotations

from datetime import date

from bot.content.locales import Catalog, Html
from bot.content.packs import PackLibrary
from bot.domain.summary import CHART_COMPARE_WEEKS, ChartData
from bot.render.plot import (
    MUTED,
    PAD,
    SMALL_SIZE,
    TITLE_SIZE,
    Canvas,
    Panel,
    categories_height,
    line_height,
    palette,
    scale_width,
    whole_number_ticks,
    wrap,
)
from bot.render.summary import theme_name

WIDTH, HEIGHT = 800, 750  # pixels
NOW_COLOUR = "#2a7f62"
EARLIER_COLOUR = "#b8c4cc"
PEOPLE_COLOUR = "#3d6fb6"
BAR_WIDTH = 0.38  # of a theme's column, for each of its two bars
PEOPLE_BAR_WIDTH = 0.6  # of a week's column
SCORE_TOP = 5.5  # room above a 5 for its value
SCORE_TICKS = (1, 2, 3, 4, 5)
LABEL_GAP = 16  # pixels between a name under its bars and the next name
PALETTE = palette(NOW_COLOUR, EARLIER_COLOUR, PEOPLE_COLOUR)
CAPTION_LIMIT = 1024  # sendPhoto's caption, in characters


def render_chart(
    data: ChartData, catalog: Catalog, language: str, packs: PackLibrary
) -> bytes:
    """A PNG with two panels; labels in `language`."""

    def label(key: str, **values: object) -> str:
        # Plain text for a picture: the catalog's HTML escaping does not apply.
        return catalog.raw(language, key).format(**values)

    def short(day: date) -> str:
        month = catalog.raw(language, f"month.{day.month}")
        return f"{day.day} {month[:3]}"

    decimal_mark = catalog.raw(language, "summary.decimal_mark")
    canvas = Canvas(WIDTH, HEIGHT, PALETTE)
    people_top_value = max(max(data.participation, default=0), 1) * 1.2
    people_ticks = [(count, str(count)) for count in whole_number_ticks(people_top_value)]
    score_ticks = [(score, str(score)) for score in SCORE_TICKS]
    left = scale_width([text for _, text in score_ticks + people_ticks])
    right = WIDTH - PAD
    middle = (left + right) / 2

    # From the top: the themes' title and legend, their panel, the names under it...
    themes_top = canvas.title(middle, PAD,
                              label("chart.themes_title", weeks=CHART_COMPARE_WEEKS)) + 6
    if data.themes:
        themes_top = canvas.legend(left + 4, themes_top, right, [
            (EARLIER_COLOUR, label("chart.earlier", weeks=CHART_COMPARE_WEEKS,
                                   date=short(data.compare_week))),
            (NOW_COLOUR, label("chart.this_week", weeks=CHART_COMPARE_WEEKS,
                               date=short(data.week))),
        ]) + 6
    column = (right - left) / max(len(data.themes), 1)
    names = [wrap(theme_name(packs, theme.theme, language), SMALL_SIZE, column - LABEL_GAP)
             for theme in data.themes]
    # ...and from the bottom: the weeks under the people's panel. The two
    # panels share what is left between, three parts to two, as before.
    people_bottom = HEIGHT - PAD - categories_height(1)
    under_themes = categories_height(max(map(len, names), default=1)) + 2 * PAD
    people_heading = line_height(TITLE_SIZE) + 6
    plots = people_bottom - themes_top - under_themes - people_heading
    themes_bottom = themes_top + round(plots * 3 / 5)
    people_title_top = themes_bottom + under_themes

    themes = Panel(canvas, left, themes_top, right, themes_bottom, len(data.themes), SCORE_TOP)
    if data.themes:
        _theme_bars(themes, data, label("chart.no_score"), decimal_mark)
        themes.axes(score_ticks, label("chart.score_axis"), names)
    else:
        themes.note(label("chart.no_themes"))

    canvas.title(middle, people_title_top, label("chart.participation_title"))
    people_top = people_title_top + people_heading
    people = Panel(canvas, left, people_top, right, people_bottom, len(data.weeks),
                   people_top_value)
    for week, count in enumerate(data.participation):
        people.bar(week, 0.0, PEOPLE_BAR_WIDTH, count, PEOPLE_COLOUR)
        people.value_label(week, 0.0, count, str(count))
    people.axes(people_ticks, label("chart.people_axis"), [[short(week)] for week in data.weeks])
    return canvas.png()


def _theme_bars(panel: Panel, data: ChartData, no_score: str, decimal_mark: str) -> None:
    """Per theme, the earlier span's bar on the left and the last span's on
    the right; a theme's missing score gets a mark on the axis, not a bar."""
    for slot, theme in enumerate(data.themes):
        for offset, colour, score in ((-BAR_WIDTH / 2, EARLIER_COLOUR, theme.before),
                                      (BAR_WIDTH / 2, NOW_COLOUR, theme.now)):
            if score is None:
                panel.value_label(slot, offset, 0.1, no_score, MUTED)
                continue
            panel.bar(slot, offset, BAR_WIDTH, score, colour)
            panel.value_label(slot, offset, score + 0.05,
                              f"{score:.1f}".replace(".", decimal_mark))


def chart_caption(
    data: ChartData, catalog: Catalog, language: str, packs: PackLibrary, title: str
) -> str:
    """The chart's numbers in words, for whoever cannot see the picture (a
    screen reader reads a caption, never a PNG). Within Telegram's 1,024
    characters of a caption: the weeks are cut from the oldest if need be."""
    decimal_mark = catalog.raw(language, "summary.decimal_mark")

    def score(value: float | None) -> str:
        if value is None:
            return catalog.raw(language, "weekly.chart_no_score")
        return f"{value:.1f}".replace(".", decimal_mark)

    themes = "; ".join(
        catalog.text(language, "weekly.chart_theme", theme=theme_name(packs, theme.theme, language),
                     now=score(theme.now), before=score(theme.before))
        for theme in data.themes) or catalog.text(language, "chart.no_themes")
    weeks = [catalog.text(language, "weekly.chart_week", day=week.day,
                          month=catalog.raw(language, f"month.{week.month}")[:3], count=count)
             for week, count in zip(data.weeks, data.participation, strict=True)]
    while True:
        caption = catalog.text(language, "weekly.chart_caption", title=title,
                               themes=Html(themes), by_week=Html(", ".join(weeks)))
        if len(caption) <= CAPTION_LIMIT or not weeks:
            return caption[:CAPTION_LIMIT]
        weeks.pop(0)
