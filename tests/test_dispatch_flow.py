"""The tick as a flow: questions go out while the rest are still being
recorded, the report stays complete, and new questions go before last
week's closing edits."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.services import dispatch, outbox
from bot.services.delivery import Outcome
from bot.services.tick import dispatch_tick

DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
FIRST_CHAT = -200_000


@pytest.fixture
def settings(settings):
    # Few chats at a time, so that many claims and many chats' turns meet.
    return dataclasses.replace(settings, dispatch_concurrency=4)


async def seed_groups(harness, count: int) -> list[int]:
    """`count` groups, each with its first question due at DUE."""
    chats = []
    for number in range(count):
        chat_id = FIRST_CHAT - number
        await harness.store.chats.ensure(chat_id, kind="group", title=f"Group {number}",
                                         timezone="UTC", language="en")
        await harness.store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00")
        await harness.store.enrolments.start(chat_id, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00", next_due_at=DUE)
        chats.append(chat_id)
    return chats


async def test_questions_go_out_while_the_rest_are_still_recorded(harness, monkeypatch):
    chats = await seed_groups(harness, 60)
    monkeypatch.setattr(dispatch, "_BATCH", 10)  # six passes of planning
    events: list[tuple[str, int]] = []
    plan_one = dispatch.plan_one

    async def recorded_plan_one(data, enrolment, now):
        events.append(("planned", enrolment.chat_id))
        return await plan_one(data, enrolment, now)

    monkeypatch.setattr(dispatch, "plan_one", recorded_plan_one)
    harness.telegram.listeners.append(
        lambda call: call.method == "sendMessage"
        and events.append(("sent", call.params["chat_id"])))
    harness.clock.now = DUE + timedelta(seconds=30)
    report = await harness.tick()

    kinds = [kind for kind, _ in events]
    last_planned = len(kinds) - 1 - kinds[::-1].index("planned")
    assert "sent" in kinds[:last_planned], "nothing was sent before planning ended"
    assert kinds.index("sent") < 15, "the first question waited for a whole planning pass"
    # The report is as complete as when everything was planned first.
    assert sorted(chat for kind, chat in events if kind == "sent") == sorted(chats)
    assert report.opened == report.sent == 60
    assert len(report.outcomes) == 60
    assert all(outcome is Outcome.SENT for outcome in report.outcomes.values())
    assert report.delivery.total(Outcome.SENT) == 60
    assert await harness.store.outbox.counts() == {"sent": 60}


async def test_planning_keeps_only_a_little_ahead_of_the_sending(harness, monkeypatch):
    # Recording every question at the start would hold the event loop, and
    # the paced sends with it, for as long as it takes; it is spread out.
    await seed_groups(harness, 60)
    monkeypatch.setattr(dispatch, "_AHEAD", 5)
    monkeypatch.setattr(outbox, "_CLAIM", 2)
    planned = sent = 0
    gaps: list[int] = []
    plan_one = dispatch.plan_one

    async def recorded_plan_one(data, enrolment, now):
        nonlocal planned
        gaps.append(planned - sent)
        planned += 1
        return await plan_one(data, enrolment, now)

    def on_call(call):
        nonlocal sent
        sent += call.method == "sendMessage"

    send_question = harness.app.bot_data.senders["question"]

    async def slow_send_question(bot, data, item):
        await asyncio.sleep(0.02)  # slower than recording, as against Telegram
        return await send_question(bot, data, item)

    monkeypatch.setitem(harness.app.bot_data.senders, "question", slow_send_question)
    monkeypatch.setattr(dispatch, "plan_one", recorded_plan_one)
    harness.telegram.listeners.append(on_call)
    harness.clock.now = DUE + timedelta(seconds=30)
    report = await harness.tick()

    assert report.sent == 60
    # Ahead by at most _AHEAD, the rows claimed (twice dispatch_concurrency
    # and one claim) and the one being recorded.
    assert max(gaps) <= 5 + 2 * 4 + 2 + 1


async def test_new_questions_go_before_last_weeks_closing_edits(harness, monkeypatch):
    chats = await seed_groups(harness, 40)
    monkeypatch.setattr(dispatch, "_BATCH", 7)
    monkeypatch.setattr(outbox, "_CLAIM", 5)  # claims meet planning passes and each other
    harness.clock.now = DUE + timedelta(seconds=30)
    assert (await harness.tick()).sent == 40
    first_week = len(harness.telegram.calls)

    harness.clock.now = DUE + timedelta(weeks=1, seconds=30)
    report = await harness.tick()
    week = [call for call in harness.telegram.calls[first_week:]
            if call.method in ("sendMessage", "editMessageText")]
    methods = [call.method for call in week]
    assert methods.count("sendMessage") == methods.count("editMessageText") == 40
    assert methods == sorted(methods, key=lambda m: m != "sendMessage"), (
        "a closing edit went before a new question")
    assert report.sent == 40 and report.opened == 40
    assert sorted(call.params["chat_id"] for call in week if call.method == "sendMessage") \
        == sorted(chats)


async def test_a_planning_error_still_sends_what_was_recorded(harness, monkeypatch):
    await seed_groups(harness, 12)
    plan_one, planned = dispatch.plan_one, []

    async def failing_plan_one(data, enrolment, now):
        if len(planned) == 8:
            raise RuntimeError("a bug")
        planned.append(enrolment.id)
        return await plan_one(data, enrolment, now)

    monkeypatch.setattr(dispatch, "plan_one", failing_plan_one)
    harness.clock.now = DUE + timedelta(seconds=30)
    with pytest.raises(RuntimeError):
        await harness.tick()
    # Nothing is left running, nothing held: the eight recorded went out.
    assert await harness.store.outbox.counts() == {"sent": 8}
    assert len(harness.telegram.calls_to("sendMessage")) == 8
    monkeypatch.setattr(dispatch, "plan_one", plan_one)
    assert (await harness.tick()).sent == 4


async def test_a_group_that_becomes_a_supergroup_during_the_round_keeps_its_programme(
        harness, monkeypatch):
    # A send earlier in the same round can learn that a group became a
    # supergroup, after the tick read the group's programme as due: the
    # question goes to the supergroup, and the programme goes on running
    # (it once stopped for good, the group "gone").
    chats = await seed_groups(harness, 3)
    upgraded, supergroup = chats[1], -1009_000_000_001
    plan_one = dispatch.plan_one

    async def upgraded_meanwhile(data, enrolment, now):
        if enrolment.chat_id == upgraded:
            assert await data.store.chats.migrate(upgraded, supergroup)
        return await plan_one(data, enrolment, now)

    monkeypatch.setattr(dispatch, "plan_one", upgraded_meanwhile)
    harness.clock.now = DUE + timedelta(seconds=30)
    report = await harness.tick()

    assert report.opened == report.sent == 3
    assert [call.params["chat_id"] for call in harness.telegram.calls_to("sendMessage")
            if call.params["chat_id"] in (upgraded, supergroup)] == [supergroup]
    programme = await harness.store.enrolments.active_for(supergroup)
    assert programme.next_due_at == DUE + timedelta(weeks=1)
    assert len(await harness.store.prompts.list_for_chat(supergroup)) == 1


async def test_closing_soon_moments_piled_up_do_not_hold_back_the_first_question(
        harness, monkeypatch):
    # After downtime (or quiet hours ending at the question's time), last
    # week's questions reach their closing-soon moment in the very tick that
    # closes them: each is published before its question closes, and the
    # new questions need not wait for all of them.
    await seed_groups(harness, 30)
    monkeypatch.setattr(dispatch, "_BATCH", 10)
    harness.clock.now = DUE + timedelta(seconds=30)
    assert (await harness.tick()).sent == 30
    events: list[str] = []
    still_open: list[bool] = []

    async def hook(bot, data, prompt):
        events.append("soon")
        still_open.append((await data.store.prompts.get(prompt.id)).is_open)

    harness.app.bot_data.closing_soon_hooks.append(hook)
    harness.telegram.listeners.append(
        lambda call: call.method == "sendMessage" and events.append("sent"))
    harness.clock.now = DUE + timedelta(weeks=1, seconds=30)
    report = await harness.tick()

    assert report.closing_soon == 30 and still_open == [True] * 30
    assert report.sent == 30
    last_soon = len(events) - 1 - events[::-1].index("soon")
    assert "sent" in events[:last_soon], "every closing-soon moment went before any question"


async def test_the_tick_s_log_line_counts_what_failed(harness, caplog):
    """Refused, gone, kept for a retry: each counts as failed in the tick's line."""
    chats = await seed_groups(harness, 4)
    telegram = harness.telegram
    telegram.fail_next("sendMessage", error_code=400, chat_id=chats[0])  # refused
    telegram.kick_next("sendMessage", chat_id=chats[1])  # gone
    telegram.fail_next("sendMessage", error_code=502, chat_id=chats[2])  # kept for a retry
    harness.clock.now = DUE + timedelta(seconds=30)
    harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
    caplog.set_level(logging.INFO, logger="bot.services.tick")
    assert await harness.run_jobs("tick-now") == 1
    assert [r.getMessage() for r in caplog.records if r.name == "bot.services.tick"] == [
        "tick: 1 sent, 0 held for quiet hours, 3 failed, 0 closed"]


