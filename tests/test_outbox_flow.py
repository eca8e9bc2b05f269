"""The outbox's sender: sending never waits for a batch to finish, each
chat's rows go in order and one at a time across claims, and the most urgent
rows (new questions) start before the less urgent (closing edits)."""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest

from bot.services import outbox
from bot.services.delivery import Attempt, Outcome

from helpers.rows import add_rows


@pytest.fixture
def settings(settings):
    # Few chats at a time, so that many claims and many chats' turns meet.
    return dataclasses.replace(settings, dispatch_concurrency=4)


class RecordingSender:
    """Stands in for the question sender: takes a while (or waits to be let
    go), and records what it sent, when, and to how many chats at once."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.busy: set[int] = set()
        self.order: dict[int, list[int]] = {}
        self.overlaps: list[int] = []
        self.most_at_once = 0
        self.held: dict[int, asyncio.Event] = {}
        self.sent = 0
        self.others_sent = asyncio.Event()
        self.others = 0
        self.started: list[str] = []

    async def __call__(self, bot, data, item) -> Attempt:
        if item.chat_id in self.busy:
            self.overlaps.append(item.chat_id)
        self.busy.add(item.chat_id)
        self.most_at_once = max(self.most_at_once, len(self.busy))
        self.order.setdefault(item.chat_id, []).append(item.id)
        self.started.append(item.kind)
        try:
            if item.chat_id in self.held:
                await self.held[item.chat_id].wait()
            else:
                # A while, counted in turns of the event loop (not in time):
                # other chats' sends and the next claims go on meanwhile.
                for _ in range(self.rng.randrange(1, 8)):
                    await asyncio.sleep(0)
        finally:
            self.busy.discard(item.chat_id)
        self.sent += 1
        if item.chat_id not in self.held and self.sent >= self.others:
            self.others_sent.set()
        return Attempt(Outcome.SENT, item.chat_id)


async def test_each_chat_gets_its_rows_in_order_one_at_a_time_across_claims(
        harness, monkeypatch):
    monkeypatch.setattr(outbox, "_CLAIM", 5)
    sender = RecordingSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    rows = await add_rows(harness, [-n for n in range(1, 13)], per_chat=4)

    report = await outbox.flush(harness.app.bot, harness.app.bot_data)

    assert sender.overlaps == []
    assert sender.order == rows  # every row once, each chat's in the order recorded
    assert 1 < sender.most_at_once <= 4  # dispatch_concurrency
    assert report.total(Outcome.SENT) == 48
    assert await harness.store.outbox.counts() == {"sent": 48}


async def test_questions_claimed_with_closing_edits_all_start_first(harness, monkeypatch):
    sender = RecordingSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    monkeypatch.setitem(harness.app.bot_data.senders, "close", sender)
    chats = [-n for n in range(1, 11)]
    closes = await add_rows(harness, chats, per_chat=1, kind="close")
    questions = await add_rows(harness, chats, per_chat=1)

    report = await outbox.flush(harness.app.bot, harness.app.bot_data)  # one claim: all 20

    # Four chats at a time: a chat whose question went out waits with its
    # closing edit while other chats' questions are still to go.
    assert sender.started == ["question"] * 10 + ["close"] * 10
    assert sender.order == {chat: questions[chat] + closes[chat] for chat in chats}
    assert sender.overlaps == []
    assert report.total(Outcome.SENT) == 20


async def test_a_slow_send_holds_up_only_its_own_chat(harness, monkeypatch):
    monkeypatch.setattr(outbox, "_CLAIM", 5)
    sender = RecordingSender()
    sender.held[-1] = asyncio.Event()
    sender.others = 30
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    rows = await add_rows(harness, [-1], per_chat=2)
    rows.update(await add_rows(harness, [-n for n in range(2, 32)], per_chat=1))

    flushing = asyncio.create_task(outbox.flush(harness.app.bot, harness.app.bot_data))
    try:
        # The first claim's other rows, and every later claim's, go out
        # while chat 1's first send is still under way.
        await asyncio.wait_for(sender.others_sent.wait(), 30)
        assert sender.order[-1] == rows[-1][:1]
    finally:
        sender.held[-1].set()
    report = await asyncio.wait_for(flushing, 30)
    assert sender.order == rows
    assert sender.overlaps == []
    assert report.total(Outcome.SENT) == 32


async def test_send_now_sends_only_its_rows(harness, monkeypatch):
    sender = RecordingSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    rows = await add_rows(harness, [-1, -2, -3], per_chat=2)

    report = await outbox.send_now(harness.app.bot, harness.app.bot_data,
                                   [rows[-2][0], None, rows[-3][1]])

    assert sender.order == {-2: rows[-2][:1], -3: rows[-3][1:]}
    assert report.total(Outcome.SENT) == 2
    assert await harness.store.outbox.counts() == {"sent": 2, "pending": 4}


async def test_a_row_that_keeps_failing_is_given_up_after_its_last_try(harness, monkeypatch):
    async def refused_connection(bot, data, item) -> Attempt:
        return Attempt(Outcome.RETRY, item.chat_id, reason="network: ConnectError")

    monkeypatch.setitem(harness.app.bot_data.senders, "question", refused_connection)
    [row] = (await add_rows(harness, [-1], per_chat=1))[-1]
    seen = []
    for _ in range(outbox.MAX_ATTEMPTS):
        report = await outbox.flush(harness.app.bot, harness.app.bot_data)
        seen.append(report.outcomes[row])
        harness.clock.advance(hours=1)  # past the longest wait between tries
    assert seen == [Outcome.RETRY] * (outbox.MAX_ATTEMPTS - 1) + [Outcome.GIVEN_UP]
    assert report.total(Outcome.GIVEN_UP) == 1 and report.total(Outcome.RETRY) == 0
    assert await harness.store.outbox.counts() == {"failed": 1}
    assert (await outbox.flush(harness.app.bot, harness.app.bot_data)).outcomes == {}


def _row(row_id: int, kind: str):
    from datetime import UTC, datetime

    from bot.domain.records import OutboxItem

    moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return OutboxItem(id=row_id, key=f"{kind}:{row_id}", kind=kind, chat_id=-row_id,
                      prompt_id=None, subject_id=None, period=None, priority=1,
                      state="pending", attempts=0, progress=0, not_before=moment,
                      claimed_until=None, message_id=None, reason=None, created_at=moment,
                      done_at=None)


def test_a_flush_report_counts_every_row_and_keeps_only_what_someone_reads():
    """A round's tens of thousands of sent summaries and digests are counted,
    not kept one by one; questions (whose programmes hear what became of them)
    and anything that went wrong are kept by row."""
    report = outbox.FlushReport()
    for row_id in range(1, 1_001):
        report.count(_row(row_id, "digest"), Outcome.SENT)
    report.count(_row(2_001, "question"), Outcome.SENT)
    report.count(_row(2_002, "summary"), Outcome.RETRY)
    report.count(_row(2_003, "summary"), Outcome.REFUSED)
    assert report.sent_by_kind == {"digest": 1_000, "question": 1}
    assert report.total(Outcome.SENT) == 1_001
    assert report.outcomes == {2_001: Outcome.SENT, 2_002: Outcome.RETRY, 2_003: Outcome.REFUSED}
    # The summary tried again after its wait, in the same flush: counted once, as sent.
    report.count(_row(2_002, "summary"), Outcome.SENT)
    assert (report.total(Outcome.RETRY), report.total(Outcome.SENT)) == (0, 1_002)
    assert 2_002 not in report.outcomes and report.sent_by_kind["summary"] == 1
