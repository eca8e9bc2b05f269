"""A stop takes seconds, not a round: SIGTERM during a weekly round ends the
round between two sends, gives back what it had not sent, and the bot
stops; started again, it sends the rest, each question once.

python-telegram-bot's stop waits for the jobs running, so before, a stop
during a round waited for the whole round (a container manager kills the
process long before)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import threading
import time
from datetime import timedelta

import pytest

from bot.app import build_application
from bot.domain.clock import utc_now
from bot.runtime.lifecycle import running
from bot.sandbox.http_api import BotApiThread

from helpers.app import running as harness_running
from helpers.group import seed_due_groups
from helpers.processes import BotProcess, until
from helpers.rounds import make_due_groups, questions_by_chat, slow_telegram

GROUPS = 200
# Telegram answering each question this slowly, the round takes 100 s.
ANSWER_SECONDS = 0.5
# Generous against a busy machine, and far short of the round.
STOPPED_WITHIN = 30


@pytest.fixture
def settings(settings):
    # The tick runs as the JobQueue's job, as in production, a second after start.
    return dataclasses.replace(settings, dispatch_interval_seconds=3600)


async def test_sigterm_during_a_round_stops_between_two_sends_and_the_next_start_sends_the_rest(
        settings, telegram, clock, monkeypatch):
    app = build_application(settings, request=telegram, clock=clock)
    slow_telegram(monkeypatch, telegram, ANSWER_SECONDS)

    async def run_until_sigterm() -> None:
        async with running(app) as stop:
            chats.extend(await make_due_groups(app.bot_data.store, GROUPS, -1000,
                                               clock.now - timedelta(minutes=1)))
            await until(lambda: len(questions_by_chat(telegram)) >= 3, 60,
                        "the round's first questions")
            os.kill(os.getpid(), signal.SIGTERM)
            await stop.wait()

    chats: list[int] = []
    stopping = asyncio.create_task(run_until_sigterm())
    await asyncio.wait_for(stopping, STOPPED_WITHIN)

    before_restart = questions_by_chat(telegram)
    assert 3 <= len(before_restart) < GROUPS  # stopped mid-round
    monkeypatch.undo()  # Telegram answers at once again
    quick = dataclasses.replace(settings, dispatch_interval_seconds=0)
    async for harness in harness_running(quick, telegram, clock):
        # What went is written down; what did not waits, claimed by nobody.
        counts = await harness.store.outbox.counts()
        assert counts.get("sent") == len(before_restart)
        assert set(counts) <= {"sent", "pending"}
        await harness.tick()
        assert questions_by_chat(telegram) == {chat: 1 for chat in chats}
        assert await harness.store.outbox.counts() == {"sent": GROUPS}


@pytest.mark.slow
def test_the_real_program_stopped_by_sigterm_mid_round_exits_at_once_and_resumes(tmp_path):
    """`python -m bot run`, as Docker or systemd stop it: SIGTERM while a
    round of 300 questions goes out at half a second each (two and a half
    minutes' work) ends the process within seconds, cleanly; started again,
    it sends the rest, each question once."""
    database = tmp_path / "bot.sqlite3"
    asyncio.run(seed_due_groups(database, 300, -9000, utc_now() - timedelta(minutes=1)))
    with BotApiThread() as api:
        handle = api.telegram.handle

        async def slowly(api_method, params, files):
            answer = await handle(api_method, params, files)
            if api_method == "sendMessage" and slow.is_set():
                await asyncio.sleep(ANSWER_SECONDS)
            return answer

        slow = threading.Event()
        slow.set()
        api.telegram.handle = slowly
        bot = BotProcess(api.url, database, LOG_LEVEL="INFO")
        try:
            assert api.wait_for(lambda: len(questions_by_chat(api.telegram)) >= 3, 120)
            asked_to_stop = time.monotonic()
            code = bot.stop(signal.SIGTERM)  # killed, and the test fails, if not gone in 20 s
            took = time.monotonic() - asked_to_stop
        finally:
            if bot.process.poll() is None:
                bot.process.kill()
        before_restart = len(questions_by_chat(api.telegram))
        assert code == 0, bot.lines[-20:]
        assert before_restart < 300
        assert any("given back for the next one" in line for line in bot.lines), bot.lines[-20:]

        slow.clear()
        again = BotProcess(api.url, database)
        try:
            assert api.wait_for(lambda: len(questions_by_chat(api.telegram)) == 300, 120)
            assert again.stop(signal.SIGTERM) == 0
        finally:
            if again.process.poll() is None:
                again.process.kill()
        assert set(questions_by_chat(api.telegram).values()) == {1}
    assert not any("Traceback" in line for line in bot.lines + again.lines)
    print(f"\nSIGTERM after {before_restart} of 300 questions: exited in {took:.1f} s; "
          "the rest sent once after the restart")
