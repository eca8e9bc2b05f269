"""Benchmark: what a minute costs on PostgreSQL as the groups grow, when nothing is due.

    python tests/bench/postgres_flat.py [--sizes 10000,50000,100000] [--url postgresql://...]

Between two rounds the bot still ticks every minute: it closes questions
whose window ended, looks for closing-soon moments, asks which programmes,
summaries and recaps are due, and claims what the outbox holds. Each of those
must cost the same with 100,000 groups as with 10,000, or the quiet minutes
of a large installation fill up. For each size (groups added to the same
database, each with a running programme, an answered question still open,
a weekly summary and a sent outbox row, as after a round) it prints one
JSON line:

- `due_query_ms`: the due-programmes query (`enrolments.due`), median of 50;
- `idle_tick_ms`: a whole tick of the real application with nothing due,
  median of 20 (every query above, the outbox's claim, no send);
- `rss_mb`: a fresh bot process's peak memory after starting and ticking
  (its own VmHWM, read in the child).

Without `--url` a throwaway server is started on this machine. The rows
are written with one `INSERT ... SELECT generate_series` per table (the
bot's own code would take minutes for 100,000 groups; what is measured is
what the bot reads, not how the rows came). Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg
from _schema import new_schema

from bot.app import build_application
from bot.config import Settings
from bot.sandbox.telegram import FakeTelegram
from bot.services import dispatch
from bot.store import Store
from bot.store.db import to_db_time

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
# A Wednesday noon: every programme is due next Monday, every summary on Friday.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
FIRST_GROUP = -1_005_000_000_000
MEMBERS = 6


async def add_groups(url: str, start: int, count: int) -> None:
    """Groups number `start` to `start + count - 1`, as a week after a round."""
    opened = to_db_time(NOW - timedelta(days=2))
    due = to_db_time(NOW + timedelta(days=5))
    summary = to_db_time(NOW + timedelta(days=2))
    connection = await asyncpg.connect(url)
    try:
        span = (start, start + count - 1)
        chat = f"{FIRST_GROUP} - n"
        await connection.execute(
            "INSERT INTO chats (id, kind, title, timezone, language, created_at, updated_at,"
            " quiet_start, quiet_end, next_summary_at)"
            f" SELECT {chat}, 'group', 'Group ' || n, 'UTC', 'en', $3, $3, '00:00', '00:00', $4"
            " FROM generate_series($1::int, $2::int) AS n", *span, opened, summary)
        await connection.execute(
            "INSERT INTO enrolments (id, chat_id, pack_id, cadence, days, local_time, cursor,"
            " next_due_at, created_at, updated_at)"
            f" SELECT n + 1, {chat}, 'checklist-cso', 'weekly', 'mon', '09:00', 1, $3, $4, $4"
            " FROM generate_series($1::int, $2::int) AS n", *span, due, opened)
        await connection.execute(
            "INSERT INTO prompts (id, enrolment_id, slot, chat_id, pack_id, item_id, opened_at,"
            " message_id)"
            f" SELECT n + 1, n + 1, $3, {chat}, 'checklist-cso', 'cso-01', $3, 100"
            " FROM generate_series($1::int, $2::int) AS n", *span, opened)
        await connection.execute(
            "INSERT INTO answers (prompt_id, user_id, scale, created_at)"
            " SELECT n + 1, m, 1 + (n + m) % 5, $3"
            f" FROM generate_series($1::int, $2::int) AS n, generate_series(1, {MEMBERS}) AS m",
            *span, opened)
        await connection.execute(
            "INSERT INTO outbox (key, kind, chat_id, prompt_id, priority, state, created_at,"
            " not_before, done_at, attempts, message_id)"
            f" SELECT 'question:' || (n + 1), 'question', {chat}, n + 1, 0, 'sent', $3, $3, $3,"
            " 1, 100"
            " FROM generate_series($1::int, $2::int) AS n", *span, opened)
        for table in ("chats", "enrolments", "prompts", "answers", "outbox"):
            await connection.execute(f"ANALYZE {table}")
    finally:
        await connection.close()


def settings_for(url: str) -> Settings:
    return Settings(token=TOKEN, database_path=Path("/nonexistent/unused.sqlite3"),
                    database_url=url, dispatch_interval_seconds=0, overall_max_rate=0,
                    group_max_rate=0, count_refresh_seconds=10**6, chart_workers=0)


async def measure(url: str) -> dict:
    app = build_application(settings_for(url), request=FakeTelegram(), clock=lambda: NOW)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    try:
        data = app.bot_data
        due, ticks = [], []
        for _ in range(50):
            began = time.perf_counter()
            assert await data.store.enrolments.due(NOW, 100) == []
            due.append(time.perf_counter() - began)
        for _ in range(20):
            began = time.perf_counter()
            report = await dispatch.tick(app.bot, data, NOW)
            ticks.append(time.perf_counter() - began)
            assert report.opened == report.sent == report.summaries == 0, report
        return {"due_query_ms": round(statistics.median(due) * 1000, 2),
                "idle_tick_ms": round(statistics.median(ticks) * 1000, 2),
                "rss_mb": round(_own_peak_kb() / 1024, 1)}
    finally:
        await app.stop()
        await app.post_stop(app)
        await app.post_shutdown(app)
        await app.shutdown()


def _own_peak_kb() -> int:
    # VmHWM, not ru_maxrss: the latter is kept across fork and exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _measure_in_child(url: str, results) -> None:
    results.put(asyncio.run(measure(url)))


async def upgraded_schema(server: str) -> str:
    url = await new_schema(server, "flat")
    store = await Store.open(url)  # the schema, upgraded to the current version
    await store.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    server, throwaway = args.url, None
    if not server:
        from helpers.postgres import ThrowawayPostgres

        throwaway = ThrowawayPostgres()
        server = throwaway.start()
    context = multiprocessing.get_context("spawn")
    try:
        url = asyncio.run(upgraded_schema(server))
        have = 0
        for size in (int(n) for n in args.sizes.split(",")):
            began = time.perf_counter()
            asyncio.run(add_groups(url, have, size - have))
            have = size
            results = context.Queue()
            child = context.Process(target=_measure_in_child, args=(url, results))
            child.start()
            figures = results.get(timeout=600)
            child.join(timeout=60)
            print(json.dumps({"groups": size, "answers": size * MEMBERS, **figures,
                              "seeded_s": round(time.perf_counter() - began, 1)}), flush=True)
    finally:
        if throwaway is not None:
            throwaway.stop()


if __name__ == "__main__":
    main()
