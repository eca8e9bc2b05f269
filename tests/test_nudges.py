"""Gentle reminders before a question closes: who, how, and how often."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fake_telegram import visible_text
from group_helpers import GROUP_ID, make_group, press, run_setup

from bot.domain.nudges import NudgeCandidate, plan_nudges

MONDAY_0900_MADRID = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def candidate(user_id: int, **overrides) -> NudgeCandidate:
    values = {"user_id": user_id, "name": f"P{user_id}", "answered": False, "quiet": False,
              "last_nudged_at": None, "has_private_chat": False}
    return NudgeCandidate(**{**values, **overrides})


def test_plan_skips_who_answered_asked_for_quiet_or_was_reminded_this_week():
    plan = plan_nudges([
        candidate(1),
        candidate(2, answered=True),
        candidate(3, quiet=True),
        candidate(4, last_nudged_at=NOW - timedelta(days=6, hours=23)),
        candidate(5, last_nudged_at=NOW - timedelta(days=7)),
        candidate(6, has_private_chat=True),
    ], NOW)
    assert [p.user_id for p in plan.in_group] == [1, 5]
    assert [p.user_id for p in plan.privately] == [6]


@pytest.fixture
async def group(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)  # weekly Monday 09:00 Madrid; window off
    for person in group.members[1:]:
        await harness.send(harness.updates.command(group.chat, person, "/join"))
    return group


async def open_question(harness):
    harness.clock.now = MONDAY_0900_MADRID
    await harness.tick()
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    return prompt, harness.telegram.message(GROUP_ID, prompt.message_id)


async def test_reminders_before_closing_privately_or_in_one_group_message(harness, group):
    prompt, question = await open_question(harness)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await press(harness, group.chat, group.carla, question, f"1|r|{prompt.id}|2")
    await harness.send(harness.updates.command(group.chat, group.dev, "/quiet"))
    # Eli has a private chat with the bot; Ana (coordinator) has not.
    eli_private = harness.updates.private_chat(group.eli)
    await harness.send(harness.updates.command(eli_private, group.eli, "/start"))

    # Three hours before the next question is 06:00 in Madrid, in quiet hours:
    # the reminders wait for 08:00, when quiet hours end.
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-3)
    assert (await harness.tick()).closing_soon == 0
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    report = await harness.tick()
    assert report.closing_soon == 1

    private = visible_text(harness.telegram.last("sendMessage", chat_id=group.eli["id"])
                           .params["text"])
    assert private.startswith("Hi Eli 👋 In Riverside CSO, 2 colleagues have shared a view")
    assert "4" not in private and "Bruno" not in private  # no ratings, no names
    in_group = harness.telegram.last("sendMessage", chat_id=GROUP_ID)
    assert visible_text(in_group.params["text"]).startswith(
        "Ana Admin: 2 colleagues have already shared a view on this question.")
    assert 'href="tg://user?id=601"' in in_group.params["text"]
    assert in_group.params["reply_parameters"]["message_id"] == prompt.message_id
    nudged = await harness.store.db.fetch_all("SELECT user_id, channel FROM nudges ORDER BY 1")
    assert [tuple(row) for row in nudged] == [(601, "group"), (605, "private")]

    # The same question never reminds twice.
    harness.clock.advance(minutes=30)
    before = len(harness.telegram.calls)
    await harness.tick()
    assert [c.method for c in harness.telegram.calls[before:]] == []


async def test_at_most_one_reminder_a_week_and_none_when_turned_off(harness, group):
    await open_question(harness)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    await harness.tick()
    first_round = (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0]
    assert first_round == 5  # everyone: no one answered, nobody is quiet

    # A coordinator closes and reopens quickly (window of 1 hour): a second question
    # closes within the week, but nobody is reminded again so soon.
    await harness.send(harness.updates.command(group.chat, group.ana, "/window 1"))
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7)
    await harness.tick()
    harness.clock.advance(minutes=1)
    await harness.tick()
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == first_round

    await harness.send(harness.updates.command(group.chat, group.bruno, "/nudges off"))
    assert "coordinators" in visible_text(harness.telegram.last("sendMessage").params["text"])
    await harness.send(harness.updates.command(group.chat, group.ana, "/nudges off"))
    assert (await harness.store.chats.get(GROUP_ID)).nudges_enabled is False


async def test_no_reminders_in_quiet_hours(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/quiethours 05:00 08:30"))
    await open_question(harness)  # 09:00 local: sent
    harness.clock.now = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # 07:00 Madrid: quiet
    report = await harness.tick()
    assert report.closing_soon == 0
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == 0
    harness.clock.now = datetime(2026, 3, 16, 7, 30, tzinfo=UTC)  # 08:30: quiet hours over
    assert (await harness.tick()).closing_soon == 1
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == 5
