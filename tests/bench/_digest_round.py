"""The weekly round end to end, for tests/bench/digest.py --design end-to-end.

A database of `groups` groups, each with `members` members, one coordinator
who has started the bot, and a year of weekly questions and answers; every
group's summary due at the same minute. The real `build_application` runs
the scheduler's tick on it: the summaries and digests are planned, read with
the real SQL, rendered, their charts drawn in the chart worker, and sent
through a fake Telegram that enforces Telegram's limits and takes 20-200 ms
per request. While they go out, rating taps are fed in bursts and their rate
compared with bursts before and after the round, each after the same gap
(`intake_ratio_during_digests`).

The database is built by tests/bench/_round_database.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from _cores import snapshot, where_cores_went
from _limits import LimitedTelegram
from _loop_time import LoopTime
from _page_cache import PageCache
from _round_database import DUE, PEOPLE, QUESTION_MESSAGE, TEMPLATE
from _tap_counts import TapCounts, shares
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.sandbox.telegram import UpdateFactory
from bot.sandbox.telegram.constants import bot_user
from bot.services import dispatch
from bot.store import Store

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN01"
TAP_BURST = 300  # taps per intake burst
BURST_EVERY_S = 10.0  # seconds between intake bursts during the round
WARM_UP_TAPS = 5_000  # before the idle bursts
IDLE_BURSTS = 10  # before the round, and as many after it


def rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process, from /proc (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fake_telegram_mb(telegram: RoundTelegram) -> float:
    """About what the fake Telegram keeps in the bot's process (a flood
    bucket for every group, a count of photos for every chat): counted in
    the bot's RSS, though a real bot keeps none of it."""
    size = sys.getsizeof(telegram.limits.groups) + sys.getsizeof(telegram.photos_to)
    for chat_id, bucket in telegram.limits.groups.items():
        size += sys.getsizeof(chat_id) + sys.getsizeof(bucket) + sum(
            sys.getsizeof(getattr(bucket, name)) for name in type(bucket).__slots__)
    for chat_id, count in telegram.photos_to.items():
        size += sys.getsizeof(chat_id) + sys.getsizeof(count)
    return size / 1024 / 1024


def children() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.append(int(entry))
    return found


class RunningClock:
    """The bot's clock during a round: set to a moment, then going on in
    real time, as a real clock does. (A clock stopped at one moment made
    every live count wait its turn for ever: its last edit was always
    "just now", so each question tapped twice was asked again every five
    seconds, a transaction each, for the rest of the run.)"""

    def __init__(self, moment: datetime):
        self.set(moment)

    def set(self, moment: datetime) -> None:
        self._moment, self._from = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self._moment + timedelta(seconds=time.monotonic() - self._from)


# -- Telegram ------------------------------------------------------------------------------------


class RoundTelegram(LimitedTelegram):
    """Answers the round's requests cheaply, within Telegram's limits and after
    a network's delay, and counts them; anything else goes to the full fake."""

    CHEAP = ("sendMessage", "sendPhoto", "editMessageText", "getChatMemberCount",
             "answerCallbackQuery")

    def __init__(self, speed: float, latency: tuple[float, float], members: int):
        super().__init__(speed, latency)
        self.members = members
        self.sent: dict[str, int] = {}
        self.photos_to: dict[int, int] = {}

    async def _half_trip(self) -> None:
        low, high = self.latency
        await asyncio.sleep(self.rng.uniform(low, high) / self.speed / 2)

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        api_method = url.rsplit("/", 1)[-1]
        if api_method not in self.CHEAP:
            return await super(LimitedTelegram, self).do_request(url, method, request_data,
                                                                 *args, **kwargs)
        if api_method == "answerCallbackQuery":
            # The taps' pop-ups: answered at once, as in tests/bench/intake.py,
            # and not kept, so the memory measured is the bot's, not a record
            # of every call.
            await asyncio.sleep(0)
            return 200, b'{"ok": true, "result": true}'
        await self._half_trip()
        chat_id = int(request_data.parameters["chat_id"])
        if api_method == "getChatMemberCount":
            result: object = self.members + 1  # and the bot
        elif not self.limits.allow(chat_id):
            self.http_429 += 1
            await self._half_trip()
            return 429, json.dumps({"ok": False, "error_code": 429,
                                    "description": "Too Many Requests: retry after 1",
                                    "parameters": {"retry_after": 1}}).encode()
        else:
            self.sent[api_method] = self.sent.get(api_method, 0) + 1
            if api_method == "sendPhoto":
                self.photos_to[chat_id] = self.photos_to.get(chat_id, 0) + 1
            self.last_send_at = time.perf_counter()
            self._message_ids += 1
            result = {"message_id": self._message_ids, "date": int(time.time()),
                      "chat": {"id": chat_id, "type": "group" if chat_id < 0 else "private",
                               "title": "Group"},
                      "from": self.bot_user, "text": "sent"}
        await self._half_trip()
        return 200, json.dumps({"ok": True, "result": result}).encode()