async def test_rows_a_replica_could_not_give_back_are_given_back_though_it_no_longer_leads(
        harness):
    # A round ended early while the database was away: its unsent rows stay
    # claimed by this process, to be given back at its next tick. If it lost
    # the lead meanwhile (the database's restart ended its lease), that next
    # tick must still give them back: the process is alive, so no one else
    # frees its claims, and a group went without its question for the
    # claim's whole lease.
    await seed_groups(harness, 3)
    store, data = harness.store, harness.app.bot_data
    harness.clock.now = DUE + timedelta(seconds=30)
    for enrolment in await store.enrolments.due(harness.clock.now):
        await dispatch.plan_one(data, enrolment, harness.clock.now)
    claimed = [item.id for item in await store.outbox.claim(harness.clock.now,
                                                            timedelta(minutes=15))]
    assert len(claimed) == 3
    data.leadership.unreleased.update(claimed)
    data.leadership.leading = False  # another replica leads now
    try:
        harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
        assert await harness.run_jobs("tick-now") == 1
    finally:
        data.leadership.leading = True
    assert data.leadership.unreleased == set()
    # Free for whoever leads: claimed again at once.
    assert sorted(item.id for item in await store.outbox.claim(
        harness.clock.now, timedelta(minutes=15))) == sorted(claimed)
