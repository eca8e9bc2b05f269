"""A personal programme rests when its prompts go unanswered: someone away
for a week comes back to one note, not a pile of prompts. Groups never rest
this way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.resting import REST_AFTER, should_rest
from bot.services import personal

from helpers.group import ask, make_group, run_setup
from helpers.personal import ROSA, onboard, texts_to

MADRID = ZoneInfo("Europe/Madrid")
REST_NOTE = ("⏸ Taking a break. Your last 3 prompts went unanswered, so I have paused them "
             "rather than fill this chat. Send /resume whenever you want them back.")


def evening(day: int) -> datetime:
    """20:00 in Madrid on 2026-03-`day`: Rosa's daily prompt time."""
    return datetime(2026, 3, day, 20, 0, tzinfo=MADRID).astimezone(UTC)


@pytest.mark.parametrize(("answered", "rests"), [
    ((), False),
    ((False, False), False),  # too few to tell
    ((False, False, False), True),
    ((False, False, False, True), True),  # only the newest count
    ((True, False, False), False),
    ((False, False, True), False),
])
def test_a_programme_rests_after_its_newest_prompts_all_went_unanswered(answered, rests):
    assert REST_AFTER == 3
    assert should_rest(answered) is rests


async def _rosa(harness):
    rosa = harness.updates.user(ROSA, "Rosa", language_code="en")
    private = harness.updates.private_chat(rosa)
    await onboard(harness, rosa, private)
    return rosa, private


async def _evening(harness, day: int):
    harness.clock.now = evening(day)
    return await harness.tick()


def prompts_sent(harness) -> list[str]:
    return [text for text in texts_to(harness, ROSA) if text.startswith("🌱 Theory U")]


async def test_three_unanswered_prompts_and_the_fourth_is_a_note_instead(harness):
    rosa, private = await _rosa(harness)
    for day in (2, 3, 4):
        assert (await _evening(harness, day)).sent == 1
    assert len(prompts_sent(harness)) == 3

    report = await _evening(harness, 5)
    assert report.sent == 0 and report.opened == 0
    assert len(prompts_sent(harness)) == 3
    notes = [text for text in texts_to(harness, ROSA) if text.startswith("⏸ Taking a break")]
    assert len(notes) == 1 and notes[0].startswith(REST_NOTE)
    enrolment = await harness.store.enrolments.active_for(ROSA)
    assert enrolment.paused

    # A week more away: nothing else arrives, the note is not repeated.
    for day in range(6, 13):
        await _evening(harness, day)
    assert len(prompts_sent(harness)) == 3
    assert sum(text.startswith("⏸") for text in texts_to(harness, ROSA)) == 1

    # Back: /resume, and the prompts come again at her time.
    harness.clock.now = evening(13) - timedelta(hours=2)
    await harness.send(harness.updates.command(private, rosa, "/resume"))
    assert texts_to(harness, ROSA)[-1].startswith("▶️ Welcome back.")
    assert (await _evening(harness, 13)).sent == 1
    assert len(prompts_sent(harness)) == 4
    # Resting starts counting afresh: the unanswered prompts before the
    # rest do not stop her programme again the next day.
    assert (await _evening(harness, 14)).sent == 1


@pytest.mark.parametrize("response", ["an answer", "/skip"])
async def test_any_response_among_the_last_three_keeps_the_prompts_coming(harness, response):
    rosa, private = await _rosa(harness)
    for day in (2, 3):
        assert (await _evening(harness, day)).sent == 1, day
    harness.clock.advance(minutes=5)
    await harness.send(harness.updates.message(private, rosa, "Here.")
                       if response == "an answer"
                       else harness.updates.command(private, rosa, "/skip"))
    answered_up_to = len(await harness.store.prompts.list_for_chat(ROSA))
    # Prompts keep coming until the three after her response went unanswered
    # (/skip itself opens the next one at once).
    day = 4
    while (await _evening(harness, day)).sent == 1:
        day += 1
    prompts = await harness.store.prompts.list_for_chat(ROSA)
    assert len(prompts) - (answered_up_to - (response == "/skip")) == REST_AFTER
    assert day == 4 + REST_AFTER - (response == "/skip")
    assert (await harness.store.enrolments.active_for(ROSA)).paused


async def test_the_note_is_not_sent_once_she_has_carried_on(harness):
    rosa, private = await _rosa(harness)
    for day in (2, 3, 4):
        await _evening(harness, day)
    enrolment = await harness.store.enrolments.active_for(ROSA)
    # The step that rests the programme records the note; she resumes
    # before it goes out (the sender reads the programme afresh).
    assert await harness.store.enrolments.rest_if_unanswered(
        enrolment.id, enrolment.next_due_at, key="rest:test")
    await harness.send(harness.updates.command(private, rosa, "/resume"))
    item = (await harness.store.outbox.claim(harness.clock.now, timedelta(minutes=5)))[0]
    assert item.kind == "rest"
    attempt = await personal.send_rest_note(harness.app.bot, harness.app.bot_data, item)
    assert attempt.reason == "running again"
    assert not any(text.startswith("⏸") for text in texts_to(harness, ROSA))


async def test_a_programme_due_again_meanwhile_is_not_rested_twice(harness):
    await _rosa(harness)
    for day in (2, 3, 4):
        await _evening(harness, day)
    enrolment = await harness.store.enrolments.active_for(ROSA)
    rest = harness.store.enrolments.rest_if_unanswered
    assert await rest(enrolment.id, enrolment.next_due_at, key="rest:a")
    # A second tick that read the same due programme changes nothing.
    assert not await rest(enrolment.id, enrolment.next_due_at, key="rest:b")
    assert (await harness.store.outbox.counts()).get("pending") == 1


async def test_a_group_never_rests(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    for _ in range(REST_AFTER + 2):
        await ask(harness, group)
    prompts = await harness.store.prompts.list_for_chat(group.chat["id"])
    assert len(prompts) == REST_AFTER + 2
    assert not (await harness.store.enrolments.active_for(group.chat["id"])).paused
