"""The digest's picture: theme scores now against four weeks earlier, and
how many people answered each week.

matplotlib is imported inside render_chart, never at module level: it costs
a second of start-up and tens of megabytes, which a bot that never draws a
chart (or only draws one a week per coordinator) should not pay.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date

from bot.domain.summary import CHART_COMPARE_WEEKS, ChartData
from bot.locales import Catalog
from bot.packs import PackLibrary
from bot.render.summary import theme_name

SIZE_INCHES = (8.0, 7.5)
DPI = 100
NOW_COLOUR = "#2a7f62"
EARLIER_COLOUR = "#b8c4cc"
PEOPLE_COLOUR = "#3d6fb6"
LABEL_WIDTH = 16  # characters per line of a theme's name under its bars


def render_chart(
    data: ChartData, catalog: Catalog, language: str, packs: PackLibrary
) -> bytes:
    """A PNG with two panels; labels in `language`."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display, no GUI toolkit
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    def label(key: str, **values: object) -> str:
        # Plain text for a picture: the catalog's HTML escaping does not apply,
        # and "$" would start matplotlib's math mode.
        return catalog.raw(language, key).format(**values).replace("$", r"\$")

    def short(day: date) -> str:
        month = catalog.raw(language, f"month.{day.month}")
        return f"{day.day} {month[:3]}"

    decimal_mark = catalog.raw(language, "summary.decimal_mark")
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    themes_axes, people_axes = figure.subplots(2, 1, height_ratios=(3, 2))

    themes_axes.set_title(label("chart.themes_title", weeks=CHART_COMPARE_WEEKS))
    if data.themes:
        positions = range(len(data.themes))
        width = 0.38
        for offset, key, day, colour, scores in (
            (-width / 2, "chart.earlier", data.compare_week, EARLIER_COLOUR,
             [theme.before for theme in data.themes]),
            (width / 2, "chart.this_week", data.week, NOW_COLOUR,
             [theme.now for theme in data.themes]),
        ):
            xs = [position + offset for position in positions]
            heights = [score if score is not None else 0 for score in scores]
            themes_axes.bar(xs, heights, width, color=colour,
                            label=label(key, weeks=CHART_COMPARE_WEEKS, date=short(day)))
            for x, score in zip(xs, scores, strict=True):
                if score is None:
                    themes_axes.text(x, 0.1, label("chart.no_score"), ha="center",
                                     va="bottom", color="#666666")
                else:
                    shown = f"{score:.1f}".replace(".", decimal_mark)
                    themes_axes.text(x, score + 0.05, shown, ha="center",
                                     va="bottom", fontsize=8)
        themes_axes.set_xticks(
            list(positions),
            [textwrap.fill(theme_name(packs, theme.theme, language).replace("$", r"\$"),
                           LABEL_WIDTH) for theme in data.themes],
            fontsize=8,
        )
        themes_axes.set_ylim(0, 5.5)
        themes_axes.set_yticks([1, 2, 3, 4, 5])
        themes_axes.set_ylabel(label("chart.score_axis"))
        themes_axes.legend(loc="upper left", fontsize=8, ncols=2, frameon=False)
    else:
        themes_axes.text(0.5, 0.5, label("chart.no_themes"), ha="center", va="center",
                         transform=themes_axes.transAxes)
        themes_axes.set_axis_off()

    people_axes.set_title(label("chart.participation_title"))
    ticks = range(len(data.weeks))
    people_axes.bar(ticks, data.participation, 0.6, color=PEOPLE_COLOUR)
    for x, count in zip(ticks, data.participation, strict=True):
        people_axes.text(x, count, str(count), ha="center", va="bottom", fontsize=8)
    people_axes.set_xticks(list(ticks), [short(week) for week in data.weeks], fontsize=8)
    people_axes.set_ylim(0, max(max(data.participation, default=0), 1) * 1.2)
    people_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    people_axes.set_ylabel(label("chart.people_axis"))

    for axes in (themes_axes, people_axes):
        axes.spines[["top", "right"]].set_visible(False)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