# -- the round -----------------------------------------------------------------------------------


async def open_question(store: Store) -> tuple[int, int]:
    """The template group's open question, and how many questions each
    group has (copy k's open question is the template's plus k times that)."""
    open_prompt = int(await store.db.fetch_value(
        "SELECT MAX(id) FROM prompts WHERE chat_id = ?", (TEMPLATE,)))
    stride = int(await store.db.fetch_value(
        "SELECT COUNT(*) FROM prompts WHERE chat_id = ?", (TEMPLATE,)))
    return open_prompt, stride


class Taps:
    """Rating taps by members of random groups on their group's open question."""

    def __init__(self, telegram: RoundTelegram, groups: int, members: int, open_prompt: int,
                 prompts_per_group: int):
        self.factory = UpdateFactory(telegram, first_update_id=1)
        self.rng = random.Random(11)
        self.groups, self.members = groups, members
        self.open_prompt, self.stride = open_prompt, prompts_per_group
        # What the bursts of each phase found kept in memory (bot/store/kept.py),
        # and which tables were written while they ran (set when the bot is up).
        self.counts: TapCounts | None = None
        self.loop_time: LoopTime | None = None  # --loop-time
        self.page_cache: PageCache | None = None  # the file's share in the cache, per burst
        self.seen: dict[str, Counter] = {"idle": Counter(), "during": Counter()}

    def update(self) -> dict:
        k = self.rng.randrange(self.groups)
        member = self.rng.randint(1, self.members)
        chat = {"id": TEMPLATE - k, "type": "group", "title": "Riverside Neighbours"}
        person = {"id": member + k * PEOPLE, "is_bot": False, "first_name": f"Member {member}"}
        message = {"message_id": QUESTION_MESSAGE, "date": int(DUE.timestamp()), "chat": chat,
                   "from": bot_user(), "text": "question"}
        prompt = self.open_prompt + k * self.stride
        return self.factory.callback(chat, person, message,
                                     f"1|r|{prompt}|{self.rng.randint(1, 5)}")

    async def feed_after_a_gap(self, app, count: int, speed: float) -> tuple[float, list[float]]:
        """A burst after the same gap as those during the round: the live-count
        edits the taps before it set off (five seconds later) go in the gap,
        as they do during the round, not into this burst's time."""
        await asyncio.sleep(BURST_EVERY_S / speed)
        return await self.feed(app, count, "idle")

    async def feed(self, app, count: int, phase: str | None = None) -> tuple[float, list[float]]:
        """Taps one after another, as the update fetcher hands them over; the
        rate and each tap's time in the bot."""
        if phase is None:
            return await self._feed(app, count)
        if self.page_cache:  # before the burst's time starts
            await asyncio.to_thread(self.page_cache.before_burst)
        before = self.counts.now()
        with self.loop_time.timing(phase) if self.loop_time else contextlib.nullcontext():
            result = await self._feed(app, count)
        self.seen[phase].update(self.counts.now() - before)
        self.seen[phase]["taps"] += count
        return result

    async def _feed(self, app, count: int) -> tuple[float, list[float]]:
        updates = [Update.de_json(self.update(), app.bot) for _ in range(count)]
        latencies = []
        began = time.perf_counter()
        for update in updates:
            start = time.perf_counter()
            await app.process_update(update)
            latencies.append(time.perf_counter() - start)
            # Between two updates the loop runs what is waiting, as the
            # update fetcher's wait on its queue lets it: the round's sends,
            # and the taps' own pop-ups, which go in the background.
            await asyncio.sleep(0)
        taps_left = [task for task in app.bot_data.background if not task.done()]
        await asyncio.gather(*taps_left, return_exceptions=True)  # counted too
        return count / (time.perf_counter() - began), latencies


