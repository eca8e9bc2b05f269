"""People first: the scheduled round's sends make way while updates are being
handled, and only for as long as `Traffic.longest`; replies someone is waiting
for never do.

Time here is a fake clock that moves only when a test moves it (FakeTime), so
what each test proves holds however slow or busy the machine: a send "held"
is held while the clock moves on, and a send that "goes at once" goes with
the clock standing still. Real time only bounds a wait for something that
must happen (HANG, `until`), never measures it."""

from __future__ import annotations

import asyncio
import math

import pytest
from telegram.ext import TypeHandler

from bot.runtime.traffic import Traffic
from bot.services import outbox
from bot.services.delivery import Attempt, Outcome

from helpers.processes import until
from helpers.rows import add_rows

# Binary fractions, so that the fake clock's sums are exact.
GAP = 1 / 16
LONGEST = 4.0
HANG = 30  # seconds: a guard against a test that hangs, never a measure


class FakeTime:
    """A clock that moves only when told (`advance`), and sleeps that end
    when it reaches them."""

    def __init__(self) -> None:
        # Takes over from the event loop's clock at its next whole second:
        # an update noted on the loop's clock is then in the past.
        self.now = float(math.ceil(asyncio.get_running_loop().time()) + 1)
        self._sleepers: list[tuple[float, asyncio.Future]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        entry = (self.now + seconds, asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        try:
            await entry[1]
        finally:
            self._sleepers.remove(entry)

    async def advance(self, seconds: float) -> None:
        """Move the clock on by `seconds`, ending each sleep at its own moment
        and letting what it woke run before moving on."""
        target = self.now + seconds
        while due := [at for at, wake in self._sleepers if at <= target and not wake.done()]:
            self.now = max(self.now, min(due))
            for at, wake in self._sleepers:
                if at <= self.now and not wake.done():
                    wake.set_result(None)
            for _ in range(20):  # loop turns, not time: what was woken runs
                await asyncio.sleep(0)
        self.now = target

    @property
    def sleeping(self) -> int:
        return len(self._sleepers)

    def stop(self) -> None:
        """End the sleeps still waiting (a watch left asleep when a test ends)."""
        for _, wake in self._sleepers:
            wake.cancel()


@pytest.fixture
async def fake_time():
    time = FakeTime()
    yield time
    time.stop()


def traffic_on(time: FakeTime, longest: float = LONGEST) -> Traffic:
    return Traffic(gap=GAP, longest=longest, clock=time.clock, sleep=time.sleep)


def the_bots_traffic_on(harness, time: FakeTime, monkeypatch, *, longest: float) -> Traffic:
    """The application's own Traffic (the one its rate limiter asks too), on `time`."""
    traffic = harness.app.bot_data.traffic
    for name, value in (("clock", time.clock), ("sleep", time.sleep), ("gap", GAP),
                        ("longest", longest)):
        monkeypatch.setattr(traffic, name, value)
    return traffic


async def scheduled_row(traffic: Traffic) -> None:
    """What the outbox's scheduled sender does before each row."""
    traffic.allot()
    await traffic.make_way()


async def updates_without_a_pause(traffic: Traffic, time: FakeTime) -> None:
    """An update every half gap, each handled in a moment: never a pause."""
    while True:
        traffic.began()
        traffic.ended()
        await time.sleep(GAP / 2)


async def test_with_no_update_in_hand_a_send_goes_at_once(fake_time):
    traffic = traffic_on(fake_time)
    await asyncio.wait_for(scheduled_row(traffic), HANG)  # the clock stands still
    assert traffic.waits == 0


async def test_a_send_waits_for_the_update_in_hand_and_goes_at_the_pause_after_it(fake_time):
    traffic = traffic_on(fake_time)
    traffic.began()
    senders = [asyncio.create_task(scheduled_row(traffic)) for _ in range(3)]
    await until(lambda: traffic.waits == 3, seconds=HANG)
    await fake_time.advance(4.5 * GAP)
    assert not any(sender.done() for sender in senders)  # held while the update is in hand

    traffic.ended()
    ended_at = fake_time.now
    await fake_time.advance(0.75 * GAP)
    assert not any(sender.done() for sender in senders)  # not before the gap
    await fake_time.advance(0.25 * GAP)
    # All three go together once no update has come for the gap (the clock
    # stands still at that moment: they could go no later).
    await asyncio.wait_for(asyncio.gather(*senders), HANG)
    assert fake_time.now - ended_at == GAP
    assert traffic.waits == 3


async def test_updates_that_keep_coming_hold_a_send_no_longer_than_longest(fake_time):
    traffic = traffic_on(fake_time, longest=0.5)
    updates = asyncio.create_task(updates_without_a_pause(traffic, fake_time))
    try:
        async def row_and_its_request() -> tuple[float, float]:
            traffic.allot()
            began = fake_time.now
            await traffic.make_way()  # before the row's work
            first = fake_time.now - began
            await traffic.make_way()  # before its request, in the same task
            return first, fake_time.now - began

        row = asyncio.create_task(row_and_its_request())
        await until(lambda: traffic.waits == 1, seconds=HANG)
        await fake_time.advance(0.5 - GAP / 2)
        assert not row.done() and traffic.busy()  # the updates keep coming
        await fake_time.advance(GAP / 2)
        first, waited = await asyncio.wait_for(row, HANG)
    finally:
        updates.cancel()
    # The round is slowed, never starved: a row and its requests wait
    # `longest` at most, all together (the request did not wait again).
    assert first == waited == 0.5
    assert traffic.waits == 1


async def test_a_row_s_time_at_work_is_not_taken_from_its_waits(fake_time):
    """A digest's parts: its first request went at once, then it worked
    (drew, waited on Telegram) longer than `longest`; its next request,
    coming in the middle of a burst, still makes way, for what is left."""
    traffic = traffic_on(fake_time, longest=0.5)

    async def row_of_parts() -> float:
        traffic.allot()
        await traffic.make_way()  # no update in hand: at once
        await fake_time.sleep(2.0)  # at work, four times `longest`
        traffic.began()  # a tap arrives
        began = fake_time.now
        await traffic.make_way()  # the next part's request
        return fake_time.now - began

    row = asyncio.create_task(row_of_parts())
    await until(lambda: fake_time.sleeping, seconds=HANG)  # at work
    await fake_time.advance(2.0)
    await until(lambda: traffic.waits == 1, seconds=HANG)
    await fake_time.advance(0.25)
    assert not row.done()  # held while the tap is in hand
    traffic.ended()
    await fake_time.advance(GAP)
    assert await asyncio.wait_for(row, HANG) == 0.25 + GAP


async def test_a_row_waits_longest_at_most_over_all_its_requests(fake_time):
    traffic = traffic_on(fake_time, longest=0.5)
    updates = asyncio.create_task(updates_without_a_pause(traffic, fake_time))
    try:
        async def row_of_three_requests() -> list[float]:
            traffic.allot()
            waited = []
            for _ in range(3):
                began = fake_time.now
                await traffic.make_way()
                waited.append(fake_time.now - began)
                await fake_time.sleep(1.0)  # the request on its way
            return waited

        row = asyncio.create_task(row_of_three_requests())
        await until(lambda: traffic.waits == 1, seconds=HANG)
        # Cut short by a pause? No: the updates never pause. The first
        # request waits the whole allotment; the others, nothing.
        await fake_time.advance(0.5 + 3.0)
        waits = await asyncio.wait_for(row, HANG)
    finally:
        updates.cancel()
    assert waits == [0.5, 0, 0]
    assert traffic.waits == 1


async def test_only_a_task_given_an_allotment_waits(fake_time):
    traffic = traffic_on(fake_time)
    traffic.began()
    try:
        allotted = asyncio.create_task(scheduled_row(traffic))
        await until(lambda: traffic.waits == 1, seconds=HANG)
        # A reply, in any other task (here the test's own), goes at once:
        # the clock stands still.
        await asyncio.wait_for(traffic.make_way(), HANG)
        assert not allotted.done() and traffic.waits == 1
    finally:
        traffic.ended()
    await fake_time.advance(GAP)
    await asyncio.wait_for(allotted, HANG)


async def test_the_application_counts_an_update_as_in_hand_while_it_is_handled(
        harness, fake_time, monkeypatch):
    traffic = the_bots_traffic_on(harness, fake_time, monkeypatch, longest=LONGEST)
    seen: list[bool] = []

    async def look(update, context):
        seen.append(traffic.busy())

    harness.app.add_handler(TypeHandler(object, look), group=-50)
    await harness.send(harness.updates.message(
        {"id": -100_777, "type": "group", "title": "Riverside"},
        {"id": 4242, "is_bot": False, "first_name": "Ana"}, "hello"))
    assert seen == [True]
    assert traffic.busy()  # it ended a moment ago
    await fake_time.advance(GAP)
    assert not traffic.busy()


class TimedSender:
    """Records when (on the fake clock) each row's send began."""

    def __init__(self, time: FakeTime):
        self.time = time
        self.began: dict[int, float] = {}

    async def __call__(self, bot, data, item) -> Attempt:
        self.began[item.id] = self.time.now
        return Attempt(Outcome.SENT, item.chat_id)


def _leading(harness) -> bool:
    leadership = harness.app.bot_data.leadership
    return leadership is None or leadership.leading


async def _rows(harness, count: int) -> list[int]:
    """A question row in each of `count` chats."""
    per_chat = await add_rows(harness, [-5_000 - number for number in range(count)], per_chat=1)
    return [row for rows in per_chat.values() for row in rows]


async def test_the_scheduled_round_waits_for_updates_in_hand_and_a_handler_s_send_does_not(
        harness, fake_time, monkeypatch):
    traffic = the_bots_traffic_on(harness, fake_time, monkeypatch, longest=LONGEST)
    sender = TimedSender(fake_time)
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    scheduled_rows = await _rows(harness, 3)

    traffic.began()  # an update is being handled
    try:
        flushing = asyncio.create_task(outbox.flush(harness.app.bot, harness.app.bot_data,
                                                    ids=scheduled_rows, scheduled=True))
        # A handler's own send goes while the update is in hand.
        handler_row = await harness.store.outbox.add("test:reply", "question", -5_000)
        handler_report = await asyncio.wait_for(
            outbox.send_now(harness.app.bot, harness.app.bot_data, [handler_row]), HANG)
        assert handler_report.total(Outcome.SENT) == 1
        await until(lambda: traffic.waits == 3, seconds=HANG)
        await fake_time.advance(1 + GAP / 2)  # not on the watch's beat
        assert set(sender.began) == {handler_row}  # the round's rows are held
    finally:
        traffic.ended()
    released_at = fake_time.now
    await fake_time.advance(GAP)
    report = await asyncio.wait_for(flushing, HANG)
    assert report.total(Outcome.SENT) == 3
    # At the pause after the update: not before it, nor later.
    assert all(sender.began[row] == released_at + GAP for row in scheduled_rows)


async def test_the_scheduled_round_s_requests_make_way_in_the_rate_limiter(
        harness, fake_time, monkeypatch):
    """A scheduled send's request itself waits for the pause (an update that
    arrives while its message is being built), a reply's request does not."""
    traffic = the_bots_traffic_on(harness, fake_time, monkeypatch, longest=LONGEST)
    bot = harness.app.bot
    chat_id = -5_100

    traffic.began()
    try:
        # A reply, in the handler's own context: goes at once.
        await asyncio.wait_for(bot.send_message(chat_id, "a reply"), HANG)

        async def scheduled_send():
            traffic.allot()  # as the outbox does before a row
            await bot.send_message(chat_id, "the round's summary")
            return fake_time.now

        sending = asyncio.create_task(scheduled_send())
        await until(lambda: traffic.waits == 1, seconds=HANG)
        await fake_time.advance(1 + GAP / 2)  # not on the watch's beat
        assert not sending.done()
        assert harness.telegram.texts(chat_id) == ["a reply"]
    finally:
        traffic.ended()
    released_at = fake_time.now
    await fake_time.advance(GAP)
    assert await asyncio.wait_for(sending, HANG) == released_at + GAP
    assert harness.telegram.texts(chat_id) == ["a reply", "the round's summary"]


async def test_under_updates_that_never_pause_the_round_still_goes_out(
        harness, fake_time, monkeypatch):
    traffic = the_bots_traffic_on(harness, fake_time, monkeypatch, longest=0.5)
    sender = TimedSender(fake_time)
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    width = harness.app.bot_data.settings.dispatch_concurrency
    rows = await _rows(harness, width + 8)  # more chats than are served at once
    updates = asyncio.create_task(updates_without_a_pause(traffic, fake_time))
    try:
        flushing = asyncio.create_task(
            outbox.flush(harness.app.bot, harness.app.bot_data, scheduled=True))
        # The chats served at once, then the rest: each row waits out its
        # allotment, and no longer.
        for served_before, served in ((0, width), (width, 8)):
            by_now = served_before + served
            # A round that ended (or failed) meanwhile shows how, not a timeout.
            await until(lambda n=by_now: traffic.waits == n or flushing.done(), seconds=HANG,
                        what=lambda n=by_now: f"{n} rows waiting (waits, began, leading: "
                        f"{traffic.waits}, {len(sender.began)}, {_leading(harness)})")
            assert not flushing.done(), (flushing.result(), traffic.waits, len(sender.began))
            allotted_at = fake_time.now
            await fake_time.advance(0.5 - GAP / 2)
            assert len(sender.began) == served_before  # held while the updates keep coming
            await fake_time.advance(GAP / 2)
            await until(lambda n=by_now: len(sender.began) == n, seconds=HANG)
            assert sorted(sender.began.values())[served_before:] == [allotted_at + 0.5] * served
        report = await asyncio.wait_for(flushing, HANG)
    finally:
        updates.cancel()
    assert report.total(Outcome.SENT) == width + 8
    assert set(sender.began) == set(rows)


async def test_the_tick_s_round_is_the_scheduled_one(harness, fake_time, monkeypatch):
    traffic = the_bots_traffic_on(harness, fake_time, monkeypatch, longest=LONGEST)
    sender = TimedSender(fake_time)
    monkeypatch.setitem(harness.app.bot_data.senders, "question", sender)
    rows = await _rows(harness, 2)
    traffic.began()
    try:
        ticking = asyncio.create_task(harness.tick())
        await until(lambda: traffic.waits == 2, seconds=HANG)
        await fake_time.advance(1 + GAP / 2)  # not on the watch's beat
        assert sender.began == {}
    finally:
        traffic.ended()
    await fake_time.advance(GAP)
    await asyncio.wait_for(ticking, HANG)
    assert set(sender.began) == set(rows)


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL's log is not the bot's to copy
async def test_the_database_log_waits_to_restart_until_no_update_is_in_hand(harness):
    """The bot wires its traffic to SQLite's checkpoints: a RESTART, which holds
    every write back, is put off while someone waits for the bot."""
    store, traffic = harness.app.bot_data.store, harness.app.bot_data.traffic
    checkpoints = store.db.checkpoints
    await store.chats.ensure(-1000, kind="group", title="x" * 1500, timezone="UTC",
                             language="en")
    checkpoints.restart_pages = 10**9
    _, pages, _ = await checkpoints.now()
    checkpoints.restart_pages = pages // 2  # the log is past its limit, not far past
    traffic.began()  # an update in hand
    await checkpoints.now()
    assert (checkpoints.restarts_tried, checkpoints.restarts_held) == (0, 1)
    traffic.ended()
    traffic.gap = 0.0  # the pause after it, at once
    await checkpoints.now()
    assert (checkpoints.restarts_tried, checkpoints.restarts_held) == (1, 1)
