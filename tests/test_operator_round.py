"""A weekly round as an operator runs it: two replicas behind a proxy that
checks their health, on one PostgreSQL, members tapping and commenting all
along; the leader is killed (and restarted, as an orchestrator would) and
PostgreSQL is stopped and started again during the round.

Nothing is lost (every tap and comment Telegram delivered is saved exactly
once), nothing is sent twice but the one question a killed leader may have
sent without living to record it, /healthz fails only while something is
really down, and every replica is healthy again by itself.

Marked `slow`: it starts PostgreSQL and three bot processes (a few minutes
on a busy machine, most of it the round itself).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import time
import traceback
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox.http_api import BotApiThread
from bot.sandbox.telegram import UpdateFactory
from bot.sandbox.telegram.flood import FloodLimitedTelegram
from bot.store import Store

from helpers.group import seed_due_groups
from helpers.operator import Deliverer, HealthWatch, Proxy, Replica
from helpers.postgres import NO_POSTGRES, ThrowawayPostgres, server_programs
from helpers.processes import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.two_replicas]

GROUPS = 300
FIRST_GROUP = -1002000000000
KILL_AFTER = 80  # questions sent before the leader is killed
OUTAGE_AFTER = 160  # ...and before PostgreSQL is stopped
OUTAGE_SECONDS = 5


def questions_sent(telegram: FloodLimitedTelegram) -> Counter:
    return Counter(call.params["chat_id"] for call in list(telegram.calls)
                   if call.method == "sendMessage" and call.ok
                   and call.params["chat_id"] <= FIRST_GROUP and "reply_markup" in call.params)


class Members:
    """Taps a rating under every question sent and, in every third group,
    replies to it with a comment, each update handed to Telegram's deliverer."""

    def __init__(self, telegram: FloodLimitedTelegram, deliverer: Deliverer):
        self.telegram = telegram
        self.deliverer = deliverer
        self.factory = UpdateFactory(telegram, first_update_id=500_000)
        self.done: set[int] = set()
        self.taps = 0
        self.comments: dict[int, str] = {}  # chat id -> the comment sent there
        self.without_buttons: list[int] = []
        self.failure: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._answer, daemon=True)

    def __enter__(self) -> Members:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _answer(self) -> None:
        try:
            self._answer_each()
        except Exception:
            self.failure = traceback.format_exc()
            raise

    def _answer_each(self) -> None:
        while not self._stop.wait(0.2):
            for call in list(self.telegram.calls):
                chat_id = call.params.get("chat_id")
                if (call.method != "sendMessage" or not call.ok or chat_id in self.done
                        or not isinstance(chat_id, int) or chat_id > FIRST_GROUP
                        or "reply_markup" not in call.params or call.result is None):
                    continue  # (a call's result is filled in a moment after it is listed)
                self.done.add(chat_id)
                message = self.telegram.message(chat_id, call.result["message_id"])
                if "reply_markup" not in message:
                    # Its buttons are gone already: the tap a member could no longer make.
                    self.without_buttons.append(chat_id)
                    continue
                data = message["reply_markup"]["inline_keyboard"][0][2]["callback_data"]
                number = FIRST_GROUP - chat_id
                member = self.factory.user(7000 + number, f"Member {number}")
                self.deliverer.send(self.factory.callback(message["chat"], member, message, data))
                self.taps += 1
                if number % 3 == 0:
                    other = self.factory.user(9000 + number, f"Other {number}")
                    text = f"comment {number}"
                    self.comments[chat_id] = text
                    self.deliverer.send(self.factory.reply(message["chat"], other, message, text))


async def outbox_rows(url: str, chats: list[int]) -> list[tuple]:
    """Where the sends to `chats` stand (for a failure's message)."""
    store = await Store.open(url, read_only=True)
    try:
        return [tuple(row) for row in await store.db.fetch_all(
            "SELECT id, chat_id, kind, state, attempts, claimed_by, claimed_until, not_before,"
            f" reason FROM outbox WHERE chat_id IN ({', '.join(map(str, chats)) or '0'})")]
    finally:
        await store.close()


async def saved(url: str) -> tuple[set[int], dict[int, list[str]]]:
    store = await Store.open(url, read_only=True)
    try:
        ratings = {row[0] for row in await store.db.fetch_all(
            "SELECT p.chat_id FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE a.scale IS NOT NULL")}
        rows = await store.db.fetch_all(
            "SELECT p.chat_id, a.text FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE a.text IS NOT NULL")
        comments: dict[int, list[str]] = {}
        for chat_id, text in rows:
            comments.setdefault(chat_id, []).append(text)
        return ratings, comments
    finally:
        await store.close()


def failures_outside(seen, name: str, allowed: list[tuple[float, float]]) -> list[float]:
    """When `name`'s /healthz failed outside the `allowed` spans."""
    return [at for at, who, status in seen if who == name and status != 200
            and not any(start <= at <= end for start, end in allowed)]


def first_healthy(seen, name: str, after: float) -> float:
    return min((at for at, who, status in seen if who == name and status == 200 and at >= after),
               default=float("inf"))


