"""intake_postgres.py --webhook: replicas as deployed, each a bot process in
webhook mode, fed over HTTP by driver processes as Telegram feeds them.

Each replica is a process of its own running the real server of
bot/runtime/server.py (`serve_webhook`: the secret-token check, each chat's
updates in order, the answer once the update is handled) on a local port of
its own, and reaching "Telegram" through python-telegram-bot's HTTPXRequest
to a canned stand-in of its own (intake.py --http's). One feed of taps is
dealt round robin to the replicas; a driver process per replica POSTs its
share as Telegram does (JSON to /telegram with the secret header), keeping
at most `in_flight` requests open at once, and times each request from
sending it to its answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import os
import sqlite3
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager

import aiohttp
import asyncpg
from _cores import snapshot, where_cores_went
from intake import canned_telegram, free_port
from intake_postgres import NOW, QuickTelegram, one_global_lock, settings_for, summary, taps

from bot.app import build_application
from bot.runtime.server import SECRET_HEADER, serve_webhook

SECRET = "bench_webhook_secret_0123456789"
PATH = "/telegram"
# Telegram's max_connections when setWebhook is not given one.
TELEGRAM_CONNECTIONS = 40


def serve_replica(database: str, port: int, api: str, replicas: int,
                  global_lock: bool, profile: str | None) -> None:
    """One replica: the bot in webhook mode until SIGTERM (its own process),
    under cProfile with `profile` (a folder for its stats)."""
    if global_lock:
        one_global_lock()
    settings = dataclasses.replace(
        settings_for(database), api_base_url=api, webhook_url=f"http://127.0.0.1:{port}{PATH}",
        webhook_secret=SECRET, port=port, replicas=replicas)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        asyncio.run(serve_webhook(build_application(settings, clock=lambda: NOW)))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile}/replica-{port}.prof")


def drive(index: int, url: str, bodies: list[bytes], in_flight: int, ready, go,
          results) -> None:
    """A driver (its own process): POST `bodies` to one replica, `in_flight`
    at a time; put (index, when it was done, latencies, statuses) in
    `results` (time.perf_counter: the machine's monotonic clock, the same in
    every process)."""

    async def run() -> None:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=in_flight)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def open_one() -> None:
                async with session.get(url.replace(PATH, "/livez")) as response:
                    await response.read()

            # The connections opened before the timing, as Telegram keeps them.
            await asyncio.gather(*(open_one() for _ in range(in_flight)))
            ready.put(True)
            await asyncio.to_thread(go.wait)
            latencies: list[float] = []
            statuses: dict[int, int] = {}
            waiting = iter(bodies)

            async def post_each() -> None:
                for body in waiting:
                    began = time.perf_counter()
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                    latencies.append(time.perf_counter() - began)
                    statuses[response.status] = statuses.get(response.status, 0) + 1

            await asyncio.gather(*(post_each() for _ in range(in_flight)))
            results.put((index, time.perf_counter(), latencies, statuses))

    asyncio.run(run())


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(port: int, process, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process.is_alive():
            raise SystemExit(f"a replica stopped while starting (exit {process.exitcode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise SystemExit(f"the replica on port {port} was not ready within {seconds} s")


async def answers_saved(database: str) -> int:
    if not database.startswith("postgresql://"):
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    connection = await asyncpg.connect(database)
    try:
        return await connection.fetchval("SELECT COUNT(*) FROM answers")
    finally:
        await connection.close()


def pop_ups_done(api: str, expected: int, seconds: float = 300) -> float:
    """When a stand-in was sent its `expected`-th answerCallbackQuery (the
    pop-ups go out in the background, after the webhook's answer)."""
    deadline = time.monotonic() + seconds
    while True:
        with urllib.request.urlopen(f"{api}/calls", timeout=10) as answer:
            sent = json.loads(answer.read()).get("answerCallbackQuery", 0)
        if sent >= expected:
            with urllib.request.urlopen(f"{api}/last", timeout=10) as answer:
                return json.loads(answer.read())
        if time.monotonic() > deadline:
            raise SystemExit(f"{sent} pop-ups of {expected} sent within {seconds} s")
        time.sleep(0.05)


@contextmanager
def webhook_replicas(databases: list[str], *, global_lock: bool, profile: str | None):
    """One bot process in webhook mode per entry of `databases`, each with
    a canned stand-in of its own; yields [(its process, port, stand-in)]."""
    context = multiprocessing.get_context("spawn")
    with ExitStack() as cleanup:
        started = []
        for database in databases:
            api_port, api_ready = free_port(), context.Event()
            stand_in = context.Process(target=canned_telegram, args=(api_port, api_ready),
                                       daemon=True)
            stand_in.start()
            cleanup.callback(stop_process, stand_in)
            if not api_ready.wait(60):
                raise SystemExit("a canned stand-in did not start")
            api, port = f"http://127.0.0.1:{api_port}", free_port()
            bot = context.Process(target=serve_replica, args=(
                database, port, api, len(databases), global_lock, profile))
            bot.start()
            cleanup.callback(stop_process, bot)
            started.append((bot, port, api))
        for bot, port, _ in started:
            wait_ready(port, bot)
        yield started


def run_webhook(databases: list[str], messages: list[dict], count: int, *,
                in_flight: int = TELEGRAM_CONNECTIONS, global_lock: bool = False,
                profile: str | None = None) -> dict:
    """The feed over the webhook, one replica per entry of `databases` (the
    same database, reached directly or each through a proxy of its own).
    A replica is done when its last update is answered and its last pop-up
    sent."""
    context = multiprocessing.get_context("spawn")
    replicas = len(databases)
    share = count // replicas
    bodies = [json.dumps(update).encode()
              for update in taps(QuickTelegram(), messages, share * replicas, 1_000_000)]
    with webhook_replicas(databases, global_lock=global_lock, profile=profile) as started, \
            ExitStack() as cleanup:
        ready, results, go = context.Queue(), context.Queue(), context.Event()
        drivers = []
        for number, (_, port, _) in enumerate(started):
            driver = context.Process(target=drive, args=(
                number, f"http://127.0.0.1:{port}{PATH}", bodies[number::replicas], in_flight,
                ready, go, results), daemon=True)
            driver.start()
            drivers.append(driver.pid)
            cleanup.callback(stop_process, driver)
        for _ in started:
            ready.get(timeout=120)
        cpu_before = sum(cpu_seconds(bot.pid) for bot, _, _ in started)
        cores_before = snapshot()
        began = time.perf_counter()
        go.set()
        outcomes = sorted(results.get(timeout=900) for _ in started)
        done = [max(answered_at, pop_ups_done(api, share))
                for (_, answered_at, _, _), (_, _, api) in zip(outcomes, started, strict=True)]
        bot_cpu = sum(cpu_seconds(bot.pid) for bot, _, _ in started) - cpu_before
        bots = {bot.pid for bot, _, _ in started}

        def role_of(pid: int, seen) -> str:
            if pid in bots:
                return "replicas"
            if pid in drivers:
                return "webhook clients"
            if seen.ppid == os.getpid():
                return "telegram stand-ins"
            return "postgresql" if seen.command.startswith("postgres") else "other"

        cores = where_cores_went(cores_before, snapshot(), role_of)
    statuses: dict[str, int] = {}
    for _, _, _, answered in outcomes:
        for status, number in answered.items():
            statuses[str(status)] = statuses.get(str(status), 0) + number
    last_answer = max(answered_at for _, answered_at, _, _ in outcomes)
    taken = [(finished - began, latencies)
             for finished, (_, _, latencies, _) in zip(done, outcomes, strict=True)]
    return {**summary(share, replicas, taken, max(done) - began),
            "answered_per_s": round(share * replicas / (last_answer - began)),
            "in_flight_per_replica": in_flight, "statuses": statuses,
            "answers_saved": asyncio.run(answers_saved(databases[0])),
            "bot_cpu_ms_per_update": round(bot_cpu * 1000 / (share * replicas), 3),
            "cores_while_fed": cores}


def stop_process(process) -> None:
    if process.is_alive():
        process.terminate()
        process.join(timeout=30)
    if process.is_alive():
        process.kill()
        process.join(timeout=10)
