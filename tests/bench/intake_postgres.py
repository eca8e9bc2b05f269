"""Benchmark: taps taken in on PostgreSQL by one, two and four replicas at once.

    python tests/bench/intake_postgres.py [--updates 3000] [--kinds rate,spread]
        [--replicas 1,2,4] [--url postgresql://...] [--global-lock]
        [--webhook [--in-flight 40] [--profile FOLDER]] [--pg-latency-ms 1.5]

Prints one JSON line per kind and number of replicas:

- "rate": taps on one question's scale, each by another member;
- "spread": taps spread over 500 questions in 500 groups.

Each replica is a process of its own running the real `build_application`
on the same PostgreSQL database, fed its share of the updates one at a time
with `process_update` (as tests/bench/intake.py does), every replica's taps
by members of its own, all replicas starting together. `per_replica_per_s`
is the mean of each replica's own pace, `total_per_s` all the updates over
the time until the last replica is done, `scaling` that total over the one
with a single replica. A first line per kind gives the same feed on a
SQLite file (`sqlite_per_s`), and each PostgreSQL line its `ratio_to_sqlite`.
With `--global-lock`, every write transaction first takes one lock for the
whole database, as before issue 26, for comparison.

With `--webhook`, each replica is instead a bot process in webhook mode,
fed over HTTP as Telegram feeds it, and reaching a canned Telegram through
python-telegram-bot's HTTPXRequest (tests/bench/_webhook.py says how). With
`--pg-latency-ms X`, each replica reaches PostgreSQL through a proxy of its
own that adds X ms to every round trip (tests/bench/_latency_proxy.py); each
line then gives `SELECT 1` timed directly and through it.

Without `--url` a throwaway server is started (PostgreSQL's programs must be
installed, as for the tests). The server runs on the same machine: its CPU
time is taken from the replicas', so on a machine with few cores the
figures say more about the machine than about the bot. Left out, as in
intake.py: Telegram's limits, the live-count edits; without `--webhook`,
the webhook's HTTP (updates are handed to each replica in its process).
Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _schema import new_schema
from intake import free_port
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.sandbox.telegram import FakeTelegram, UpdateFactory
from bot.services import questions as asking

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUP = -100_300
GROUPS = {"rate": 1, "spread": 500}


class QuickTelegram(FakeTelegram):
    """Answers like the fake, without checking each request against the reference."""

    def __init__(self) -> None:
        super().__init__()
        self.spec.validate = lambda method, params, files: []  # type: ignore[method-assign]


async def stop(app) -> None:
    await app.stop()
    await app.post_stop(app)
    await app.post_shutdown(app)
    await app.shutdown()


async def questions(app, telegram: FakeTelegram, groups: int) -> list[dict]:
    """Open one question in each of `groups` groups; return their messages."""
    store, found = app.bot_data.store, []
    for index in range(groups):
        chat_id = GROUP - index
        await store.chats.ensure(chat_id, kind="group", title=f"Group {index}",
                                 timezone="UTC", language="en")
        enrolment = await store.enrolments.start(chat_id, "checklist-cso", cadence="weekly",
                                                 days=["mon"], local_time="09:00",
                                                 next_due_at=None)
        opened = await asking.ask_now(app.bot, app.bot_data, enrolment, f"bench:{index}")
        prompt = await store.prompts.get(opened.prompt.id)
        found.append(telegram.message(chat_id, prompt.message_id))
    return found


async def feed(app, updates: list[dict]) -> tuple[float, list[float]]:
    """The updates one at a time, as tests/bench/intake.py feeds them (the
    benchmark's own objects frozen out of the garbage collector's sight)."""
    gc.collect()
    gc.freeze()
    latencies = []
    started = time.perf_counter()
    try:
        for update in updates:
            begun = time.perf_counter()
            await app.process_update(Update.de_json(update, app.bot))
            latencies.append(time.perf_counter() - begun)
            await asyncio.sleep(0)
        await app.bot_data.settle()
    finally:
        gc.unfreeze()
    return time.perf_counter() - started, latencies


def settings_for(database: str) -> Settings:
    on_postgres = database.startswith("postgresql://")
    return Settings(token=TOKEN, database_path=Path(database) if not on_postgres else
                    Path(tempfile.gettempdir()) / "unused.sqlite3",
                    database_url=database if on_postgres else None,
                    dispatch_interval_seconds=0, overall_max_rate=0, group_max_rate=0,
                    count_refresh_seconds=10**6, chart_workers=0)


async def started(database: str):
    telegram = QuickTelegram()
    app = build_application(settings_for(database), request=telegram, clock=lambda: NOW)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    return app, telegram


def one_global_lock() -> None:
    """Every write transaction first takes one database-wide lock (as before)."""
    from bot.store.postgres import PostgresDatabase

    narrow = PostgresDatabase.transaction

    @asynccontextmanager
    async def transaction(self):
        async with narrow(self) as tx:
            await tx.execute("SELECT pg_advisory_xact_lock(hashtext('civic-reflect:bench'))")
            yield tx

    PostgresDatabase.transaction = transaction


def taps(telegram, messages: list[dict], count: int, first_member: int) -> list[dict]:
    factory = UpdateFactory(telegram, first_update_id=first_member * 10)
    updates = []
    for number in range(count):
        message = messages[number % len(messages)]
        prompt_id = int(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        .split("|")[2])
        person = factory.user(first_member + number, f"Member {number}")
        updates.append(factory.callback(message["chat"], person, message,
                                        f"1|r|{prompt_id}|{1 + number % 5}"))
    return updates


def replica(database: str, messages: list[dict], count: int, first_member: int,
            global_lock: bool, ready, go, results) -> None:
    """One replica's run, in a process of its own."""
    if global_lock:
        one_global_lock()

    async def run() -> None:
        app, telegram = await started(database)
        updates = taps(telegram, messages, count, first_member)
        ready.put(True)
        await asyncio.to_thread(go.wait)
        took, latencies = await feed(app, updates)
        await stop(app)
        results.put((took, latencies))

    asyncio.run(run())


