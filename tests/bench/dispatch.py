"""Benchmark: 10,000 groups whose questions are all due in the same minute.

    python tests/bench/dispatch.py [--groups 10000] [--speed 10]

Prints one JSON line per design, each measured in its own process:

1. "database tick" (what the bot does): one JobQueue job that asks the
   database what is due and sends it, oldest first;
2. "one job per group" (the usual design): a PTB `run_once` job per group,
   all due at the same moment.

The fake Telegram answers in-process and enforces Telegram's limits (30
messages a second, 20 a minute per group), answering 429 with retry_after
when they are passed. Every limit, in the fake and in the bot's
AIORateLimiter, is multiplied by --speed so the run takes seconds;
`simulated_s` is the measured time multiplied back by --speed, i.e. the time
the same run would take against Telegram. `bound_s` is groups / 30: no bot
can be faster (the bot itself aims at 29 a second, a margin for network
jitter). Not part of the test run.
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

from _limits import LimitedTelegram
from apscheduler.events import EVENT_JOB_MISSED

from bot.app import build_application
from bot.config import Settings
from bot.sandbox.telegram.flood import OVERALL_PER_SECOND
from bot.services import dispatch

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def start(groups: int, speed: float, database: Path, clock):
    defaults = Settings()
    settings = Settings(
        token=TOKEN, database_path=database, dispatch_interval_seconds=0,
        overall_max_rate=defaults.overall_max_rate * speed,
        group_max_rate=defaults.group_max_rate * speed,
        dispatch_concurrency=64, count_refresh_seconds=3600,
    )
    telegram = LimitedTelegram(speed)
    app = build_application(settings, request=telegram, clock=clock)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    store = app.bot_data.store
    for index in range(groups):
        chat_id = -(10_000_000 + index)
        await store.chats.ensure(chat_id, kind="group", title=f"Group {index}",
                                 timezone="UTC", language="en")
        await store.enrolments.start(chat_id, "checklist-cso", cadence="weekly", days=["mon"],
                                     local_time="09:00", next_due_at=DUE)
    return app, telegram


async def stop(app) -> None:
    await app.stop()
    await app.post_shutdown(app)
    await app.shutdown()


def result(design: str, groups: int, speed: float, telegram, elapsed: float, cpu: float,
           skipped: int) -> dict:
    sent = sum(telegram.delivered.values())
    return {
        "design": design,
        "groups": groups,
        "sent": sent,
        "duplicates": sum(count - 1 for count in telegram.delivered.values() if count > 1),
        "skipped": skipped,
        "http_429": telegram.http_429,
        "simulated_s": round(elapsed * speed, 1),
        "bound_s": round(groups / OVERALL_PER_SECOND, 1),
        "cpu_us_per_prompt": round(cpu / max(sent, 1) * 1e6),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "speed": speed,
    }


async def database_tick(groups: int, speed: float, database: Path) -> dict:
    app, telegram = await start(groups, speed, database, clock=lambda: DUE)
    began, cpu_began = time.perf_counter(), time.process_time()
    await dispatch.tick(app.bot, app.bot_data, DUE + timedelta(seconds=30))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    await stop(app)
    skipped = groups - len(telegram.delivered)
    return result("database tick", groups, speed, telegram, elapsed, cpu, skipped)


async def job_per_group(groups: int, speed: float, database: Path) -> dict:
    app, telegram = await start(groups, speed, database, clock=lambda: DUE)
    data = app.bot_data
    missed = []
    app.job_queue.scheduler.add_listener(lambda event: missed.append(event), EVENT_JOB_MISSED)

    async def send_one(context) -> None:
        enrolment = await data.store.enrolments.get(context.job.data)
        await dispatch.dispatch_one(context.bot, data, enrolment, DUE + timedelta(seconds=30))

    fire_at = datetime.now(UTC) + timedelta(seconds=2)
    for enrolment in await data.store.enrolments.due(DUE + timedelta(minutes=1), limit=groups):
        app.job_queue.run_once(send_one, when=fire_at, data=enrolment.id)
    wait = max(0.0, (fire_at - datetime.now(UTC)).total_seconds())
    await asyncio.sleep(wait)
    began, cpu_began = time.perf_counter(), time.process_time()
    deadline = began + 3 * groups / (OVERALL_PER_SECOND * speed) + 30
    while len(telegram.delivered) + len(missed) < groups and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    await stop(app)
    return result("one job per group", groups, speed, telegram, elapsed, cpu,
                  groups - len(telegram.delivered))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--speed", type=float, default=10.0,
                        help="multiply every rate limit by this (default 10)")
    parser.add_argument("--design", choices=("tick", "jobs"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.design:
        run = database_tick if args.design == "tick" else job_per_group
        with tempfile.TemporaryDirectory() as folder:
            figures = asyncio.run(run(args.groups, args.speed, Path(folder) / "bench.sqlite3"))
        print(json.dumps(figures))
        return
    for design in ("tick", "jobs"):  # each in a fresh process, for honest memory figures
        output = subprocess.run(
            [sys.executable, __file__, "--design", design, "--groups", str(args.groups),
             "--speed", str(args.speed)],
            check=True, capture_output=True, text=True,
        ).stdout
        print(output.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
