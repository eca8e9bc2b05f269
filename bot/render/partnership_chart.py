"""The partnership's picture: for each of the five themes, the two sides'
averages side by side and a marker for the gap between them. Drawn in the
digest chart's style (bot/render/chart.py), from the same pieces
(bot/render/plot.py)."""

from __future__ import annotations

import textwrap

from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain.partnership import PartnershipView, ThemeBars
from bot.render.chart import BAR_WIDTH, EARLIER_COLOUR, LABEL_GAP, NOW_COLOUR, SCORE_TICKS
from bot.render.chart import SCORE_TOP as TOP_VALUE
from bot.render.plot import (
    MUTED,
    PAD,
    SMALL_SIZE,
    Canvas,
    Panel,
    categories_height,
    drawable,
    palette,
    scale_width,
    wrap,
)
from bot.render.summary import theme_name

WIDTH, HEIGHT = 800, 500  # pixels
GAP_COLOUR = "#c0504d"
NAME_LENGTH = 40  # characters of a group's name in the legend
# The gap marker, in a theme's column widths from its middle: a bracket just
# right of the right-hand bar, its serifs pointing at the bars, its label after.
BRACKET = BAR_WIDTH + 0.04
SERIF = 0.04
GAP_LABEL = BRACKET + 0.03
RIGHT_MARGIN = 24  # pixels: room for the last theme's gap label
PALETTE = palette(NOW_COLOUR, EARLIER_COLOUR, GAP_COLOUR)


def render_partnership_chart(
    view: PartnershipView, catalog: Catalog, language: str, packs: PackLibrary, *,
    title: str, partner: str,
) -> bytes:
    """A PNG: ours beside theirs for every theme, with the gap marked."""

    def label(key: str, **values: object) -> str:
        # Plain text for a picture: the catalog's HTML escaping does not apply.
        return catalog.raw(language, key).format(**values)

    def shown(value: float) -> str:
        return f"{value:.1f}".replace(".", catalog.raw(language, "summary.decimal_mark"))

    def legend_name(name: str) -> str:
        return textwrap.shorten(drawable(name), NAME_LENGTH, placeholder="…")

    canvas = Canvas(WIDTH, HEIGHT, PALETTE)
    bars = view.bars
    ticks = [(score, str(score)) for score in SCORE_TICKS]
    left, right = scale_width([text for _, text in ticks]), WIDTH - RIGHT_MARGIN
    top = canvas.title((left + right) / 2, PAD, label("partnership_chart.title")) + 6
    if not any(bar.gap is not None for bar in bars):
        Panel(canvas, left, top, right, HEIGHT - PAD, 1, TOP_VALUE).note(
            label("partnership_chart.no_data"))
        return canvas.png()

    top = canvas.legend(left + 4, top, right, [
        (NOW_COLOUR, legend_name(title)), (EARLIER_COLOUR, legend_name(partner))]) + 6
    column = (right - left) / len(bars)
    names = [wrap(theme_name(packs, bar.theme, language), SMALL_SIZE, column - LABEL_GAP)
             for bar in bars]
    bottom = HEIGHT - PAD - categories_height(max(map(len, names)))
    panel = Panel(canvas, left, top, right, bottom, len(bars), TOP_VALUE)
    for slot, bar in enumerate(bars):
        for offset, colour, value in ((-BAR_WIDTH / 2, NOW_COLOUR, bar.ours),
                                      (BAR_WIDTH / 2, EARLIER_COLOUR, bar.theirs)):
            if value is None:
                panel.value_label(slot, offset, 0.1, label("chart.no_score"), MUTED)
            else:
                panel.bar(slot, offset, BAR_WIDTH, value, colour)
                panel.value_label(slot, offset, value + 0.05, shown(value))
        if bar.gap is not None:
            # As in the table: the gap between the averages as shown, rounded first.
            gap = abs(round(bar.ours, 1) - round(bar.theirs, 1))
            _gap_marker(panel, slot, bar, label("partnership_chart.gap", gap=shown(gap)))
    panel.axes(ticks, label("chart.score_axis"), names)
    return canvas.png()


def _gap_marker(panel: Panel, slot: int, bar: ThemeBars, text: str) -> None:
    """A bracket from the lower bar's top to the higher's, and its label
    beside it, reading upwards."""
    higher, lower = sorted((panel.y(bar.ours), panel.y(bar.theirs)))  # pixels grow downwards
    x = round(panel.x(slot, BRACKET))
    serif = round(panel.x(slot, BRACKET - SERIF))
    canvas = panel.canvas
    canvas.line([(serif, lower), (x, lower), (x, higher), (serif, higher)], GAP_COLOUR, width=2)
    canvas.upright_text((panel.x(slot, GAP_LABEL), (lower + higher) / 2), text, SMALL_SIZE,
                        GAP_COLOUR, anchor="mt")
