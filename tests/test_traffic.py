"""People first: the scheduled round's sends make way while updates are being
handled, and only for as long as `Traffic.longest`; replies someone is waiting
for never do."""

from __future__ import annotations

import asyncio

from telegram.ext import TypeHandler

from bot.runtime.traffic import Traffic
from bot.services import outbox
from bot.services.delivery import Attempt, Outcome

from helpers.rows import add_rows


async def scheduled_row(traffic: Traffic) -> None:
    """What the outbox's scheduled sender does before each row."""
    traffic.allot()
    await traffic.make_way()


async def test_with_no_update_in_hand_a_send_goes_at_once():
    traffic = Traffic(gap=0.01, longest=5)
    await asyncio.wait_for(scheduled_row(traffic), 0.5)
    assert traffic.waits == 0


async def test_a_send_waits_for_the_update_in_hand_and_goes_at_the_pause_after_it():
    traffic = Traffic(gap=0.01, longest=5)
    loop = asyncio.get_running_loop()
    traffic.began()
    senders = [asyncio.create_task(scheduled_row(traffic)) for _ in range(3)]
    await asyncio.sleep(0.1)
    assert not any(sender.done() for sender in senders)  # held while the update is in hand

    traffic.ended()
    ended_at = loop.time()
    await asyncio.wait_for(asyncio.gather(*senders), 1)
    # All three go together once no update has come for the gap; none before it.
    assert loop.time() - ended_at >= 0.01
    assert traffic.waits == 3


async def endless_updates(traffic: Traffic, stop: asyncio.Event) -> None:
    """Updates without a pause: the next is in hand before the last is done
    (so a busy moment of the machine cannot open a gap between them)."""
    traffic.began()
    try:
        while not stop.is_set():
            await asyncio.sleep(0.002)
            traffic.began()
            traffic.ended()
    finally:
        traffic.ended()


async def test_updates_that_keep_coming_hold_a_send_no_longer_than_longest():
    traffic = Traffic(gap=0.01, longest=0.2)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    updates = asyncio.create_task(endless_updates(traffic, stop))
    await asyncio.sleep(0.02)
    try:
        async def row_and_its_request() -> tuple[float, float]:
            traffic.allot()
            began = loop.time()
            await traffic.make_way()  # before the row's work
            first = loop.time() - began
            await traffic.make_way()  # before its request, in the same task
            return first, loop.time() - began

        first, waited = await asyncio.wait_for(row_and_its_request(), 2)
    finally:
        stop.set()
        await updates
    # The round is slowed, never starved: a row and its requests wait
    # `longest` at most, all together.
    assert 0.19 <= first < 0.4
    assert waited < 0.4


async def test_only_a_task_given_an_allotment_waits():
    traffic = Traffic(gap=0.01, longest=5)
    traffic.began()
    try:
        allotted = asyncio.create_task(scheduled_row(traffic))
        await asyncio.sleep(0.05)
        assert not allotted.done()
        # A reply, in any other task (here the test's own), goes at once.
        await asyncio.wait_for(traffic.make_way(), 0.05)
    finally:
        traffic.ended()
    await asyncio.wait_for(allotted, 1)


async def test_the_application_counts_an_update_as_in_hand_while_it_is_handled(harness):
    traffic = harness.app.bot_data.traffic
    seen: list[bool] = []

    async def look(update, context):
        seen.append(traffic.busy())

    harness.app.add_handler(TypeHandler(object, look), group=-50)
    await harness.send(harness.updates.message(
        {"id": -100_777, "type": "group", "title": "Riverside"},
        {"id": 4242, "is_bot": False, "first_name": "Ana"}, "hello"))
    assert seen == [True]
    await asyncio.sleep(traffic.gap * 2)
    assert not traffic.busy()


class TimedSender:
    """Records when each row's send began."""

    def __init__(self):
        self.began: dict[int, float] = {}

    async def __call__(self, bot, data, item) -> Attempt:
        self.began[item.id] = asyncio.get_running_loop().time()
        return Attempt(Outcome.SENT, item.chat_id)