async def prepare(database: str, groups: int) -> list[dict]:
    app, telegram = await started(database)
    try:
        return await questions(app, telegram, groups)
    finally:
        await stop(app)


def run_replicas(databases: list[str], messages: list[dict], count: int,
                 global_lock: bool) -> dict:
    """The feed handed in-process to one replica per entry of `databases`."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    replicas = len(databases)
    share = count // replicas
    processes = [context.Process(target=replica, args=(
        database, messages, share, 1_000_000 * (number + 1), global_lock, ready, go, results))
        for number, database in enumerate(databases)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    began = time.perf_counter()
    go.set()
    outcomes = [results.get(timeout=600) for _ in processes]
    total_s = time.perf_counter() - began
    for process in processes:
        process.join(timeout=60)
    return summary(share, replicas, outcomes, total_s)


def summary(share: int, replicas: int, outcomes: list[tuple[float, list[float]]],
            total_s: float) -> dict:
    """A run's figures from each replica's (seconds, latencies) for `share` updates."""
    latencies = sorted(value for _, values in outcomes for value in values)
    return {"updates": share * replicas,
            "per_replica_per_s": round(statistics.mean(share / took for took, _ in outcomes)),
            "total_per_s": round(share * replicas / total_s),
            "p50_ms": round(statistics.median(latencies) * 1000, 3),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3_000)
    parser.add_argument("--kinds", default="rate,spread")
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--url", default="")
    parser.add_argument("--global-lock", action="store_true")
    parser.add_argument("--webhook", action="store_true",
                        help="replicas as bot processes in webhook mode, fed over HTTP")
    parser.add_argument("--in-flight", type=int, default=40,
                        help="with --webhook, requests open at once to each replica")
    parser.add_argument("--profile", default=None,
                        help="with --webhook, a folder for each replica's cProfile stats")
    parser.add_argument("--pg-latency-ms", type=float, default=None,
                        help="milliseconds added to each round trip to PostgreSQL")
    args = parser.parse_args()
    server, throwaway = args.url, None
    if not server:
        from helpers.postgres import ThrowawayPostgres

        throwaway = ThrowawayPostgres()
        server = throwaway.start()
    if args.webhook:
        from _webhook import run_webhook

        def run(databases, messages):
            return run_webhook(databases, messages, args.updates, in_flight=args.in_flight,
                               global_lock=args.global_lock, profile=args.profile)
    else:
        def run(databases, messages):
            return run_replicas(databases, messages, args.updates, args.global_lock)
    network = (None if args.pg_latency_ms is None else
               {"pg_latency_ms": args.pg_latency_ms, **round_trips(server, args.pg_latency_ms)})
    mode = {"feed": "webhook" if args.webhook else "in-process"}
    try:
        for kind in args.kinds.split(","):
            with tempfile.TemporaryDirectory() as folder:
                sqlite = str(Path(folder) / "intake.sqlite3")
                alone = run([sqlite], asyncio.run(prepare(sqlite, GROUPS[kind])))
            print(json.dumps({"kind": kind, "database": "sqlite", "replicas": 1, **mode,
                              "sqlite_per_s": alone["total_per_s"], **alone}), flush=True)
            single = None
            for replicas in (int(n) for n in args.replicas.split(",")):
                database = asyncio.run(new_schema(server))
                messages = asyncio.run(prepare(database, GROUPS[kind]))
                with ExitStack() as proxies:
                    figures = run(reached(database, replicas, args.pg_latency_ms, proxies),
                                  messages)
                if replicas == 1:
                    single = figures["total_per_s"]
                print(json.dumps({
                    "kind": kind, "database": "postgresql", "replicas": replicas, **mode,
                    "global_lock": args.global_lock, **(network or {}), **figures,
                    "scaling": round(figures["total_per_s"] / single, 3) if single else None,
                    "ratio_to_sqlite": round(figures["total_per_s"] / alone["total_per_s"], 3),
                }), flush=True)
    finally:
        if throwaway is not None:
            throwaway.stop()


def reached(database: str, replicas: int, latency_ms: float | None, proxies) -> list[str]:
    """How each replica reaches the database: directly, or each through a
    latency proxy of its own (stopped when `proxies` closes)."""
    if latency_ms is None:
        return [database] * replicas
    from _latency_proxy import LatencyProxy

    found = []
    for _ in range(replicas):
        proxy = LatencyProxy(database, latency_ms, free_port())
        proxies.callback(proxy.stop)
        found.append(proxy.url)
    return found


def round_trips(server: str, latency_ms: float) -> dict:
    """`SELECT 1` timed directly and through a proxy: the delay is real."""
    from _latency_proxy import LatencyProxy, measured

    proxy = LatencyProxy(server, latency_ms, free_port())
    try:
        return {"select_1_direct_ms": measured(server), "select_1_proxied_ms": measured(proxy.url)}
    finally:
        proxy.stop()


if __name__ == "__main__":
    main()
