"""Crash safety, from outside: the real `python -m bot run` against the fake
Telegram served over HTTP, killed with SIGKILL at random moments while it
sends 1,000 due questions and while members tap answers, and started again
each time. No due question is lost; a kill repeats only what was on its way
(a question Telegram took that the bot had not yet recorded as sent), and at
most `sends_in_flight` (one) of those a kill, however busy the machine; and
every answer tapped (acknowledged or not) ends up in the database."""

from __future__ import annotations

import asyncio
import functools
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.clock import utc_now
from bot.sandbox.http_api import BotApiThread
from bot.sandbox.telegram import UpdateFactory, visible_text

from helpers.app import TEST_TOKEN
from helpers.group import seed_due_groups
from helpers.processes import wait_until

# The real program killed and started again, a thousand questions sent at
# Telegram's pace: a minute or two (`-m "not slow"` leaves it out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
GROUPS = 1000
TAPPED_GROUPS = 100
KILLS_WHILE_SENDING = 4
KILLS_WHILE_ANSWERING = 4
FIRST_GROUP = -200_000
SENDS_IN_FLIGHT = Settings().sends_in_flight


class Bot:
    def __init__(self, url: str, database: Path, log: Path):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("TELEGRAM", "CIVIC_REFLECT"))}
        env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(database),
                   TELEGRAM_API_BASE_URL=url, LOG_LEVEL="INFO")
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT,
                                            env=self.env, stdout=log, stderr=log)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def kill_once(self, condition, what: str, when_dead=None) -> None:
        """SIGKILL once `condition` holds, look (`when_dead`), and start again."""
        wait_until(condition, 300, lambda: f"{what}; log: {self.tail()}")
        self.kill()
        if when_dead is not None:
            when_dead()
        self.start()

    def tail(self) -> str:
        return self.log.read_text()[-2000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)


def questions_by_chat(server: BotApiThread) -> Counter:
    """How many copies of a question reached each group (whatever the bot heard back)."""
    return questions_in(server.calls("sendMessage"))


def questions_in(calls: list) -> Counter:
    return Counter(call.params["chat_id"] for call in calls if call.method == "sendMessage"
                   and call.error is None and " of 15)" in visible_text(call.params["text"]))


def restart_after(calls: list, killed_at: int) -> int:
    """Where the next process's calls begin, after a kill when `killed_at`
    calls had been made: its first getMe (a request the killed process wrote
    just before it died may be taken a moment after)."""
    return next(index for index in range(killed_at, len(calls))
                if calls[index].method == "getMe")


