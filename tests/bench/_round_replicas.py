"""The weekly round end to end on PostgreSQL with replicas, for
tests/bench/digest.py --design end-to-end --database postgresql.

The same year of 10,000 groups as the SQLite round (tests/bench/_digest_round.py),
built on SQLite the same way and moved to PostgreSQL with the bot's own
`migrate-db`. Then, each in a process of its own:

- a stand-in for Telegram over HTTP (aiohttp), shared by every replica as
  Telegram is: its flood limits (30 a second for the bot, 20 a minute in a
  group; a 429 past them), 20-200 ms a request, and a count of what was
  sent, per method and per chat (duplicates);
- `--replicas` real bots (`build_application` with `DATABASE_URL`,
  `REPLICAS` and `BOT_API_URL` pointing at the stand-in), each reaching it
  through python-telegram-bot's own HTTPXRequest; one leads and sends the
  round, as in production.

Every replica feeds itself rating taps in bursts, as the SQLite round does
(warm-up, five idle bursts, a burst every ten seconds while the round goes
out, five idle bursts after), so its `intake_ratio_during_digests` compares
like with like. The round starts when the driver moves every replica's
clock to the minute the summaries are due and the leader's tick is brought
forward; it ends when the outbox has no summary or digest left to send.
`--quiet-round` leaves out the bursts during the round (the round alone,
for a profile of its own work). `cores_during_round` says what took the
machine's cores from go to the end, per process, and who waited for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _cores import snapshot, where_cores_went
from _digest_round import (
    BURST_EVERY_S,
    IDLE_BURSTS,
    TAP_BURST,
    TOKEN,
    WARM_UP_TAPS,
    RunningClock,
    Taps,
    _is_chart_worker,
    _time_split,
    children,
    open_question,
    rss_mb,
)
from _round_database import DUE, TEMPLATE, copy_groups, template_group
from _schema import new_schema

from bot.config import Settings
from bot.sandbox.telegram import UpdateFactory

ROUND_KINDS = ("summary", "digest")


# -- Telegram, shared ----------------------------------------------------------------------------


def stand_in(port: int, ready, latency: tuple[float, float], members: int) -> None:
    """Telegram for every replica at once: limits, latency, counts."""
    from aiohttp import web

    from bot.sandbox.telegram.constants import bot_user
    from bot.sandbox.telegram.flood import FloodLimits

    me = {**bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
          "supports_inline_queries": False}
    rng = random.Random(5)
    limits = FloodLimits(1.0)
    state = {"sent": {}, "per_chat": {}, "http_429": 0, "first": None, "last": None,
             "message_id": 0}

    async def half_trip() -> None:
        await asyncio.sleep(rng.uniform(*latency) / 2)

    async def answer(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        if method == "getMe":
            return web.json_response({"ok": True, "result": me})
        if method not in ("sendMessage", "sendPhoto", "editMessageText", "getChatMemberCount"):
            return web.json_response({"ok": True, "result": True})
        await half_trip()
        chat_id = int(form["chat_id"])
        if method == "getChatMemberCount":
            result: object = members + 1
        elif not limits.allow(chat_id):
            state["http_429"] += 1
            await half_trip()
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        else:
            state["sent"][method] = state["sent"].get(method, 0) + 1
            if method != "editMessageText":
                key = f"{method}:{chat_id}"
                state["per_chat"][key] = state["per_chat"].get(key, 0) + 1
                now = time.time()
                state["first"] = state["first"] or now
                state["last"] = now
            state["message_id"] += 1
            result = {"message_id": int(form.get("message_id") or state["message_id"]),
                      "date": int(time.time()),
                      "chat": {"id": chat_id, "type": "group" if chat_id < 0 else "private",
                               "title": "Group"},
                      "from": me, "text": "sent"}
            if method == "sendPhoto":
                result["photo"] = [{"file_id": f"p{state['message_id']}",
                                    "file_unique_id": f"u{state['message_id']}",
                                    "width": 800, "height": 500}]
        await half_trip()
        return web.json_response({"ok": True, "result": result})

    async def stats(request: web.Request) -> web.Response:
        per_chat = state["per_chat"]
        return web.json_response({
            "sent": state["sent"], "http_429": state["http_429"],
            "first": state["first"], "last": state["last"],
            "duplicates": sum(count - 1 for count in per_chat.values() if count > 1),
            "chats_with_photo": sum(1 for key in per_chat if key.startswith("sendPhoto:")),
        })

    async def reset(request: web.Request) -> web.Response:
        state.update(sent={}, per_chat={}, http_429=0, first=None, last=None)
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_post("/bot{token}/{method}", answer)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)

    async def serve() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


def _get(api: str, path: str, post: bool = False) -> dict:
    request = urllib.request.Request(f"{api}{path}", method="POST" if post else "GET",
                                     data=b"" if post else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# -- one replica ---------------------------------------------------------------------------------


def replica(number: int, url: str, api: str, options: dict, started, go, done,
            results) -> None:
    """One copy of the bot, in a process of its own, feeding itself taps."""
    asyncio.run(_replica(number, url, api, options, started, go, done, results))


async def _replica(number, url, api, options, started, go, done, results) -> None:
    from bot.app import build_application

    defaults = Settings()
    settings = Settings(
        token=TOKEN, database_url=url, api_base_url=api, replicas=options["replicas"],
        dispatch_interval_seconds=5, sends_in_flight=options["sends_in_flight"],
        overall_max_rate=defaults.overall_max_rate, group_max_rate=defaults.group_max_rate,
        chart_workers=1, chart_idle_seconds=options["idle_seconds"],
        chart_worker_niceness=options["chart_worker_niceness"],
    )
    # Until the driver says go, the minute after the week's question opened:
    # nothing is due (no question to close, no reminder), so the idle bursts
    # are idle, as in the SQLite round, which ticks once, at the round.
    opened = await _last_question_opened(url)
    clock = RunningClock(opened + timedelta(minutes=1))
    app = build_application(settings, clock=clock)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    taps = Taps(None, options["groups"], options["members"],
                *await open_question(app.bot_data.store))
    # Update ids of its own, and other groups' taps, for each replica.
    taps.factory = UpdateFactory(None, first_update_id=number * 100_000_000 + 1)
    taps.rng = random.Random(11 + number)

    for _ in range(WARM_UP_TAPS // TAP_BURST):
        await taps.feed(app, TAP_BURST)
    idle = [await taps.feed_after_a_gap(app, TAP_BURST, 1.0) for _ in range(IDLE_BURSTS)]
    started.put(number)
    await asyncio.to_thread(go.wait)
    clock.set(DUE + timedelta(seconds=30))
    leading = app.bot_data.leadership is not None and app.bot_data.leadership.leading
    cpu_began = time.process_time()
    for job in app.job_queue.get_jobs_by_name("dispatch"):  # the tick, brought forward
        job.job.modify(next_run_time=datetime.now(UTC))
    during = []
    worker_rss = 0.0
    pace = app.bot.rate_limiter.pace
    shares = []  # this copy's share of Telegram's rate, every ten seconds
    while not done.is_set():
        await asyncio.sleep(BURST_EVERY_S)
        shares.append(pace.current())
        for pid in children():
            if _is_chart_worker(pid):
                with contextlib.suppress(OSError):
                    worker_rss = max(worker_rss, rss_mb(pid))
        if done.is_set():
            break
        if options["taps_during"]:
            during.append(await taps.feed(app, TAP_BURST))
    bot_cpu_s = time.process_time() - cpu_began
    bot_rss = rss_mb()
    await app.bot_data.settle()
    before = len(idle)
    idle += [await taps.feed_after_a_gap(app, TAP_BURST, 1.0) for _ in range(IDLE_BURSTS)]
    await app.stop()
    await app.post_stop(app)
    await app.post_shutdown(app)
    await app.shutdown()
    idle_rate = statistics.median(rate for rate, _ in idle)
    during_rate = statistics.median(rate for rate, _ in during) if during else None
    latencies = sorted(x for _, lat in during for x in lat)
    results.put({
        "replica": number, "led_the_round": leading,
        "intake_idle_per_s": round(idle_rate),
        "intake_during_per_s": round(during_rate) if during_rate else None,
        "intake_ratio_during_digests": round(during_rate / idle_rate, 3) if during_rate else None,
        "intake_idle_before_after_per_s": [
            round(statistics.median(rate for rate, _ in part))
            for part in (idle[:before], idle[before:])],
        "intake_during_range_per_s": ([round(min(r for r, _ in during)),
                                       round(max(r for r, _ in during))] if during else None),
        "intake_during_p99_ms": (round(latencies[int(len(latencies) * 0.99)] * 1000, 2)
                                 if latencies else None),
        # A tap's ms in its handler, and the loop's other work between two
        # taps (the round's, on the leader), idle -> during the round.
        "tap_in_handler_ms": [part and part[0] for part in (_time_split(idle),
                                                            _time_split(during))],
        "tap_between_ms": [part and part[1] for part in (_time_split(idle),
                                                         _time_split(during))],
        "cpu_during_round_s": round(bot_cpu_s, 1),
        # Messages a second it might send, sampled during the round: low,
        # median, high (bot.runtime.rate_sharing).
        "rate_share_per_s": ([round(min(shares), 1), round(statistics.median(shares), 1),
                              round(max(shares), 1)] if shares else None),
        "peak_rss_mb": round(bot_rss, 1),
        "worker_peak_rss_mb": round(worker_rss, 1),
    })


async def _last_question_opened(url: str) -> datetime:
    import asyncpg

    connection = await asyncpg.connect(url)  # search_path is in the URL
    try:
        opened = await connection.fetchval(
            "SELECT MAX(opened_at) FROM prompts WHERE chat_id = $1", TEMPLATE)
    finally:
        await connection.close()
    moment = datetime.fromisoformat(opened)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the driver ----------------------------------------------------------------------------------


async def _round_left(url: str) -> tuple[int, int]:
    """Summaries and digests planned, and those not sent yet."""
    import asyncpg

    connection = await asyncpg.connect(url)  # search_path is in the URL
    try:
        row = await connection.fetchrow(
            "SELECT COUNT(*) AS planned, COUNT(*) FILTER (WHERE state = 'pending') AS left"
            " FROM outbox WHERE kind = ANY($1::text[])", list(ROUND_KINDS))
        return int(row["planned"]), int(row["left"])
    finally:
        await connection.close()


def run(args, server: str, latency: tuple[float, float], idle_seconds: float) -> dict:
    from bot.cli import migrate_db

    with tempfile.TemporaryDirectory() as folder:
        sqlite = Path(folder) / "round.sqlite3"
        began = time.perf_counter()
        asyncio.run(template_group(sqlite, args.members, args.weeks))
        answers = copy_groups(sqlite, args.groups)
        url = asyncio.run(new_schema(server, "round"))
        if asyncio.run(migrate_db(f"sqlite:///{sqlite}", url)) != 0:
            raise SystemExit("migrate-db failed")
        built_s = time.perf_counter() - began

    context = multiprocessing.get_context("spawn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = f"http://127.0.0.1:{port}"
    telegram_ready = context.Event()
    telegram = context.Process(target=stand_in, args=(port, telegram_ready, latency,
                                                      args.members), daemon=True)
    telegram.start()
    if not telegram_ready.wait(60):
        raise SystemExit("the stand-in Telegram did not start")
    started, results = context.Queue(), context.Queue()
    go, done = context.Event(), context.Event()
    options = {"groups": args.groups, "members": args.members, "replicas": args.replicas,
               "sends_in_flight": args.sends_in_flight, "idle_seconds": idle_seconds,
               "chart_worker_niceness": args.chart_worker_niceness,
               "taps_during": not args.quiet_round}
    processes = []
    for number in range(args.replicas):
        process = context.Process(target=replica, args=(number, url, api, options, started,
                                                        go, done, results))
        process.start()
        processes.append(process)
        time.sleep(2)  # the first to start leads
    try:
        for _ in processes:
            started.get(timeout=1800)
        _get(api, "/reset", post=True)
        cores_before = snapshot()
        go.set()
        began = time.perf_counter()
        while True:
            time.sleep(2)
            planned, left = asyncio.run(_round_left(url))
            if planned >= 2 * args.groups and left == 0:
                cores_after = snapshot()
                break
            if time.perf_counter() - began > 4 * 3600:
                raise SystemExit(f"the round did not end: {left} of {planned} left")
        from_go_s = time.perf_counter() - began
        sent = _get(api, "/stats")
        done.set()
        replicas = sorted((results.get(timeout=600) for _ in processes),
                          key=lambda figures: figures["replica"])
        roles = {process.pid: ("leader" if figures["led_the_round"] else "follower")
                 for process, figures in zip(processes, replicas, strict=True)}
        roles[telegram.pid] = "telegram stand-in"
        roles[os.getpid()] = "driver"

        def role_of(pid: int, seen) -> str:
            if pid in roles:
                return roles[pid]
            if roles.get(seen.ppid) in ("leader", "follower") and "spawn_main" in seen.command:
                return f"{roles[seen.ppid]}'s chart worker"
            return "postgresql" if seen.command.startswith("postgres") else "other"

        cores = where_cores_went(cores_before, cores_after, role_of)
        for process in processes:
            process.join(timeout=120)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        telegram.terminate()

    messages = sent["sent"].get("sendMessage", 0)
    photos = sent["sent"].get("sendPhoto", 0)
    round_s = (sent["last"] - sent["first"]) if sent["first"] else 0.0
    bound_s = (messages + photos) / 30
    ratios = [r["intake_ratio_during_digests"] for r in replicas
              if r["intake_ratio_during_digests"] is not None]
    return {
        "design": "end to end", "database": "postgresql", "replicas": args.replicas,
        "groups": args.groups, "answers": answers, "database_built_s": round(built_s, 1),
        "messages": messages, "photos": photos,
        # Live-count edits the copies sent meanwhile (the taps' groups): they
        # count against Telegram's 30 a second too.
        "count_edits": sent["sent"].get("editMessageText", 0),
        "duplicates": sent["duplicates"],
        "groups_without_digest": args.groups - sent["chats_with_photo"],
        "http_429": sent["http_429"],
        "round_s": round(round_s, 1), "round_bound_s": round(bound_s, 1),
        "round_over_bound": round(round_s / bound_s, 3) if bound_s else None,
        # As the SQLite round counts it: from the tick that plans the round
        # (brought forward at go) to the last send (seen within 2 s).
        "round_from_go_s": round(from_go_s, 1),
        "intake_ratio_during_digests": min(ratios) if ratios else None,
        "sends_in_flight": args.sends_in_flight,
        "chart_worker_niceness": args.chart_worker_niceness,
        "latency_ms": [round(latency[0] * 1000), round(latency[1] * 1000)],
        # From go to the round's end: each process's time on a core and
        # waiting for one (tests/bench/_cores.py).
        "cores_during_round": cores,
        "per_replica": replicas,
    }


if __name__ == "__main__":
    sys.exit("run through tests/bench/digest.py --design end-to-end --database postgresql")
