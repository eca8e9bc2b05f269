"""Benchmark: the CPU one chart costs, drawn again and again in a warm process,
as a chart worker (bot/services/drawing.py) draws them.

    python tests/bench/charts.py [--draws 50] [--language en]

Prints one JSON line per chart (`"chart": "digest" | "partnership"`): the
median and 99th percentile of `time.process_time` per draw after a few
warm-up draws, the PNG's size, and the process's peak RSS once both kinds
have been drawn (Python, the bot's modules and the drawing library). The
data is a busy group's: five themes, most of them scored, eight weeks of
answers. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.config import default_content_dir
from bot.content.locales import Catalog
from bot.content.packs import load_library
from bot.domain.partnership import PartnershipView, Side, ThemeBars
from bot.domain.summary import CHART_COMPARE_WEEKS, ChartData, ThemeComparison
from bot.render.chart import render_chart
from bot.render.partnership_chart import render_partnership_chart

WARM_UP = 3
THEMES = ("defining-valued-outcomes", "engaging-whole-systems", "co-producing-the-future",
          "strengthening-resilience", "working-inclusively")
WEEK = date(2025, 3, 3)


def digest_data() -> ChartData:
    scores = ((3.4, 2.9), (2.6, None), (4.1, 3.8), (None, None), (1.7, 2.2))
    return ChartData(
        week=WEEK,
        compare_week=WEEK - timedelta(weeks=CHART_COMPARE_WEEKS),
        themes=tuple(ThemeComparison(theme, now, before)
                     for theme, (now, before) in zip(THEMES, scores, strict=True)),
        weeks=tuple(WEEK - timedelta(weeks=back) for back in range(7, -1, -1)),
        participation=(12, 15, 9, 14, 17, 11, 16, 18),
    )


def partnership_view() -> PartnershipView:
    scores = ((2.5, 4.0), (3.7, 3.5), (5.0, 2.0), (None, None), (3.0, 3.0))
    return PartnershipView(
        viewer=Side.CSO, themes=(), one_sided=(), unanswered=(),
        bars=tuple(ThemeBars(theme, ours, theirs)
                   for theme, (ours, theirs) in zip(THEMES, scores, strict=True)),
    )


def timed(draw, draws: int) -> tuple[list[float], bytes]:
    for _ in range(WARM_UP):
        picture = draw()
    spent = []
    for _ in range(draws):
        began = time.process_time()
        picture = draw()
        spent.append((time.process_time() - began) * 1000)
    return spent, picture


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    catalog = Catalog.load()
    packs = load_library(default_content_dir())
    data, view = digest_data(), partnership_view()
    charts = {
        "digest": lambda: render_chart(data, catalog, args.language, packs),
        "partnership": lambda: render_partnership_chart(
            view, catalog, args.language, packs,
            title="Barrio Norte Residents' Association", partner="Riverside Town Council"),
    }
    results = {name: timed(draw, args.draws) for name, draw in charts.items()}
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, (spent, picture) in results.items():
        print(json.dumps({
            "chart": name,
            "draws": args.draws,
            "cpu_ms_median": round(statistics.median(spent), 1),
            "cpu_ms_p99": round(statistics.quantiles(spent, n=100)[98], 1),
            "png_bytes": len(picture),
            "rss_mb": round(peak_rss_mb, 1),
        }))


if __name__ == "__main__":
    main()
