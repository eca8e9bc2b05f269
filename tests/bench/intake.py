"""Benchmark: how fast updates are taken in, against a bare PTB application.

    python tests/bench/intake.py [--updates 20000] [--kinds rate,rerate,comment,spread,burst]

Prints one JSON line per kind:

- "rate": taps on one question's scale, each by another member;
- "rerate": taps on one question by 500 members, each tap changing that
  member's rating (the earlier one kept in the answer's history);
- "comment": replies to one question, each by another member;
- "spread": taps spread over 2,000 questions in 2,000 groups;
- "burst": 60 comments in one group, whose ✍ reactions wait on that group's
  20-a-minute limit, mixed with 1,000 taps in 200 other groups, with
  Telegram's limits on and every request taking 20-200 ms (`--latency`):
  the taps' latencies say whether one busy group, or the round trip of an
  acknowledgement, holds up the others (`others_p99_ms`).

Both sides run in this one process, on the same in-process fake Telegram
(requests are answered, not validated against the Bot API reference, so the
fake's own checks do not weigh on either side), updates fed one at a time with
`process_update(Update.de_json(...))`. The bare side is python-telegram-bot
with a trivial handler that makes the same request the bot makes for that
update: answerCallbackQuery for a tap, the ✍ reaction (setMessageReaction)
for a comment, so the ratio weighs the bot's own work, not Telegram's
requests. The sides take turns, 1,000 updates each, so a busy moment of
the machine weighs on both alike. For comments the line also gives `ratio_to_silent_bare`, against
a bare handler that sends nothing (how earlier runs measured it). The bot
is the real `build_application` on a SQLite file on disk.

With `--http`, the measured part runs as in production, minus TLS: both
sides reach Telegram through python-telegram-bot's own HTTPXRequest, over a
local socket, to a stand-in in a process of its own that answers every
request with a canned reply (`getMe` its user, anything else `true`). The
fake's cost is then in neither side's process, and the ratio is the bot's
work against the bare library's as deployed (the questions are opened first
on the in-process fake). `--database postgresql` runs the bot on a
throwaway PostgreSQL server (or `--url`) instead of a SQLite file.

Left out, on purpose: Telegram's flood limits (they apply to what the bot
sends, not to what it takes in: both sides run without a rate limiter) and
network latency (each side's requests are answered at once). The live-count
edits are left out too (their delay is set beyond the run): they are one edit
per question per few seconds, whatever the number of taps. Not part of the
test run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import multiprocessing
import socket
import urllib.request

from _schema import new_schema
from aiohttp import web
from telegram import ReactionTypeEmoji, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

from bot.app import build_application
from bot.config import Settings
from bot.sandbox.telegram import FakeTelegram, UpdateFactory
from bot.sandbox.telegram.constants import bot_user
from bot.services import questions as asking

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUP = -100_300
SPREAD_GROUPS = 2_000


class QuickTelegram(FakeTelegram):
    """Answers like the fake, without checking each request against the reference."""

    def __init__(self) -> None:
        super().__init__()
        self.spec.validate = lambda method, params, files: []  # type: ignore[method-assign]


class FarTelegram(QuickTelegram):
    """The same, each request answered after a network's round trip."""

    def __init__(self, latency: tuple[float, float]) -> None:
        super().__init__()
        self.latency = latency
        self.rng = random.Random(3)

    async def do_request(self, *args, **kwargs):
        await asyncio.sleep(self.rng.uniform(*self.latency))
        return await super().do_request(*args, **kwargs)


async def bare_app(telegram: FakeTelegram | None, *, react: bool = True,
                   base_url: str | None = None):
    builder = ApplicationBuilder().token(TOKEN)
    if base_url is not None:  # python-telegram-bot's own HTTPXRequest, to the stand-in
        builder = builder.base_url(f"{base_url}/bot")
    else:
        builder = builder.request(telegram).get_updates_request(telegram)
    app = builder.build()

    async def on_button(update, context) -> None:
        await update.callback_query.answer("Saved, thank you!")

    async def on_comment(update, context) -> None:
        if react:
            await update.message.set_reaction(ReactionTypeEmoji("✍"))

    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.REPLY, on_comment))
    await app.initialize()
    await app.start()
    return app


async def bot_app(telegram: FakeTelegram | None, database: Path | str, *,
                  limits: bool = False, base_url: str | None = None):
    defaults = Settings()
    on_postgres = isinstance(database, str)
    settings = Settings(token=TOKEN, dispatch_interval_seconds=0,
                        database_path=Path(tempfile.gettempdir()) / "unused.sqlite3"
                        if on_postgres else database,
                        database_url=database if on_postgres else None,
                        api_base_url=base_url,
                        overall_max_rate=defaults.overall_max_rate if limits else 0,
                        group_max_rate=defaults.group_max_rate if limits else 0,
                        count_refresh_seconds=10**6, chart_workers=0)
    app = build_application(settings, request=telegram if base_url is None else None,
                            clock=lambda: NOW)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    return app


