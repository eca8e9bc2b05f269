"""The partnership's picture: for each of the five themes, the two sides'
averages side by side and a marker for the gap between them. Drawn in the
digest chart's style (bot/render/chart.py); matplotlib is imported only
when a chart is drawn, for the same reason as there."""

from __future__ import annotations

import io
import textwrap

from bot.domain.partnership import PartnershipView
from bot.locales import Catalog
from bot.packs import PackLibrary
from bot.render.chart import DPI, EARLIER_COLOUR, LABEL_WIDTH, NOW_COLOUR
from bot.render.summary import theme_name

SIZE_INCHES = (8.0, 5.0)
GAP_COLOUR = "#c0504d"


def render_partnership_chart(
    view: PartnershipView, catalog: Catalog, language: str, packs: PackLibrary, *,
    title: str, partner: str,
) -> bytes:
    """A PNG: ours beside theirs for every theme, with the gap marked."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display, no GUI toolkit
    from matplotlib.figure import Figure

    def plain(text: str) -> str:
        # A picture is plain text: no HTML escaping, and "$" would start math mode.
        return text.replace("$", r"\$")

    def label(key: str, **values: object) -> str:
        return plain(catalog.raw(language, key).format(**values))

    def shown(value: float) -> str:
        return f"{value:.1f}".replace(".", catalog.raw(language, "summary.decimal_mark"))

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    axes = figure.subplots()
    axes.set_title(label("partnership_chart.title"))
    bars = view.bars
    if any(bar.gap is not None for bar in bars):
        width = 0.38
        positions = range(len(bars))
        for offset, name, colour, scores in (
            (-width / 2, title, NOW_COLOUR, [bar.ours for bar in bars]),
            (width / 2, partner, EARLIER_COLOUR, [bar.theirs for bar in bars]),
        ):
            xs = [position + offset for position in positions]
            axes.bar(xs, [s if s is not None else 0 for s in scores], width, color=colour,
                     label=plain(textwrap.shorten(name, 40, placeholder="…")))
            for x, value in zip(xs, scores, strict=True):
                if value is None:
                    axes.text(x, 0.1, label("chart.no_score"), ha="center", va="bottom",
                              color="#666666")
                else:
                    axes.text(x, value + 0.05, shown(value), ha="center", va="bottom",
                              fontsize=8)
        for position, bar in zip(positions, bars, strict=True):
            if bar.gap is None:
                continue
            # The gap marker: a bracket from the lower bar's top to the higher's.
            low, high = sorted((bar.ours, bar.theirs))
            x = position + width + 0.04
            axes.plot([x, x], [low, high], color=GAP_COLOUR, linewidth=2)
            axes.plot([x - 0.04, x], [low, low], color=GAP_COLOUR, linewidth=2)
            axes.plot([x - 0.04, x], [high, high], color=GAP_COLOUR, linewidth=2)
            # As in the table: the gap between the averages as shown, rounded first.
            gap = abs(round(bar.ours, 1) - round(bar.theirs, 1))
            axes.text(x + 0.03, (low + high) / 2, label("partnership_chart.gap", gap=shown(gap)),
                      color=GAP_COLOUR, fontsize=8, va="center", rotation=90)
        axes.set_xticks(
            list(positions),
            [textwrap.fill(plain(theme_name(packs, bar.theme, language)), LABEL_WIDTH)
             for bar in bars],
            fontsize=8,
        )
        axes.set_ylim(0, 5.5)
        axes.set_yticks([1, 2, 3, 4, 5])
        axes.set_ylabel(label("chart.score_axis"))
        axes.legend(loc="upper left", fontsize=8, ncols=2, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
    else:
        axes.text(0.5, 0.5, label("partnership_chart.no_data"), ha="center", va="center",
                  transform=axes.transAxes)
        axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
