"""The scheduler with a hand-moved clock: on time, once, across restarts,
downtime, quiet hours and Telegram's failures."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.app import build_application
from bot.sandbox.telegram import visible_text

from helpers.app import stop_app
from helpers.group import GROUP_ID, make_group, run_setup
from helpers.times import MONDAY_0900_MADRID


def questions_sent(harness, chat_id: int = GROUP_ID) -> list[str]:
    return [visible_text(c.params["text"]) for c in harness.telegram.calls_to(
        "sendMessage", chat_id=chat_id) if c.ok and "reply_markup" in c.params
        and "inline_keyboard" in c.params["reply_markup"]
        and " of 15" in visible_text(c.params["text"]).splitlines()[0]]


async def enrolment(harness):
    return await harness.store.enrolments.active_for(GROUP_ID)


async def test_a_question_comes_on_time_once_and_the_next_is_a_week_later(harness, group):
    harness.clock.now = MONDAY_0900_MADRID - timedelta(minutes=1)
    assert (await harness.tick()).sent == 0
    harness.clock.now = MONDAY_0900_MADRID
    report = await harness.tick()
    assert report.sent == 1
    assert questions_sent(harness)[0].splitlines()[0] == "Defining valued outcomes · I (1 of 15)"
    assert "A little late" not in questions_sent(harness)[0]
    assert (await harness.tick()).sent == 0  # the same minute again: nothing more
    assert (await enrolment(harness)).next_due_at == MONDAY_0900_MADRID + timedelta(days=7)

    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7)
    assert (await harness.tick()).sent == 1
    sent = questions_sent(harness)
    assert [text.splitlines()[0] for text in sent] == [
        "Defining valued outcomes · I (1 of 15)", "Defining valued outcomes · II (2 of 15)"]


async def test_48_hours_of_downtime_give_one_late_catch_up(harness, group):
    store = harness.store
    await store.chats.update(GROUP_ID, quiet_start="00:00", quiet_end="00:00")
    await harness.send(harness.updates.command(group.chat, group.ana, "/setup"))
    # Make it daily so 48 hours miss two slots.
    entry = await enrolment(harness)
    await store.enrolments.start(GROUP_ID, entry.pack_id, cadence="daily", days=[],
                                 local_time="09:00", next_due_at=MONDAY_0900_MADRID)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(hours=48, minutes=30)
    report = await harness.tick()
    assert report.sent == 1
    assert len(questions_sent(harness)) == 1
    assert "A little late" in questions_sent(harness)[0]
    # The note stays when the live count is edited.
    prompt = (await store.prompts.list_for_chat(GROUP_ID))[0]
    question = harness.telegram.message(GROUP_ID, prompt.message_id)
    await harness.send(harness.updates.callback(group.chat, group.bruno, question,
                                                f"1|r|{prompt.id}|4"))
    await harness.refresh_counts()
    edited = harness.telegram.last("editMessageText", chat_id=GROUP_ID).params["text"]
    assert "A little late" in visible_text(edited)
    assert "1 person has answered so far" in visible_text(edited)
    # Next: Thursday 09:00 Madrid, not the missed Tuesday or Wednesday.
    assert (await enrolment(harness)).next_due_at == datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    assert (await harness.tick()).sent == 0


async def test_a_restart_mid_dispatch_neither_repeats_nor_loses(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    # Telegram answers with server errors: the prompt is recorded, its send
    # waits in the outbox and is tried again with a growing pause.
    harness.telegram.network_error_next("sendMessage", times=3, chat_id=GROUP_ID)
    report = await harness.tick()
    assert report.outcomes == {(await enrolment(harness)).id: "retry"}
    assert questions_sent(harness) == []
    harness.clock.advance(seconds=20)
    assert (await harness.tick()).delivery.outcomes == {}  # not yet: 30 s first
    harness.clock.advance(seconds=10)
    assert list((await harness.tick()).delivery.outcomes.values()) == ["retry"]
    await harness.restart()  # the process dies; only the database survives
    harness.clock.advance(minutes=1)
    assert list((await harness.tick()).delivery.outcomes.values()) == ["retry"]
    harness.clock.advance(minutes=2)
    assert (await harness.tick()).sent == 1
    await harness.restart()
    harness.clock.advance(minutes=1)
    assert (await harness.tick()).sent == 0
    assert len(questions_sent(harness)) == 1
    prompts = await harness.store.prompts.list_for_chat(GROUP_ID)
    assert [(p.slot, p.item_id) for p in prompts] == [("2026-03-09T08:00:00Z", "cso-01")]


async def test_a_crash_after_sending_does_not_send_twice(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    assert (await harness.tick()).sent == 1
    entry = await enrolment(harness)
    # As if the process died after sending, before moving the schedule on.
    await harness.store.enrolments.set_next_due(entry.id, MONDAY_0900_MADRID)
    await harness.restart()
    harness.clock.advance(minutes=1)
    report = await harness.tick()  # the slot was opened before: it counts as handled
    assert (report.opened, report.sent) == (0, 0)
    assert len(questions_sent(harness)) == 1  # nothing new reached the group
    assert (await enrolment(harness)).next_due_at == MONDAY_0900_MADRID + timedelta(days=7)
    assert (await enrolment(harness)).cursor == 1


async def test_quiet_hours_hold_due_work_until_the_morning(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/quiethours 08:30 10:00"))
    assert "08:30–10:00" in visible_text(harness.telegram.last("sendMessage").params["text"])
    harness.clock.now = MONDAY_0900_MADRID
    report = await harness.tick()
    assert (report.sent, report.held) == (0, 1)
    assert (await enrolment(harness)).hold_until == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    harness.clock.now = datetime(2026, 3, 9, 8, 59, tzinfo=UTC)
    assert (await harness.tick()).sent == 0
    harness.clock.now = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Madrid
    assert (await harness.tick()).sent == 1
    assert (await enrolment(harness)).hold_until is None
    await harness.send(harness.updates.command(group.chat, group.bruno, "/quiethours off"))
    assert "coordinators" in visible_text(harness.telegram.last("sendMessage").params["text"])


async def test_a_removed_bot_stops_the_schedule(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    harness.telegram.kick_next("sendMessage", chat_id=GROUP_ID)
    report = await harness.tick()
    assert list(report.outcomes.values()) == ["gone"]
    assert (await harness.store.chats.get(GROUP_ID)).active is False
    harness.clock.advance(days=7)
    assert (await harness.tick()).outcomes == {}


async def test_a_group_upgraded_while_sending_gets_its_question_in_the_supergroup(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    new_id = -1009876543210
    harness.telegram.migrate_next("sendMessage", new_id, chat_id=GROUP_ID)
    assert (await harness.tick()).sent == 1
    assert questions_sent(harness, new_id)[0].splitlines()[0] == (
        "Defining valued outcomes · I (1 of 15)")
    assert await harness.store.chats.get(GROUP_ID) is None
    assert (await harness.store.enrolments.active_for(new_id)).next_due_at == (
        MONDAY_0900_MADRID + timedelta(days=7))


async def test_retry_after_is_honoured_and_the_question_still_goes_once(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    harness.telegram.rate_limit_next("sendMessage", retry_after=0, chat_id=GROUP_ID)
    assert list((await harness.tick()).outcomes.values()) == ["retry"]
    harness.clock.advance(seconds=30)
    assert (await harness.tick()).sent == 1
    attempts = harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)
    assert [c.ok for c in attempts[-2:]] == [False, True]
    assert len(questions_sent(harness)) == 1


async def test_a_refused_message_is_logged_and_does_not_stop_other_groups(
    harness, group, caplog
):
    other = make_group(harness, -100400)
    await harness.send(harness.updates.bot_added(other.chat, other.ana))
    await run_setup(harness, other)
    harness.clock.now = MONDAY_0900_MADRID
    harness.telegram.fail_next("sendMessage", error_code=400,
                               description="Bad Request: not enough rights to send text "
                               "messages to the chat", chat_id=GROUP_ID)
    with caplog.at_level(logging.WARNING, logger="bot.services.delivery"):
        report = await harness.tick()
    assert sorted(report.outcomes.values()) == ["refused", "sent"]
    assert len(questions_sent(harness, -100400)) == 1
    assert any("sendmessage to chat -100300: refused (bad request: not enough rights"
               in r.getMessage().lower()
               for r in caplog.records)
    # The refused occurrence is dropped; the group's next one is next week.
    assert (await enrolment(harness)).next_due_at == MONDAY_0900_MADRID + timedelta(days=7)


async def test_a_window_closes_questions_and_closing_soon_is_published_once(harness, group):
    published = []

    async def hook(bot, data, prompt):
        published.append(prompt.id)

    harness.app.bot_data.closing_soon_hooks.append(hook)
    await harness.send(harness.updates.command(group.chat, group.ana, "/window 24"))
    harness.clock.now = MONDAY_0900_MADRID
    await harness.tick()
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[0]
    assert prompt.closes_at == MONDAY_0900_MADRID + timedelta(hours=24)
    harness.clock.advance(hours=20)
    await harness.tick()
    assert published == []
    harness.clock.advance(hours=1)  # three hours before closing: 06:00 in Madrid, quiet
    await harness.tick()
    assert published == []
    harness.clock.advance(hours=2)  # 08:00: quiet hours are over, an hour before closing
    await harness.tick()
    await harness.tick()
    assert published == [prompt.id]
    harness.clock.advance(hours=1)
    report = await harness.tick()
    assert report.closed == 1
    closing = harness.telegram.last("editMessageText", chat_id=GROUP_ID)
    assert "This question has closed" in visible_text(closing.params["text"])
    assert (await harness.store.prompts.get(prompt.id)).closed_at == harness.clock.now


async def test_status_shows_the_next_time_in_the_groups_own_time(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/timezone America/Santiago"))
    text = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    assert text == ("This group's time zone is now America/Santiago.\n"
                    "Next question: Monday 2 March at 09:00 (America/Santiago)")


async def test_the_first_tick_comes_a_moment_after_the_bot_is_ready(settings, telegram, clock):
    """Built, then slow to get going (Telegram out of reach, a busy database):
    the repeating tick is scheduled once the bot is ready, so its first run is a
    moment away, not an interval after the build."""
    ticking = replace(settings, dispatch_interval_seconds=60)
    app = build_application(ticking, request=telegram, clock=clock)
    assert app.job_queue.get_jobs_by_name("dispatch") == ()
    await app.initialize()
    await app.post_init(app)
    await app.start()
    try:
        (job,) = app.job_queue.get_jobs_by_name("dispatch")
        # Time only passes: on a busy machine the first run is nearer still.
        assert job.next_t <= datetime.now(UTC) + timedelta(seconds=1.5)
    finally:
        await stop_app(app)