async def stop(app, bot: bool) -> None:
    await app.stop()
    if bot:
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
        prompt = await store.prompts.get(opened.prompt.id) if opened else None
        found.append(telegram.message(chat_id, prompt.message_id))
    return found


SLICE = 1_000  # updates each side takes in turn
CHANGERS = 500  # the members of "rerate", each changing their rating again and again


def make_updates(kind: str, count: int, telegram: FakeTelegram, messages: list[dict]):
    """`count` updates of a kind. Every kind but "rerate" comes from as many
    members as updates, each answering once (the usual case: a first answer
    is one new row); in "rerate" 500 members each change their rating at
    every tap (the costliest case: the earlier rating goes to the history)."""
    factory = UpdateFactory(telegram, first_update_id=1)
    updates = []
    for number in range(count):
        message = messages[number % len(messages)]
        chat = message["chat"]
        member = number % CHANGERS if kind == "rerate" else number
        person = factory.user(10_000 + member, f"Member {member}")
        prompt_id = int(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        .split("|")[2])
        if kind == "comment":
            updates.append(factory.reply(chat, person, message, f"Comment number {number}"))
        else:
            value = 1 + (number + number // CHANGERS) % 5  # for "rerate", never the last one
            updates.append(factory.callback(chat, person, message,
                                            f"1|r|{prompt_id}|{value}"))
    return updates


cpu: dict = {}  # CPU seconds each application took, all its feeds together


async def feed(app, updates: list[dict]) -> tuple[float, list[float]]:
    # The updates, built beforehand (tens of thousands of nested dicts), and
    # the fake's record of every call are the benchmark's, not the bot's:
    # frozen out of the garbage collector's sight, or its full collections
    # would scan them all and stall whichever side runs then (up to 0.85 s
    # measured, growing with the run).
    gc.collect()
    gc.freeze()
    latencies = []
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        for update in updates:
            begun = time.perf_counter()
            await app.process_update(Update.de_json(update, app.bot))
            latencies.append(time.perf_counter() - begun)
            # Between two updates the loop runs what is waiting (the update
            # fetcher waits on its queue and the network): the bot's
            # background sends (a comment's ✍) run here, inside the timing.
            await asyncio.sleep(0)
        settle = getattr(app.bot_data, "settle", None)
        if settle is not None:
            await settle()  # and whatever is still waiting counts too
    finally:
        gc.unfreeze()
    cpu[app] = cpu.get(app, 0.0) + time.process_time() - cpu_started
    return time.perf_counter() - started, latencies


async def measure(kind: str, count: int, *, http: str | None = None,
                  postgres: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        telegram = QuickTelegram()
        database = postgres or Path(folder) / "intake.sqlite3"
        bot = await bot_app(telegram, database)
        messages = await questions(bot, telegram, SPREAD_GROUPS if kind == "spread" else 1)
        if http is not None:
            # The questions are open: from here on, both sides go over HTTP.
            await stop(bot, bot=True)
            bot = await bot_app(None, database, base_url=http)
        bare = await bare_app(telegram, base_url=http)
        bare_updates = make_updates(kind, count, telegram, messages)
        bot_updates = make_updates(kind, count, telegram, messages)
        silent = (await bare_app(telegram, react=False, base_url=http)
                  if kind == "comment" else None)
        silent_updates = make_updates(kind, count, telegram, messages) if silent else []
        # The sides take turns, a slice each, so that whatever else the
        # machine does at some moment weighs on both alike.
        bare_s = bot_s = silent_s = 0.0
        latencies: list[float] = []
        for start in range(0, count, SLICE):
            bare_s += (await feed(bare, bare_updates[start:start + SLICE]))[0]
            took, slice_latencies = await feed(bot, bot_updates[start:start + SLICE])
            bot_s += took
            latencies += slice_latencies
            if silent is not None:
                silent_s += (await feed(silent, silent_updates[start:start + SLICE]))[0]
        await bot.bot_data.settle()
        saved = await bot.bot_data.store.db.fetch_value("SELECT COUNT(*) FROM answers")
        await stop(bare, bot=False)
        if silent is not None:
            await stop(silent, bot=False)
        await stop(bot, bot=True)
    latencies.sort()
    figures = {
        "kind": kind, "updates": count, "answers_saved": saved,
        "telegram": "http" if http else "in-process",
        "database": "postgresql" if postgres else "sqlite",
        "bare_ptb_per_s": round(count / bare_s), "bot_per_s": round(count / bot_s),
        "ratio": round(bare_s / bot_s, 3),
        # The same by CPU time (this process's, all threads): what other
        # programs running on the machine meanwhile weigh on less.
        "cpu_ratio": round(cpu.pop(bare) / cpu.pop(bot), 3),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "max_ms": round(latencies[-1] * 1000, 3),
    }
    if silent_s:
        figures["ratio_to_silent_bare"] = round(silent_s / bot_s, 3)
    cpu.clear()
    return figures


async def burst(latency: tuple[float, float], taps: int = 1_000, comments: int = 60) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        telegram = FarTelegram(latency)
        bot = await bot_app(telegram, Path(folder) / "burst.sqlite3", limits=True)
        messages = await questions(bot, telegram, 201)
        busy, others = messages[0], messages[1:]
        comment_updates = make_updates("comment", comments, telegram, [busy])
        tap_updates = make_updates("rate", taps, telegram, others)
        every = max(taps // comments, 1)
        latencies: list[float] = []
        for number, tap in enumerate(tap_updates):
            if number % every == 0 and comment_updates:
                await bot.process_update(Update.de_json(comment_updates.pop(), bot.bot))
            began = time.perf_counter()
            await bot.process_update(Update.de_json(tap, bot.bot))
            latencies.append(time.perf_counter() - began)
            await asyncio.sleep(0)  # as between updates in a running bot
        waiting = len(bot.bot_data.background)
        for task in list(bot.bot_data.background):  # the busy group's reactions: not waited for
            task.cancel()
        await stop(bot, bot=True)
    latencies.sort()
    return {"kind": "burst", "taps_elsewhere": taps, "comments_in_one_group": comments,
            "latency_ms": [round(latency[0] * 1000), round(latency[1] * 1000)],
            "reactions_still_waiting": waiting,
            "others_p50_ms": round(statistics.median(latencies) * 1000, 3),
            "others_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
            "others_max_ms": round(latencies[-1] * 1000, 3)}


def canned_telegram(port: int, ready) -> None:
    """A stand-in for Telegram that answers at once with a canned reply, in
    a process of its own (its cost weighs on neither side)."""
    # The same bot as the fake's messages come from (a comment replies to it).
    me = {**bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
          "supports_inline_queries": False}

    calls: dict[str, int] = {}
    last = [0.0]  # when the latest request came (time.perf_counter, the machine's clock)

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        method = request.match_info["method"]
        calls[method] = calls.get(method, 0) + 1
        last[0] = time.perf_counter()
        return web.json_response({"ok": True, "result": me if method == "getMe" else True})

    async def counted(request: web.Request) -> web.Response:
        return web.json_response(calls)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    app.router.add_get("/calls", counted)  # requests by method, for a run's line
    app.router.add_get("/last", lambda request: web.json_response(last[0]))

    async def serve() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--kinds", default="rate,rerate,comment,spread,burst")
    parser.add_argument("--latency", default="0.02,0.2",
                        help='seconds each request takes in "burst", low,high')
    parser.add_argument("--http", action="store_true",
                        help="both sides over HTTPXRequest to a canned stand-in")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default="", help="a PostgreSQL server (else a throwaway one)")
    args = parser.parse_args()
    latency = tuple(float(part) for part in args.latency.split(","))
    stand_in = server = throwaway = http = None
    if args.http:
        port, ready = free_port(), multiprocessing.get_context("spawn").Event()
        stand_in = multiprocessing.get_context("spawn").Process(
            target=canned_telegram, args=(port, ready), daemon=True)
        stand_in.start()
        if not ready.wait(60):
            raise SystemExit("the canned stand-in did not start")
        http = f"http://127.0.0.1:{port}"
    if args.database == "postgresql":
        server = args.url
        if not server:
            from helpers.postgres import ThrowawayPostgres

            throwaway = ThrowawayPostgres()
            server = throwaway.start()
    try:
        for kind in args.kinds.split(","):
            if kind == "burst":
                figures = asyncio.run(burst(latency))
            else:
                postgres = asyncio.run(new_schema(server)) if server else None
                figures = asyncio.run(measure(kind, args.updates, http=http,
                                              postgres=postgres))
            if http is not None:
                figures["requests_so_far"] = json.loads(
                    urllib.request.urlopen(f"{http}/calls", timeout=10).read())
            print(json.dumps(figures), flush=True)
    finally:
        if stand_in is not None:
            stand_in.terminate()
        if throwaway is not None:
            throwaway.stop()


if __name__ == "__main__":
    main()
