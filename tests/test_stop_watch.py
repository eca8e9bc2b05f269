"""A stop that takes too long says where it is stuck (bot.runtime.stop_watch)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.runtime import stop_watch
from bot.sandbox.telegram import UpdateFactory
from bot.store import Store

from helpers.app import Harness, start_app, stop_app
from helpers.group import ask, make_group, run_setup


async def held_up(event: asyncio.Event) -> None:
    await waiting_deeper(event)


async def waiting_deeper(event: asyncio.Event) -> None:
    await event.wait()


async def test_the_tasks_still_running_are_logged_with_where_they_wait(caplog):
    event = asyncio.Event()
    task = asyncio.create_task(held_up(event), name="the-stuck-one")
    await asyncio.sleep(0)
    caplog.set_level(logging.WARNING, logger="bot.runtime.stop_watch")
    stop_watch.report_stuck_tasks(10)
    event.set()
    await task
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("still stopping 10 s after the signal:")
    stuck = [line for line in lines if "the-stuck-one" in line]
    assert len(stuck) == 1 and "test_stop_watch.py:" in stuck[0] and "held_up" in stuck[0]
    # The whole await chain, down to what it waits for.
    assert stuck[0].index("held_up") < stuck[0].index("waiting_deeper") < stuck[0].index(
        "locks.py:")


async def test_a_stop_that_ends_in_time_reports_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="bot.runtime.stop_watch")
    handle = stop_watch.watch_the_stop(0.05)
    handle.cancel()
    await asyncio.sleep(0.2)
    assert caplog.records == []
    handle = stop_watch.watch_the_stop(0.01)
    await asyncio.sleep(0.2)  # a guard, not a measure: the report comes when it is due
    assert caplog.records and "still stopping" in caplog.records[0].getMessage()


HANG = 60  # seconds: a guard against a stop that never ends, never a measure


async def test_a_stop_does_not_wait_for_a_reaction_held_at_telegram(settings, telegram, clock,
                                                                    monkeypatch, caplog):
    # A comment's ✍ waits for its group's turn at Telegram (a minute, at
    # worst); the stop gives such background sends a few seconds, then drops
    # them. It once waited for every one (the operator round's replica still
    # running 20 s after SIGTERM).
    harness = Harness(await start_app(settings, telegram, clock), telegram,
                      UpdateFactory(telegram), clock, settings)
    release = asyncio.Event()
    try:
        group = make_group(harness)
        await harness.send(harness.updates.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
        question = await ask(harness, group)
        request = telegram.do_request

        async def held_reactions(url, method, request_data=None, *args, **kwargs):
            if url.endswith("/setMessageReaction"):
                await release.wait()
            return await request(url, method, request_data, *args, **kwargs)

        monkeypatch.setattr(telegram, "do_request", held_reactions)
        comment = harness.updates.reply(group.chat, group.bruno, question, "We should meet")
        await harness.app.process_update(Update.de_json(comment, harness.app.bot))
        assert len(harness.app.bot_data.background) == 1  # the ✍, on its way
        caplog.set_level(logging.INFO, logger="bot.app")
        await asyncio.wait_for(stop_app(harness.app), HANG)
    finally:
        release.set()
    assert any("1 background sends" in record.getMessage() for record in caplog.records)
    # The comment itself was saved before the reaction was sent.
    store = await Store.open(settings.database, clock)
    try:
        answers = await store.db.fetch_all("SELECT text FROM answers")
    finally:
        await store.close()
    assert [row[0] for row in answers] == ["We should meet"]