def recorded_sent(database: Path) -> set[int]:
    """The groups whose question the bot recorded as sent."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute(
            "SELECT chat_id FROM outbox WHERE kind = 'question' AND state = 'sent'")}
    finally:
        conn.close()


def answers_in(database: Path) -> set[tuple[int, int]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {(row[0], row[1]) for row in conn.execute(
            "SELECT prompt_id, user_id FROM answers WHERE scale IS NOT NULL")}
    finally:
        conn.close()


def groups_asked(server: BotApiThread, count: int) -> bool:
    return len(questions_by_chat(server)) >= count


def taps_acknowledged(server: BotApiThread, ids: set[str], count: int) -> bool:
    return len(ids & acknowledged(server)) >= count


def acknowledged(server: BotApiThread) -> set[str]:
    """The taps the bot said were saved."""
    return {call.params["callback_query_id"] for call in server.calls("answerCallbackQuery")
            if call.error is None and call.params.get("text") == "Saved, thank you!"}


def test_sigkill_while_sending_and_while_answering_loses_nothing(tmp_path):
    rng = random.Random(2026)
    database = tmp_path / "bot.sqlite3"
    asyncio.run(seed_due_groups(database, GROUPS, FIRST_GROUP,
                                utc_now() - timedelta(minutes=1)))
    with BotApiThread() as server:
        bot = Bot(server.url, database, tmp_path / "bot.log")
        bot.start()
        # Killed at random moments while the 1,000 questions go out (29 a
        # second): each time after a random number more have gone out, so
        # every kill lands while it sends, however fast the machine (at most
        # 6 x 140 of the 1,000 go out between kills).
        # At each kill, what was on its way: questions the killed process had
        # Telegram take that it had not recorded yet. Each is written down
        # before the next goes, so at most SENDS_IN_FLIGHT, however busy the
        # machine; and only those are repeated.
        kills: list[tuple[int, set[int]]] = []  # (calls made, groups recorded as sent)

        def look() -> None:
            kills.append((len(server.calls()), recorded_sent(database)))

        for _ in range(KILLS_WHILE_SENDING):
            target = len(questions_by_chat(server)) + rng.randint(40, 140)
            bot.kill_once(functools.partial(groups_asked, server, target),
                          f"{target} groups with their question", look)
        assert server.wait_for(lambda: len(questions_by_chat(server)) == GROUPS, timeout=300), (
            f"{GROUPS - len(questions_by_chat(server))} groups never got their question; "
            f"log: {bot.tail()}")
        copies = questions_by_chat(server)
        duplicates = sum(count - 1 for count in copies.values())
        calls = server.calls()
        on_its_way: Counter = Counter()
        began = 0  # where the killed process's calls begin
        for killed_at, recorded in kills:
            ended = restart_after(calls, killed_at)
            unrecorded = set(questions_in(calls[began:ended])) - recorded
            assert len(unrecorded) <= SENDS_IN_FLIGHT, (killed_at, unrecorded)
            on_its_way.update(unrecorded)
            began = ended
        repeated = {chat: count - 1 for chat, count in copies.items() if count > 1}
        assert all(extra <= on_its_way[chat] for chat, extra in repeated.items()), (
            repeated, on_its_way)
        assert duplicates <= KILLS_WHILE_SENDING * SENDS_IN_FLIGHT

        # Members tap answers while the bot is killed again and again.
        factory = UpdateFactory(server.telegram)
        taps: list[tuple[tuple[int, int], dict]] = []  # (prompt, member), the update
        for call in server.calls("sendMessage")[: TAPPED_GROUPS * 3]:
            if call.error is None and " of 15)" in visible_text(call.params["text"]) and (
                    len(taps) < TAPPED_GROUPS * 2):
                chat_id, message = call.params["chat_id"], call.result
                prompt_id = int(message["reply_markup"]["inline_keyboard"][0][0]
                                ["callback_data"].split("|")[2])
                for user_id in (1, 2):
                    person = server.run(factory.user, 7000 + user_id, f"Member {user_id}")
                    chat = server.telegram.state.chat(chat_id)
                    update = server.run(factory.callback, chat, person, message,
                                        f"1|r|{prompt_id}|{rng.randint(1, 5)}")
                    taps.append(((prompt_id, person["id"]), update))
        # The taps come in waves, one a kill: the bot is killed once a random
        # number of its wave are acknowledged, while the rest are still in hand.
        wave = len(taps) // KILLS_WHILE_ANSWERING
        for number in range(KILLS_WHILE_ANSWERING):
            pushed = [update for _, update in taps[number * wave:(number + 1) * wave]]
            ids = {update["callback_query"]["id"] for update in pushed}
            for update in pushed:
                server.push_update(update)
            enough = rng.randint(1, wave - 1)
            bot.kill_once(functools.partial(taps_acknowledged, server, ids, enough),
                          f"{enough} taps of wave {number} acknowledged")
        for _, update in taps[KILLS_WHILE_ANSWERING * wave:]:
            server.push_update(update)
        tapped = {tap for tap, _ in taps}
        assert server.wait_for(lambda: tapped <= answers_in(database), timeout=300), (
            f"{len(tapped - answers_in(database))} taps never saved")
        said_saved = acknowledged(server)
        assert said_saved  # the bot said so, and each said-saved answer is saved
        # The taps may all have been saved before the last kill: let the bot
        # started after it come up (it polls once ready) before Ctrl-C, which
        # is meant for a running bot, not one still importing its modules.
        polled = len(server.calls("getUpdates"))
        assert server.wait_for(lambda: len(server.calls("getUpdates")) > polled, timeout=120)
        bot.stop()
    assert bot.process.returncode == 0
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log and TEST_TOKEN not in log
    print(f"\n{len(copies)} of {GROUPS} groups got their question through "
          f"{KILLS_WHILE_SENDING} kills, {duplicates} twice ({sum(on_its_way.values())} "
          f"on their way at a kill); {len(taps)} taps ({len(tapped)} "
          f"answers) all saved through {KILLS_WHILE_ANSWERING} kills, {len(said_saved)} "
          f"acknowledged")