async def run_round(database: Path, groups: int, members: int, speed: float,
                    latency: tuple[float, float], idle_seconds: float,
                    sends_in_flight: int, taps_during: bool = True,
                    niceness: int = 10, loop_time: bool = False,
                    hold_cache: bool = False) -> dict:
    defaults = Settings()
    settings = Settings(
        token=TOKEN, database_path=database, dispatch_interval_seconds=0,
        overall_max_rate=defaults.overall_max_rate * speed,
        group_max_rate=defaults.group_max_rate * speed,
        chart_workers=1, chart_idle_seconds=idle_seconds, sends_in_flight=sends_in_flight,
        chart_worker_niceness=niceness,
    )
    clock = RunningClock(DUE + timedelta(seconds=30))
    telegram = RoundTelegram(speed, latency, members)
    app = build_application(settings, request=telegram, clock=clock)
    await app.initialize()
    await app.post_init(app)
    counts = TapCounts(app.bot_data.store)
    await app.start()
    taps = Taps(telegram, groups, members, *await open_question(app.bot_data.store))
    taps.counts = counts
    taps.loop_time = LoopTime() if loop_time else None
    taps.page_cache = cache = PageCache(database, hold=hold_cache)

    # Warm, as the bot is when the round starts: the chats and questions
    # kept in memory at their usual share, SQLite's cache filled. (With 200
    # taps, the idle bursts ran on a cold bot and made the round look free.)
    for _ in range(WARM_UP_TAPS // TAP_BURST):  # a burst at a time, as the updates are made
        await taps.feed(app, TAP_BURST)
    cache.phase = "idle before"
    idle = [await taps.feed_after_a_gap(app, TAP_BURST, speed) for _ in range(IDLE_BURSTS)]
    objects_before = len(gc.get_objects())
    cores_before = snapshot()
    cpu_began, began = time.process_time(), time.perf_counter()
    round_task = asyncio.create_task(dispatch.tick(app.bot, app.bot_data, clock()))
    cache.phase = "during"
    during: list[tuple[float, list[float]]] = []
    worker_rss = 0.0
    while True:
        done, _ = await asyncio.wait({round_task}, timeout=BURST_EVERY_S / speed)
        for pid in children():
            if not _is_chart_worker(pid):
                continue
            with contextlib.suppress(OSError):
                worker_rss = max(worker_rss, rss_mb(pid))
        if done:
            break
        if taps_during:
            during.append(await taps.feed(app, TAP_BURST, "during"))
    round_s = (time.perf_counter() - began) * speed
    bot_cpu_s = time.process_time() - cpu_began
    cores = where_cores_went(cores_before, snapshot(), _role)
    report = round_task.result()
    bot_rss = rss_mb()
    objects_after = len(gc.get_objects())
    await app.bot_data.settle()
    before = len(idle)
    cache.phase = "idle after"
    idle += [await taps.feed_after_a_gap(app, TAP_BURST, speed)  # and after the round
             for _ in range(IDLE_BURSTS)]
    # The worker stops after its quiet spell; its CPU is then counted as a child's.
    await asyncio.sleep(idle_seconds + 3)
    workers_left = len([pid for pid in children() if _is_chart_worker(pid)])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    charts_s = usage.ru_utime + usage.ru_stime
    counts.stop()
    await app.stop()
    await app.post_stop(app)
    await app.post_shutdown(app)
    await app.shutdown()

    photos = telegram.sent.get("sendPhoto", 0)
    idle_rate = statistics.median(rate for rate, _ in idle)
    during_rate = statistics.median(rate for rate, _ in during) if during else None
    during_latencies = sorted(x for _, lat in during for x in lat)
    # Where a burst's time goes: in the taps' own handling, or between two
    # taps, where the loop runs whatever else waits (the round's work, the
    # taps' pop-ups and count edits).
    split = {name: _time_split(bursts) for name, bursts in (("idle", idle), ("during", during))}
    return {
        "design": "end to end",
        "groups": groups,
        "summaries_sent": report.delivery.sent_by_kind.get("summary", 0),
        "digests_sent": report.delivery.sent_by_kind.get("digest", 0),
        "photos": photos,
        "messages": telegram.sent.get("sendMessage", 0),
        "duplicate_photos": sum(count - 1 for count in telegram.photos_to.values() if count > 1),
        "groups_without_digest": groups - len(telegram.photos_to),
        "http_429": telegram.http_429,
        "round_s": round(round_s, 1),
        "round_bound_s": round(sum(telegram.sent.values()) / 30, 1),
        "charts_s": round(charts_s, 1),
        "send_bound_s": round(photos / 30, 1),
        "bot_cpu_s": round(bot_cpu_s, 1),
        "intake_idle_per_s": round(idle_rate),
        "intake_during_per_s": round(during_rate) if during_rate else None,
        "intake_ratio_during_digests": round(during_rate / idle_rate, 3) if during_rate else None,
        # How much single bursts move: the idle medians before and after the
        # round, and the slowest and fastest burst during it.
        "intake_idle_before_after_per_s": [
            round(statistics.median(rate for rate, _ in part)) for part in (idle[:before],
                                                                            idle[before:])],
        # Every burst's rate, in order: what the medians hide (a burst is
        # about a tenth of a second, so one stall of the loop halves it).
        "intake_bursts_per_s": {"idle before": [round(rate) for rate, _ in idle[:before]],
                                "during": [round(rate) for rate, _ in during],
                                "idle after": [round(rate) for rate, _ in idle[before:]]},
        "intake_during_range_per_s": ([round(min(rate for rate, _ in during)),
                                       round(max(rate for rate, _ in during))]
                                      if during else None),
        "intake_during_p99_ms": (round(during_latencies[int(len(during_latencies) * 0.99)]
                                       * 1000, 2) if during_latencies else None),
        # A tap held up by a stall of the loop (a write lock, a full collection).
        "tap_slowest_ms": {name: round(max((x for _, lat in bursts for x in lat), default=0)
                                       * 1000, 1) for name, bursts in (("idle", idle),
                                                                       ("during", during))},
        "tap_in_handler_ms": {name: part and part[0] for name, part in split.items()},
        "tap_between_ms": {name: part and part[1] for name, part in split.items()},
        "bot_peak_rss_mb": round(bot_rss, 1),
        "fake_telegram_mb": round(fake_telegram_mb(telegram), 1),  # within bot_peak_rss_mb
        "worker_peak_rss_mb": round(worker_rss, 1),
        "workers_left_when_idle": workers_left,
        "latency_ms": [round(latency[0] * 1000), round(latency[1] * 1000)],
        "speed": speed,
        "sends_in_flight": sends_in_flight,
        "taps_during": taps_during,
        "chart_worker_niceness": niceness,
        # During the round: each process's time on a core and waiting for
        # one (tests/bench/_cores.py).
        "cores_during_round": cores,
        # What the taps found kept in memory, idle and during the round, and
        # what was written meanwhile (bot/store/kept.py).
        # Objects the collector tracks, before and after the round: a full
        # collection walks them all.
        "objects_tracked": [objects_before, objects_after],
        # The database file's share in the page cache as each burst began,
        # and with --hold-cache what was read back first (tests/bench/_page_cache.py).
        "database_in_cache": cache.report(),
        "hold_cache": hold_cache,
        "kept": {phase: shares(seen) for phase, seen in taps.seen.items()},
        "writes_in_all": dict(sorted(counts.writes.items())),
        **({"loop_time_in_bursts": taps.loop_time.report()} if taps.loop_time else {}),
    }


def _role(pid: int, seen) -> str:
    if pid == os.getpid():
        return "bot"
    if seen.ppid == os.getpid():
        return "chart worker" if "spawn_main" in seen.command else "bot's other child"
    return "other"


def _time_split(bursts: list[tuple[float, list[float]]]) -> tuple[float, float] | None:
    """(ms a tap spends in its handler, ms the loop spends on other work per
    tap), averaged over the bursts: a burst's time is count / rate."""
    if not bursts:
        return None
    taps = sum(len(latencies) for _, latencies in bursts)
    total = sum(len(latencies) / rate for rate, latencies in bursts)
    handling = sum(sum(latencies) for _, latencies in bursts)
    return round(handling / taps * 1000, 3), round((total - handling) / taps * 1000, 3)


def _is_chart_worker(pid: int) -> bool:
    """A process the pool spawned (not multiprocessing's resource tracker)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as command:
            return b"spawn_main" in command.read()
    except OSError:
        return False