async def _rows(harness, count: int) -> list[int]:
    """A question row in each of `count` chats."""
    per_chat = await add_rows(harness, [-5_000 - number for number in range(count)], per_chat=1)
    return [row for rows in per_chat.values() for row in rows]


async def test_the_scheduled_round_waits_for_updates_in_hand_and_a_handler_s_send_does_not(
        harness, monkeypatch):
    traffic = harness.app.bot_data.traffic
    monkeypatch.setattr(traffic, "longest", 5.0)
    sender = TimedSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    loop = asyncio.get_running_loop()
    scheduled_rows = await _rows(harness, 3)

    traffic.began()  # an update is being handled
    released_at = None
    try:
        flushing = asyncio.create_task(outbox.flush(harness.app.bot, harness.app.bot_data,
                                                    ids=scheduled_rows, scheduled=True))
        # A handler's own send goes while the update is in hand.
        handler_row = await harness.store.outbox.add("test:reply", "question", -5_000)
        handler_report = await asyncio.wait_for(
            outbox.send_now(harness.app.bot, harness.app.bot_data, [handler_row]), 2)
        assert handler_report.total(Outcome.SENT) == 1
        await asyncio.sleep(0.2)
        assert set(sender.began) == {handler_row}  # the round's rows are held
    finally:
        traffic.ended()
        released_at = loop.time()
    report = await asyncio.wait_for(flushing, 5)
    assert report.total(Outcome.SENT) == 3
    assert all(sender.began[row] >= released_at for row in scheduled_rows)


async def test_the_scheduled_round_s_requests_make_way_in_the_rate_limiter(harness, monkeypatch):
    """A scheduled send's request itself waits for the pause (an update that
    arrives while its message is being built), a reply's request does not."""
    traffic = harness.app.bot_data.traffic
    monkeypatch.setattr(traffic, "longest", 5.0)
    bot = harness.app.bot
    chat_id = -5_100
    loop = asyncio.get_running_loop()

    traffic.began()
    try:
        # A reply, in the handler's own context: goes at once.
        await asyncio.wait_for(bot.send_message(chat_id, "a reply"), 2)

        async def scheduled_send():
            traffic.allot()  # as the outbox does before a row
            await bot.send_message(chat_id, "the round's summary")
            return loop.time()

        sending = asyncio.create_task(scheduled_send())
        await asyncio.sleep(0.2)
        assert not sending.done()
        assert harness.telegram.texts(chat_id) == ["a reply"]
    finally:
        traffic.ended()
        released_at = loop.time()
    assert await asyncio.wait_for(sending, 2) >= released_at
    assert harness.telegram.texts(chat_id) == ["a reply", "the round's summary"]


async def test_under_updates_that_never_pause_the_round_still_goes_out(harness, monkeypatch):
    traffic = harness.app.bot_data.traffic
    monkeypatch.setattr(traffic, "longest", 0.2)
    sender = TimedSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    loop = asyncio.get_running_loop()
    rows = await _rows(harness, 40)  # more chats than are served at once (32)
    stop = asyncio.Event()
    updates = asyncio.create_task(endless_updates(traffic, stop))
    try:
        began = loop.time()
        report = await asyncio.wait_for(
            outbox.flush(harness.app.bot, harness.app.bot_data, scheduled=True), 5)
    finally:
        stop.set()
        await updates
    assert report.total(Outcome.SENT) == 40
    assert set(sender.began) == set(rows)
    # Each row waited out its allotment, and no longer.
    assert min(sender.began.values()) - began >= 0.19
    assert max(sender.began.values()) - began < 1.5


async def test_the_tick_s_round_is_the_scheduled_one(harness, monkeypatch):
    traffic = harness.app.bot_data.traffic
    monkeypatch.setattr(traffic, "longest", 5.0)
    sender = TimedSender()
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    rows = await _rows(harness, 2)
    traffic.began()
    try:
        ticking = asyncio.create_task(harness.tick())
        await asyncio.sleep(0.2)
        assert sender.began == {}
    finally:
        traffic.ended()
    await asyncio.wait_for(ticking, 5)
    assert set(sender.began) == set(rows)
