"""Two replicas of the bot on one PostgreSQL, in webhook mode, against the
stand-in Telegram over HTTP enforcing Telegram's flood limits.

The leader is killed (SIGKILL) while it sends 1,000 due questions; the other
replica takes the lease over and finishes. Every group gets its question, at
most one twice (the one the leader may have sent without living to record
it), and Telegram never answers 429: the two together keep under its rate.
The killed replica comes back as a follower, and updates posted to either
replica are each handled once.

Marked `slow` and `two_replicas`; it runs once in `python -m pytest` (about
a minute), and `-m "not slow"` or `-m "not two_replicas"` leaves it out.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from bot.sandbox.http_api import BotApiThread
from bot.sandbox.telegram import UpdateFactory
from bot.sandbox.telegram.flood import FloodLimitedTelegram
from bot.store import Store

from helpers.group import seed_due_groups
from helpers.postgres import NO_POSTGRES
from helpers.processes import BotProcess, free_port, on_server, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.two_replicas]

GROUPS = 1000
KILL_AFTER = 250  # questions sent by the leader before it is killed
SECRET = "replica-test-secret-0123456789"
FIRST_GROUP = -1001000000000  # supergroup ids need more than 32 bits


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))




async def outbox_states(url: str) -> Counter:
    store = await Store.open(url, read_only=True)
    try:
        rows = await store.db.fetch_all(
            "SELECT state, COUNT(*) FROM outbox WHERE kind = 'question' GROUP BY state")
        return Counter({row[0]: row[1] for row in rows})
    finally:
        await store.close()


async def ratings(url: str) -> int:
    store = await Store.open(url, read_only=True)
    try:
        return int(await store.db.fetch_value(
            "SELECT COUNT(*) FROM answers WHERE scale IS NOT NULL"))
    finally:
        await store.close()


class Replica:
    def __init__(self, api: BotApiThread, url: str, tmp_path, name: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = BotProcess(
            api.url, tmp_path / f"{name}.unused.sqlite3", DATABASE_URL=url,
            WEBHOOK_URL=f"{self.base}/telegram", WEBHOOK_SECRET=SECRET,
            PORT=str(self.port), LISTEN="127.0.0.1", REPLICAS="2")

    def health(self) -> dict | None:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return None

    def wait_until_serving(self, timeout: float = 60) -> dict:
        def serving() -> dict | None:
            report = self.health()
            return report if report is not None and report["database"] == "ok" else None

        return wait_until(serving, timeout,
                          lambda: f"replica on {self.port} serving: {self.process.lines}")

    def post(self, update: dict) -> int:
        answer = httpx.post(f"{self.base}/telegram", json=update, timeout=30,
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        return answer.status_code

    def updates_handled(self) -> float:
        text = httpx.get(f"{self.base}/metrics", timeout=5).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("civic_reflect_updates_handled_total"))


def questions_sent(telegram: FloodLimitedTelegram) -> Counter:
    return Counter(call.params["chat_id"] for call in list(telegram.calls)
                   if call.method == "sendMessage" and call.ok
                   and call.params["chat_id"] <= FIRST_GROUP)


def test_a_killed_leader_is_replaced_and_nothing_is_lost_or_sent_twice(
    tmp_path, postgres_server
):
    if postgres_server is None:
        pytest.skip(NO_POSTGRES)
    name = f"replicas_{uuid.uuid4().hex[:12]}"
    asyncio.run(on_server(postgres_server, f"CREATE DATABASE {name} TEMPLATE template0"))
    url = database_url(postgres_server, name)
    telegram = FloodLimitedTelegram()
    replicas: list[Replica] = []
    try:
        asyncio.run(seed_due_groups(url, GROUPS, FIRST_GROUP,
                                    datetime.now(UTC) - timedelta(minutes=1),
                                    cadence="daily", days=()))
        with BotApiThread(telegram) as api:
            first = Replica(api, url, tmp_path, "first")
            replicas.append(first)
            assert first.wait_until_serving()["leader"] is True
            second = Replica(api, url, tmp_path, "second")
            replicas.append(second)
            assert second.wait_until_serving()["leader"] is False
            # Deadlines here guard against a hang: the first tick may come a
            # whole dispatch interval (a minute) after the start, then 25 a
            # second go out, slower on a busy machine.
            assert api.wait_for(lambda: questions_sent(telegram).total() >= KILL_AFTER, 180)

            first.process.process.send_signal(signal.SIGKILL)
            first.process.process.wait(timeout=10)
            killed_at = time.monotonic()
            sent_by_the_first = questions_sent(telegram).total()
            # The follower takes the lease over (it tries every 10 seconds)...
            assert api.wait_for(lambda: (second.health() or {}).get("leader"), 120), (
                second.process.lines[-20:])
            took = time.monotonic() - killed_at
            # ...and sends the rest.
            assert api.wait_for(lambda: len(questions_sent(telegram)) == GROUPS, 300), (
                len(questions_sent(telegram)), second.process.lines[-20:])

            # The killed replica comes back, as a follower.
            back = Replica(api, url, tmp_path, "back")
            replicas.append(back)
            assert back.wait_until_serving()["leader"] is False
            # Members tap a rating under forty questions, each tap sent to one
            # replica or the other; one of them is sent again to the other,
            # as Telegram does when an answer to it was lost.
            factory = UpdateFactory(telegram, first_update_id=900_000)
            taps = []
            for number in range(40):
                chat_id = FIRST_GROUP - number
                question = next(call for call in telegram.calls
                                if call.method == "sendMessage" and call.ok
                                and call.params["chat_id"] == chat_id)
                message = telegram.message(chat_id, question.result["message_id"])
                data = message["reply_markup"]["inline_keyboard"][0][2]["callback_data"]
                member = factory.user(5000 + number, f"Member {number}")
                taps.append(factory.callback(message["chat"], member, message, data))
            statuses = [(second, back)[n % 2].post(tap) for n, tap in enumerate(taps)]
            statuses.append(second.post(taps[1]))  # taps[1] went to `back` first
            saved = asyncio.run(ratings(url))
            handled = second.updates_handled() + back.updates_handled()
            states = asyncio.run(outbox_states(url))
        for replica in replicas[1:]:
            assert replica.process.stop(signal.SIGTERM) == 0, replica.process.lines
    finally:
        for replica in replicas:
            if replica.process.process.poll() is None:
                replica.process.process.kill()
        asyncio.run(on_server(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    sent = questions_sent(telegram)
    assert set(sent) == {FIRST_GROUP - number for number in range(GROUPS)}
    duplicates = sum(count - 1 for count in sent.values())
    assert duplicates <= 1, duplicates  # one kill: at most one question twice
    assert telegram.http_429 == 0
    print(f"\n{GROUPS} questions: {sent_by_the_first} sent by the first leader before it was "
          f"killed, {duplicates} sent twice; the other replica led {took:.1f} s after the kill")
    assert states["pending"] == 0 and states["sent"] + states["unknown"] == GROUPS, states
    assert statuses == [200] * 41
    assert saved == 40  # every tap saved once, the one sent twice included
    assert handled == 41
    telegram.assert_clean()
    for replica in replicas:
        assert not any("Traceback" in line for line in replica.process.lines), (
            replica.process.lines)
