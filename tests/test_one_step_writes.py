"""One command, one transaction: what a command writes in several rows is
one step in the store (all or nothing), and a command delivered again
changes nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.records import Sighting

from helpers.group import GROUP_ID, bot_message, press
from helpers.personal import ROSA, onboard
from helpers.rows import make_group

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def make_person(store, user_id: int = 7) -> None:
    await store.chats.ensure(user_id, kind="private", title=None, timezone="UTC",
                             language="en")


async def sent(store, opened) -> None:
    """The question went out (one waiting to go out is the next question still)."""
    await store.outbox.question_sent(opened.sends[0], opened.prompt.id, 500 + opened.prompt.id)


async def test_a_change_of_settings_and_what_follows_is_all_or_nothing(store):
    await make_group(store, -100)
    enrolment = await store.enrolments.start(-100, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00",
                                             next_due_at=MONDAY)

    def broken_plan(enrolment, chat, last_opened):
        raise RuntimeError("the plan failed half way")

    with pytest.raises(RuntimeError):
        await store.programmes.change(
            -100, {"timezone": "America/Santiago"},
            follow=lambda chat: {"next_summary_at": MONDAY + timedelta(days=4)},
            plan=broken_plan)
    chat = await store.chats.get(-100)
    assert (chat.timezone, chat.next_summary_at) == ("UTC", None)

    seen = []

    def plan(enrolment, chat, last_opened):
        seen.append((enrolment.paused, chat.timezone, chat.next_summary_at, last_opened))
        return MONDAY + timedelta(days=7)

    await store.enrolments.set_paused(enrolment.id, True)
    changed = await store.programmes.change(
        -100, {"timezone": "America/Santiago"},
        follow=lambda chat: {"next_summary_at": MONDAY + timedelta(days=4)},
        paused=False, plan=plan)
    # The plan sees the chat as changed, and the programme as resumed.
    assert seen == [(False, "America/Santiago", MONDAY + timedelta(days=4), None)]
    assert changed.next_due == MONDAY + timedelta(days=7)
    assert changed.chat.timezone == "America/Santiago"
    after = await store.enrolments.get(enrolment.id)
    assert (after.paused, after.next_due_at) == (False, MONDAY + timedelta(days=7))


async def test_a_plan_that_leaves_the_programme_as_it_is_writes_nothing_of_it(store):
    await make_group(store, -100)
    enrolment = await store.enrolments.start(-100, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00",
                                             next_due_at=MONDAY)
    changed = await store.programmes.change(-100, plan=lambda *_: None)
    assert changed.next_due is None
    assert (await store.enrolments.get(enrolment.id)).next_due_at == MONDAY
    # A chat without a programme: nothing to plan.
    await make_group(store, -200)
    assert (await store.programmes.change(-200, plan=lambda *_: MONDAY)).next_due is None


async def test_a_wizard_finishes_once(store):
    await make_group(store, -100)
    await store.drafts.save(-100, 55, 7, {"step": "done"})

    async def finish():
        return await store.programmes.start(
            -100, draft_message_id=55, settings={"timezone": "Europe/Madrid", "language": "es"},
            follow=lambda chat: {"next_summary_at": MONDAY + timedelta(days=4)},
            pack_id="checklist-cso", cadence="weekly", days=["mon"], local_time="09:00",
            next_due_at=MONDAY, coordinator=7)

    first = await finish()
    assert (first.pack_id, first.next_due_at) == ("checklist-cso", MONDAY)
    chat = await store.chats.get(-100)
    assert (chat.timezone, chat.language, chat.next_summary_at) == (
        "Europe/Madrid", "es", MONDAY + timedelta(days=4))
    assert await store.coordinators.is_coordinator(-100, 7)
    assert await store.drafts.get(-100, 55) is None
    # The same last press again (a redelivered update): nothing changes.
    await store.chats.update(-100, language="en")
    assert await finish() is None
    assert (await store.chats.get(-100)).language == "en"
    assert (await store.enrolments.active_for(-100)).id == first.id


async def test_a_second_skip_delivered_again_passes_over_nothing_more(store):
    await make_person(store)
    enrolment = await store.enrolments.start(7, "well-being", cadence="daily", days=[],
                                             local_time="09:00", next_due_at=None)
    items = ["a", "b", "c"]
    first = await store.prompts.open_next(enrolment.id, "first", item_ids=items,
                                          edit_closed=False)
    await sent(store, first)
    skip = await store.prompts.open_next(enrolment.id, "skip:10", item_ids=items,
                                         edit_closed=False, pass_over=7)
    assert skip.created and skip.prompt.item_id == "b"
    assert (await store.answers.get(first.prompt.id, 7)).skipped is True
    again = await store.prompts.open_next(enrolment.id, "skip:10", item_ids=items,
                                          edit_closed=False, pass_over=7)
    assert not again.created and again.prompt.id == skip.prompt.id
    assert await store.answers.get(skip.prompt.id, 7) is None


async def test_an_answered_prompt_stays_answered_when_skipped(store):
    await make_person(store)
    enrolment = await store.enrolments.start(7, "well-being", cadence="daily", days=[],
                                             local_time="09:00", next_due_at=None)
    first = await store.prompts.open_next(enrolment.id, "first", item_ids=["a", "b"],
                                          edit_closed=False)
    await sent(store, first)
    await store.answers.record(first.prompt.id, 7, text="said", visibility="private")
    await store.prompts.open_next(enrolment.id, "skip:11", item_ids=["a", "b"],
                                  edit_closed=False, pass_over=7)
    answer = await store.answers.get(first.prompt.id, 7)
    assert (answer.text, answer.skipped) == ("said", False)


async def test_who_is_seen_is_written_with_what_they_did(store):
    await make_group(store, -100)
    seen = Sighting(-100, "Bruno", "bruno")
    assert await store.coordinators.appoint(-100, 8, seen, added_by=7)
    assert not await store.coordinators.appoint(-100, 8, seen, added_by=7)
    assert (await store.members.get(-100, 8)).display_name == "Bruno"
    assert [c.added_by for c in await store.coordinators.list(-100)] == [7]

    assert await store.members.set_quiet(-100, 9, True, seen_as=Sighting(-100, "Carla", None))
    assert (await store.members.get(-100, 9)).quiet is True

    await store.drafts.save(-100, 60, 10, {"step": "p"}, seen_as=Sighting(-100, "Dev", None))
    assert (await store.members.get(-100, 10)).display_name == "Dev"
    assert await store.drafts.get(-100, 60) == (10, {"step": "p"})

    await store.members.seen_all(-100, [(11, "Eli", None), (12, "Fer", "fer")])
    assert [m.display_name for m in await store.members.list_current(-100)] == [
        "Bruno", "Carla", "Dev", "Eli", "Fer"]


async def test_both_private_copies_of_a_question_are_linked_at_once(store):
    await make_group(store, -100)
    await make_person(store)
    enrolment = await store.enrolments.start(-100, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00",
                                             next_due_at=None)
    opened = await store.prompts.open_next(enrolment.id, "s", item_ids=["cso-01"],
                                           edit_closed=True)
    await store.prompts.link_private_messages(7, [30, 31], opened.prompt.id)
    for message_id in (30, 31):
        assert (await store.prompts.by_private_message(7, message_id)).id == opened.prompt.id


# --- commands, end to end ----------------------------------------------------------


def count_transactions(harness, monkeypatch) -> list[int]:
    """How many transactions the store opens, as a list to read after each update."""
    opened = [0]
    db = harness.store.db
    original = db.transaction

    def counted():
        opened[0] += 1
        return original()

    monkeypatch.setattr(db, "transaction", counted)
    return opened


async def test_each_command_that_changes_things_is_one_transaction(harness, group, monkeypatch):
    u = harness.updates
    harness.telegram.set_chat_member(GROUP_ID, group.carla, "administrator")
    carla_says = u.message(group.chat, group.carla, "happy to help")
    await harness.send(carla_says)
    opened = count_transactions(harness, monkeypatch)
    commands = [
        (group.ana, "/timezone America/Santiago"),  # zone, next summary, next question
        (group.ana, "/summarytime thu 18:00"),  # day and time, next summary
        (group.ana, "/pause"), (group.ana, "/resume"),  # resumed and planned again
        (group.ana, "/window 24"), (group.ana, "/quiethours 22:00 07:00"),
        (group.ana, "/nudges off"),
        (group.bruno, "/quiet"),  # quiet, and seen as a member
        (group.bruno, "/join"),
    ]
    for person, text in commands:
        opened[0] = 0
        await harness.send(u.command(group.chat, person, text))
        assert opened[0] == 1, text
    opened[0] = 0
    await harness.send(u.message(group.chat, group.ana, "/coordinators add",
                                 reply_to=carla_says["message"]))
    assert opened[0] == 1  # a member, and a coordinator
    assert await harness.store.coordinators.is_coordinator(GROUP_ID, group.carla["id"])

    # /setup again: its last press sets the group up in one step.
    await harness.send(u.command(group.chat, group.ana, "/setup"))
    wizard = bot_message(harness, GROUP_ID)
    for step, value in (("p", "checklist-cso"), ("c", "daily"), ("t", "08:00"),
                        ("z", "Europe/Madrid"), ("l", "es")):
        await press(harness, group.chat, group.ana, wizard, f"1|s|{step}|{value}")
    opened[0] = 0
    await press(harness, group.chat, group.ana, wizard, "1|s|n|names")
    assert opened[0] == 1
    chat = await harness.store.chats.get(GROUP_ID)
    assert (chat.language, chat.names_visible) == ("es", True)
    # The same last press again: the wizard is finished, nothing changes.
    await press(harness, group.chat, group.ana, wizard, "1|s|n|counts")
    assert (await harness.store.chats.get(GROUP_ID)).names_visible is True


async def test_a_persons_commands_are_one_transaction_each(harness, monkeypatch):
    u = harness.updates
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    opened = count_transactions(harness, monkeypatch)
    for text in ("/timezone America/Santiago", "/pause", "/resume", "/language es"):
        opened[0] = 0
        await harness.send(u.command(private, rosa, text))
        assert opened[0] == 1, text
    chat = await harness.store.chats.get(ROSA)
    assert (chat.timezone, chat.timezone_chosen, chat.language) == (
        "America/Santiago", True, "es")
    enrolment = await harness.store.enrolments.active_for(ROSA)
    assert enrolment.paused is False and enrolment.next_due_at is not None
