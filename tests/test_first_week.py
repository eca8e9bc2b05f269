"""A group's first week never ends with a summary of nothing (issue 25, item
9): reproduced, a weekly summary 1.3 s after the group's very first question
("No answers yet this week... 0 people answered") when the question time
equals the summary time. A week's summary now comes no sooner than a day
after the week's first question (still the summary of that week), and a
group never asked yet gets no summary at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, press

MONDAY_0900_MADRID = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # the group's first question
FRIDAY_1700_MADRID = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # before any question


def summaries_posted(harness) -> list[str]:
    return [visible_text(call.params["text"]) for call in harness.telegram.calls_to(
        "sendMessage", chat_id=GROUP_ID) if call.ok and "📊" in call.params["text"]]


async def test_the_first_summary_waits_a_day_when_the_question_and_summary_times_meet(
        harness, group):
    u = harness.updates
    # Questions on Mondays at 09:00 (Madrid), and the summary then too.
    await harness.send(u.command(group.chat, group.ana, "/summarytime mon 09:00"))
    assert (await harness.store.chats.get(GROUP_ID)).next_summary_at == MONDAY_0900_MADRID

    harness.clock.now = MONDAY_0900_MADRID
    report = await harness.tick()
    assert report.sent == 1
    assert report.summaries == 0 and summaries_posted(harness) == []
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    question = harness.telegram.message(GROUP_ID, prompt.message_id)
    for person, value in ((group.bruno, 4), (group.carla, 5), (group.dev, 3)):
        await press(harness, group.chat, person, question, f"1|r|{prompt.id}|{value}")

    # Through the day, nothing; a day after the question (a tick a little
    # late, as ticks are), that week's summary with its answers.
    for hours in (1, 12, 23):
        harness.clock.now = MONDAY_0900_MADRID + timedelta(hours=hours)
        assert (await harness.tick()).summaries == 0
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=1, minutes=3)
    assert (await harness.tick()).summaries == 1
    [summary] = summaries_posted(harness)
    assert "Week of 9 March 2026" in summary
    assert "No answers yet" not in summary
    assert "3 people answered" in summary or "3 answered" in summary, summary

    # Once: the next summary is the next Monday's.
    assert (await harness.store.chats.get(GROUP_ID)).next_summary_at == (
        MONDAY_0900_MADRID + timedelta(days=7))
    harness.clock.advance(hours=1)
    assert (await harness.tick()).summaries == 0


async def test_a_group_not_asked_yet_gets_no_summary(harness, group):
    # Set up on Monday 2 March; its first question comes Monday 9 March and
    # the default summary time (Friday 17:00) falls in between.
    chat = await harness.store.chats.get(GROUP_ID)
    assert chat.next_summary_at == FRIDAY_1700_MADRID
    harness.clock.now = FRIDAY_1700_MADRID
    assert (await harness.tick()).summaries == 0
    assert summaries_posted(harness) == []
    assert (await harness.store.chats.get(GROUP_ID)).next_summary_at == (
        FRIDAY_1700_MADRID + timedelta(days=7))

    # Once asked, the Friday summary comes as ever.
    harness.clock.now = MONDAY_0900_MADRID
    assert (await harness.tick()).sent == 1
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=7)
    assert (await harness.tick()).summaries == 1
    assert "Week of 9 March 2026" in summaries_posted(harness)[0]


async def test_a_week_without_a_question_after_earlier_ones_still_gets_its_summary(
        harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    assert (await harness.tick()).sent == 1
    await harness.send(harness.updates.command(group.chat, group.ana, "/pause"))
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=7)
    assert (await harness.tick()).summaries == 1
    # The next week: paused, nothing asked, and still told how the week went.
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=14)
    assert (await harness.tick()).summaries == 1
    assert "Week of 16 March 2026" in summaries_posted(harness)[-1]


async def test_a_first_question_asked_just_before_the_summary_holds_it_too(harness, group):
    # /ask on Friday at 16:55, the summary at 17:00: that week's summary comes
    # a day after the question, and says what people answered.
    harness.clock.now = FRIDAY_1700_MADRID - timedelta(minutes=5)
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    question = harness.telegram.message(GROUP_ID, prompt.message_id)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|5")
    harness.clock.now = FRIDAY_1700_MADRID
    assert (await harness.tick()).summaries == 0
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=1)
    assert (await harness.tick()).summaries == 1
    assert "Week of 2 March 2026" in summaries_posted(harness)[0]


async def test_a_late_question_after_an_outage_does_not_hold_the_summary_further(
        harness, group):
    # Monday's question went out only on Friday at 17:00 (the bot was down
    # all week): counted from when it was due, the summary comes as ever.
    harness.clock.now = MONDAY_0900_MADRID
    assert (await harness.tick()).sent == 1
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=7)
    assert (await harness.tick()).summaries == 1
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=14)  # Friday 20 March
    report = await harness.tick()
    assert report.sent == 1  # the catch-up question for Monday 16 March
    assert report.summaries == 1
    assert "Week of 16 March 2026" in summaries_posted(harness)[-1]
