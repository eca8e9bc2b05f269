"""Benchmark: 10,000 groups whose questions are all due in the same minute,
the first week and the second.

    python tests/bench/dispatch.py [--groups 10000] [--speed 10] [--latency 0.02,0.2]

Prints one JSON line per round, measured in a fresh process:

1. "first week": every group's first question (nothing to close yet);
2. "second week" (steady state): a new question for every group, and the
   closing edit of last week's, which go after every new question.

The fake Telegram enforces Telegram's limits (30 messages a second overall,
20 a minute per group), answering 429 with retry_after when they are passed,
and every request takes 20 to 200 ms (`--latency`), half on the way there
and half back. Limits are multiplied and latencies divided by --speed so the
run takes seconds; the *_s figures are multiplied back, i.e. what the same
run would take against Telegram. `bound_s` is groups / 30: no bot can send
the new questions faster (the bot aims at 29 a second, a margin for jitter).
`questions_s` runs until the last new question was sent, `all_s` until the
last closing edit. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _limits import OVERALL_PER_SECOND, LimitedTelegram

from bot.app import build_application
from bot.config import Settings
from bot.services import dispatch

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def start(groups: int, speed: float, latency: tuple[float, float], database: Path,
                clock: Clock, sends_in_flight: int = 1):
    defaults = Settings()
    settings = Settings(
        token=TOKEN, database_path=database, dispatch_interval_seconds=0,
        overall_max_rate=defaults.overall_max_rate * speed,
        group_max_rate=defaults.group_max_rate * speed,
        count_refresh_seconds=3600, chart_workers=0, sends_in_flight=sends_in_flight,
    )
    telegram = LimitedTelegram(speed, latency)
    app = build_application(settings, request=telegram, clock=clock)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    store = app.bot_data.store
    for index in range(groups):
        chat_id = -(10_000_000 + index)
        await store.chats.ensure(chat_id, kind="group", title=f"Group {index}",
                                 timezone="UTC", language="en")
        await store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00")
        await store.enrolments.start(chat_id, "checklist-cso", cadence="weekly", days=["mon"],
                                     local_time="09:00", next_due_at=DUE)
    return app, telegram


async def stop(app) -> None:
    await app.stop()
    await app.post_stop(app)
    await app.post_shutdown(app)
    await app.shutdown()


async def run(groups: int, speed: float, latency: tuple[float, float], database: Path,
              rounds: int, sends_in_flight: int = 1) -> list[dict]:
    clock = Clock(DUE + timedelta(seconds=30))
    app, telegram = await start(groups, speed, latency, database, clock, sends_in_flight)
    figures = []
    for week in range(rounds):
        clock.now = DUE + timedelta(weeks=week, seconds=30)
        asked_before, closed_before = telegram.delivered.total(), telegram.edited.total()
        began, cpu_began = time.perf_counter(), time.process_time()
        report = await dispatch.tick(app.bot, app.bot_data, clock.now)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        asked = telegram.delivered.total() - asked_before
        questions_s = round((telegram.last_question_at - began) * speed, 1)
        figures.append({
            "round": "first week" if week == 0 else "second week",
            "groups": groups,
            "questions_sent": asked,
            "closing_edits": telegram.edited.total() - closed_before,
            "duplicates": sum(count - week - 1 for count in telegram.delivered.values()
                              if count > week + 1),
            "missing": groups - sum(1 for count in telegram.delivered.values()
                                    if count >= week + 1),
            "http_429": telegram.http_429,
            "questions_s": questions_s,
            "all_s": round(elapsed * speed, 1),
            "bound_s": round(groups / OVERALL_PER_SECOND, 1),
            "ratio_to_bound": round((telegram.last_question_at - began) * speed
                                    / (groups / OVERALL_PER_SECOND), 3),
            "cpu_us_per_send": round(cpu / max(asked + report.closed, asked, 1) * 1e6),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "latency_ms": [round(latency[0] * 1000), round(latency[1] * 1000)],
            "speed": speed,
        })
        if week > 0:  # the names for the steady state's figures
            figures[-1].update(steady_questions_s=questions_s,
                               steady_all_s=figures[-1]["all_s"])
    await stop(app)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--speed", type=float, default=10.0,
                        help="multiply every rate limit, divide every latency by this")
    parser.add_argument("--latency", default="0.02,0.2",
                        help="seconds a request takes, low,high (default 0.02,0.2)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sends-in-flight", type=int, default=1,
                        help="the setting SENDS_IN_FLIGHT (default 1, as in production)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    latency = tuple(float(part) for part in args.latency.split(","))
    if args.inside:
        with tempfile.TemporaryDirectory() as folder:
            for line in asyncio.run(run(args.groups, args.speed, latency,
                                        Path(folder) / "bench.sqlite3", args.rounds,
                                        args.sends_in_flight)):
                print(json.dumps(line), flush=True)
        return
    # In a fresh process, for an honest memory figure.
    output = subprocess.run(
        [sys.executable, __file__, "--inside", "--groups", str(args.groups), "--speed",
         str(args.speed), "--latency", args.latency, "--rounds", str(args.rounds),
         "--sends-in-flight", str(args.sends_in_flight)],
        check=True, capture_output=True, text=True,
    ).stdout
    print(output.strip(), flush=True)


if __name__ == "__main__":
    main()
