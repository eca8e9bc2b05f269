"""A question Telegram took is written down as sent even when the database
is briefly away at that moment (a PostgreSQL failover, a busy SQLite file):
the write is tried again from memory, never the send. Before, the row stayed
claimed and went again once its claim lapsed."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from datetime import timedelta

import asyncpg

from bot.services import outbox
from bot.services.delivery import attempt

from helpers.app import running
from helpers.rounds import make_due_groups, questions_by_chat

GROUPS = 3


def database_away(backend: str) -> Exception:
    """What the driver raises while the database cannot take a write."""
    if backend == "sqlite":
        return sqlite3.OperationalError("database is locked")
    return asyncpg.exceptions.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation")


def failing_first(write, times: int, error: Exception, seen: list):
    """`write`, failing its first `times` calls with `error`."""

    async def flaky(*args):
        seen.append(args)
        if len(seen) <= times:
            raise error
        return await write(*args)

    return flaky


async def test_a_sent_question_is_written_down_when_the_database_is_back_and_never_resent(
        harness, backend, monkeypatch):
    chats = await make_due_groups(harness.store, GROUPS, -500,
                                  harness.clock.now - timedelta(minutes=1))
    writes: list = []
    monkeypatch.setattr(harness.store.outbox, "question_sent", failing_first(
        harness.store.outbox.question_sent, 4, database_away(backend), writes))

    report = await harness.tick()

    assert report.sent == GROUPS
    assert questions_by_chat(harness.telegram) == {chat: 1 for chat in chats}
    assert await harness.store.outbox.counts() == {"sent": GROUPS}
    for chat_id in chats:
        [prompt] = await harness.store.prompts.open_for_chat(chat_id)
        sent = harness.telegram.last("sendMessage", chat_id=chat_id)
        assert prompt.message_id == sent.result["message_id"]
    # Long after any claim would have lapsed, nothing goes again.
    harness.clock.advance(minutes=2 * outbox.LEASE.total_seconds() / 60)
    await harness.tick()
    assert questions_by_chat(harness.telegram) == {chat: 1 for chat in chats}
    assert len(writes) == GROUPS + 4


async def test_an_outcome_not_known_is_written_down_when_the_database_is_back(
        harness, backend, monkeypatch):
    """A question whose answer never came (it may have arrived) is recorded
    as unknown once the database takes it, and so never sent again."""
    [chat_id] = await make_due_groups(harness.store, 1, -600,
                                      harness.clock.now - timedelta(minutes=1))
    harness.telegram.network_error_next("sendMessage", after_delivery=True)
    writes: list = []
    monkeypatch.setattr(harness.store.outbox, "finish", failing_first(
        harness.store.outbox.finish, 2, database_away(backend), writes))

    await harness.tick()
    harness.clock.advance(minutes=2 * outbox.LEASE.total_seconds() / 60)
    await harness.tick()

    assert questions_by_chat(harness.telegram) == {chat_id: 1}
    assert await harness.store.outbox.counts() == {"unknown": 1}
    assert [args[1] for args in writes] == ["unknown"] * 3


async def test_a_part_delivered_is_written_down_before_the_next_part_goes(
        harness, backend, monkeypatch):
    """A message in several parts resumes after the parts delivered, even
    when writing that a part went failed at first."""
    [chat_id] = await make_due_groups(harness.store, 1, -700,
                                      harness.clock.now - timedelta(minutes=1))
    row = await harness.store.outbox.add("test:parts", "summary", chat_id)
    texts: list[str] = []

    async def in_three_parts(bot, data, item):
        sends = [lambda text=text: _send(bot, data, item, text, texts)
                 for text in ("one", "two", "three")]
        return await outbox.send_parts(data, item, sends)

    monkeypatch.setitem(harness.app.bot_data.senders, "summary", in_three_parts)
    writes: list = []
    monkeypatch.setattr(harness.store.outbox, "progressed", failing_first(
        harness.store.outbox.progressed, 3, database_away(backend), writes))

    await outbox.send_now(harness.app.bot, harness.app.bot_data, [row])

    assert texts == ["one", "two", "three"]
    assert (await harness.store.outbox.get(row)).state == "sent"
    assert (await harness.store.outbox.get(row)).progress == 3


async def _send(bot, data, item, text: str, texts: list[str]):
    result = await attempt(data, item.chat_id, "sendMessage",
                           lambda chat_id: bot.send_message(chat_id, text))
    texts.append(text)
    return result


async def unwritten_at_each_send(harness, monkeypatch) -> list[int]:
    """Run a round of 30 questions with Telegram slower than the pace; at
    each question Telegram takes, how many it took before are not yet
    written down as sent."""
    chats = await make_due_groups(harness.store, 30, -800,
                                  harness.clock.now - timedelta(minutes=1))
    handle = harness.telegram.handle
    unwritten: list[int] = []

    async def slowly(api_method, params, files):
        if api_method == "sendMessage":
            taken = sum(questions_by_chat(harness.telegram).values())
            written = (await harness.store.outbox.counts()).get("sent", 0)
            unwritten.append(taken - written)
        answer = await handle(api_method, params, files)
        await asyncio.sleep(0.02)  # slower than the pace: the answer takes a while
        return answer

    monkeypatch.setattr(harness.telegram, "handle", slowly)
    await harness.tick()
    assert questions_by_chat(harness.telegram) == {chat: 1 for chat in chats}
    assert len(unwritten) == len(chats)
    return unwritten


async def test_every_question_telegram_took_is_written_down_before_the_next_one_goes(
        harness, monkeypatch):
    """At most one send is on its way at any moment (from its request to
    its written outcome), however slowly Telegram answers: a crash then
    repeats at most one question. Before, with requests slower than the
    pace, the outbox had several on their way."""
    assert max(await unwritten_at_each_send(harness, monkeypatch)) == 0


async def test_sends_in_flight_bounds_what_a_crash_could_repeat(
        settings, telegram, clock, monkeypatch):
    """With `sends_in_flight` at 3, at most 3 are on their way: at most 2
    taken and not yet written when Telegram takes another."""
    wider = dataclasses.replace(settings, sends_in_flight=3)
    async for harness in running(wider, telegram, clock):
        unwritten = await unwritten_at_each_send(harness, monkeypatch)
    assert max(unwritten) <= 2
    assert max(unwritten) > 0  # several did go at once


async def test_a_row_whose_sender_meets_the_database_away_goes_again_at_the_next_round(
        harness, backend, monkeypatch):
    """The database goes away after the claim and before the request (the
    sender reads the question): nothing reached Telegram, so the row is given
    back for the next round. Before, it stayed claimed for the claim's whole
    lease (fifteen minutes), a group without its question meanwhile."""
    [chat_id] = await make_due_groups(harness.store, 1, -700,
                                      harness.clock.now - timedelta(minutes=1))
    reads: list = []
    # An error of SQLite's on both backends: the fake read is not the driver's.
    monkeypatch.setattr(harness.store.prompts, "get", failing_first(
        harness.store.prompts.get, 1, database_away("sqlite"), reads))

    await harness.tick()
    assert questions_by_chat(harness.telegram) == {}
    await harness.tick()  # the next round, well within the lease
    assert questions_by_chat(harness.telegram) == {chat_id: 1}
    assert await harness.store.outbox.counts() == {"sent": 1}