def test_a_weekly_round_with_a_killed_leader_and_a_database_restart(tmp_path):
    if server_programs() is None:
        pytest.skip(NO_POSTGRES)
    postgres = ThrowawayPostgres(durable=True)
    url = postgres.start()
    telegram = FloodLimitedTelegram()
    replicas: dict[str, Replica] = {}
    everyone: list[Replica] = []
    try:
        asyncio.run(seed_due_groups(url, GROUPS, FIRST_GROUP,
                                    datetime.now(UTC) - timedelta(minutes=1),
                                    cadence="daily", days=()))
        started = time.monotonic()
        with BotApiThread(telegram) as api:
            replicas["a"] = Replica(api.url, url, tmp_path, "a")
            everyone.append(replicas["a"])
            assert replicas["a"].wait_until_healthy()["leader"] is True
            replicas["b"] = Replica(api.url, url, tmp_path, "b")
            everyone.append(replicas["b"])
            assert replicas["b"].wait_until_healthy()["leader"] is False
            with (HealthWatch(replicas) as watch,
                  Proxy([replicas["a"].base, replicas["b"].base]) as proxy,
                  Deliverer(proxy.url) as deliverer,
                  Members(telegram, deliverer) as members):
                assert api.wait_for(lambda: questions_sent(telegram).total() >= KILL_AFTER, 180)

                # The leader dies; the orchestrator starts it again on its port.
                killed = replicas["a"]
                killed_at = time.monotonic()  # before: a look meanwhile sees it gone
                killed.process.process.send_signal(signal.SIGKILL)
                killed.process.process.wait(timeout=10)
                replicas["a"] = Replica(api.url, url, tmp_path, "a-again", port=killed.port)
                everyone.append(replicas["a"])
                replicas["a"].wait_until_healthy()
                assert api.wait_for(
                    lambda: questions_sent(telegram).total() >= OUTAGE_AFTER, 240)

                # PostgreSQL goes away for a while, then comes back.
                outage_start = time.monotonic()
                postgres.halt()
                for replica in replicas.values():
                    wait_until(lambda r=replica: (r.health() or (503,))[0] == 503, 60,
                               f"{replica.name} saying it is unhealthy while PostgreSQL is down")
                time.sleep(max(0.0, outage_start + OUTAGE_SECONDS - time.monotonic()))
                postgres.resume()
                outage_end = time.monotonic()

                for replica in replicas.values():
                    replica.wait_until_healthy(120)
                if not api.wait_for(lambda: len(questions_sent(telegram)) == GROUPS, 360):
                    unsent = sorted({FIRST_GROUP - n for n in range(GROUPS)}
                                    - set(questions_sent(telegram)))
                    rows = asyncio.run(outbox_rows(url, unsent[:5]))
                    raise AssertionError("\n".join(
                        [f"{len(unsent)} groups never got their question: {unsent[:5]}",
                         *map(str, rows),
                         *(f"{name}: {line}" for name, r in replicas.items()
                           for line in r.process.lines[-40:])]))
                wait_until(lambda: len(members.done) == GROUPS or members.failure, 60,
                           "every question answered")
                assert members.failure is None, members.failure
                wait_until(deliverer.all_delivered, 240,
                           lambda: f"{sum(not d.delivered for d in deliverer.deliveries)} "
                                   "updates still not answered 200")
            ratings, comments = asyncio.run(saved(url))
            for replica in replicas.values():
                try:
                    status = replica.process.stop(signal.SIGTERM)
                except subprocess.TimeoutExpired:
                    status = "still running 20 s after SIGTERM"
                # Its last lines, with where a stuck stop waits (bot.runtime.stop_watch).
                assert status == 0, "\n".join(
                    [f"replica {replica.name}: {status}", *replica.process.lines[-60:]])
    finally:
        for replica in everyone:
            if replica.process.process.poll() is None:
                replica.process.process.kill()
        postgres.stop()

    sent = questions_sent(telegram)
    assert set(sent) == {FIRST_GROUP - number for number in range(GROUPS)}
    duplicates = sum(count - 1 for count in sent.values())
    assert duplicates <= 1, duplicates  # one kill: at most one question twice
    assert telegram.http_429 == 0
    assert members.without_buttons == []  # no question lost its buttons while open
    # Every tap and comment Telegram delivered saved exactly once.
    missing = {chat: [d.statuses for d in deliverer.deliveries
                      if d.update.get("callback_query", {}).get("message", {}).get("chat", {})
                      .get("id") == chat] for chat in members.done - ratings}
    assert missing == {} and members.taps == GROUPS, (missing, members.taps)
    lost = {chat: [d.statuses for d in deliverer.deliveries
                   if d.update.get("message", {}).get("chat", {}).get("id") == chat]
            for chat in set(members.comments) - set(comments)}
    assert lost == {}, lost
    assert comments == {chat: [text] for chat, text in members.comments.items()}
    # /healthz failed only while something was really down: a replica
    # starting, or PostgreSQL away (until the replica had reconnected).
    for name in ("a", "b"):
        allowed = [(outage_start, first_healthy(watch.seen, name, outage_end))]
        if name == "a":
            allowed.append((killed_at, first_healthy(watch.seen, name, killed_at)))
        assert failures_outside(watch.seen, name, allowed) == [], (
            name, f"round began at {started:.1f}, killed at {killed_at:.1f}, outage "
                  f"{outage_start:.1f}-{outage_end:.1f}, allowed {allowed}",
            [(at, status) for at, who, status in watch.seen if who == name and status != 200])
    retried = sum(len(delivery.statuses) > 1 for delivery in deliverer.deliveries)
    print(f"\n{GROUPS} questions, {duplicates} sent twice; {members.taps} taps and "
          f"{len(members.comments)} comments, {retried} of them delivered more than once")
    telegram.assert_clean()
    for replica in everyone:
        lines = replica.process.lines
        first = next((n for n, line in enumerate(lines) if "Traceback" in line), None)
        assert first is None, "\n".join([f"replica {replica.name}:",
                                          *lines[max(0, first - 5):first + 40]])
