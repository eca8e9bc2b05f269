"""Group reflection end to end: a group of five, setup, questions and answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, ask, bot_message, last_text, make_group, press, run_setup


@pytest.fixture
async def group(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    return group


async def test_joining_a_group_welcomes_and_records_it(harness, group):
    welcome = last_text(harness, GROUP_ID)
    assert welcome.startswith("Hello, Riverside CSO!")
    assert "What I keep" in welcome and "/setup" in welcome
    # It fits on a phone screen; the details are in the private chat.
    assert len(welcome.split()) <= 60 and "Telegram id" not in welcome
    stored = await harness.store.chats.get(GROUP_ID)
    assert (stored.kind, stored.title, stored.active) == ("group", "Riverside CSO", True)

    await harness.send(harness.updates.bot_removed(group.chat, group.ana))
    assert (await harness.store.chats.get(GROUP_ID)).active is False


async def test_only_admins_may_set_up_and_the_wizard_ends_with_the_first_date(harness, group):
    await harness.send(harness.updates.command(group.chat, group.bruno, "/setup"))
    assert last_text(harness, GROUP_ID) == "Sorry, only the group's admins can do that."

    confirmation = await run_setup(harness, group)
    assert confirmation.startswith("✅ All set! This group will reflect on ")
    assert "Every week on Monday at 09:00 (Europe/Madrid)." in confirmation
    # Monday 2 March, 09:00 in Madrid: the first question is next Monday.
    assert "The first question will come on Monday 9 March at 09:00 (Europe/Madrid)." in (
        confirmation)
    assert "Coordinators will see only how many answered." in confirmation
    assert "David Towell" in confirmation  # the checklist is quoted with attribution

    store = harness.store
    chat = await store.chats.get(GROUP_ID)
    assert (chat.timezone, chat.language, chat.names_visible) == ("Europe/Madrid", "en", False)
    enrolment = await store.enrolments.active_for(GROUP_ID)
    assert (enrolment.pack_id, enrolment.cadence, enrolment.days, enrolment.local_time) == (
        "checklist-cso", "weekly", ("mon",), "09:00")
    assert enrolment.next_due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert await store.coordinators.is_coordinator(GROUP_ID, group.ana["id"])
    await harness.send(harness.updates.command(group.chat, group.bruno, "/coordinators"))
    assert "• Ana Admin" in last_text(harness, GROUP_ID)


async def test_setup_buttons_belong_to_the_admin_who_started_it(harness, group):
    harness.telegram.set_chat_member(GROUP_ID, group.carla, "administrator")
    await harness.send(harness.updates.command(group.chat, group.ana, "/setup"))
    wizard = bot_message(harness, GROUP_ID)
    answer = await press(harness, group.chat, group.carla, wizard, "1|s|p|theory-u")
    assert answer["text"] == "Only the admin who started this setup can answer it."
    answer = await press(harness, group.chat, group.ana, wizard, "1|s|t|09:00")  # wrong step
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    answer = await press(harness, group.chat, group.ana, wizard, "1|s|p|well-being")  # personal
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    await harness.send(harness.updates.command(group.chat, group.ana, "/timezone Mars/Olympus"))
    assert last_text(harness, GROUP_ID).startswith("“Mars/Olympus” is not a time zone I know.")


async def test_rerunning_setup_changes_settings_and_keeps_answers(harness, group):
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await run_setup(harness, group, timezone="America/Santiago", names="names")
    chat = await harness.store.chats.get(GROUP_ID)
    assert (chat.timezone, chat.names_visible) == ("America/Santiago", True)
    assert (await harness.store.answers.get(prompt.id, group.bruno["id"])).scale == 4
    enrolment = await harness.store.enrolments.active_for(GROUP_ID)
    assert enrolment.cursor == 1  # same programme: its place is kept


async def test_a_question_message_shows_theme_position_scale_and_private_link(harness, group):
    await run_setup(harness, group)
    await harness.send(harness.updates.command(group.chat, group.bruno, "/ask"))
    assert last_text(harness, GROUP_ID).startswith("Sorry, only this group's coordinators")

    question = await ask(harness, group)
    text = visible_text(question["text"])
    assert text.splitlines()[0] == "Defining valued outcomes · I (1 of 15)"
    assert ("How well has the CSO articulated its goals in terms of valued outcomes "
            "(e.g. making a positive difference in people’s lives)?") in text
    assert text.endswith("👥 Waiting for the first answer")
    rows = question["reply_markup"]["inline_keyboard"]
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    assert [b["text"] for b in rows[0]] == ["1 · Not yet", "2 · A little", "3 · Partly"]
    assert [b["text"] for b in rows[1]] == ["4 · Mostly", "5 · Very well", "Skip"]
    assert [b["callback_data"] for b in rows[0] + rows[1]] == [
        f"1|r|{prompt.id}|{v}" for v in (1, 2, 3, 4, 5, 0)]
    assert rows[2][0]["url"] == f"https://t.me/civic_reflect_bot?start=p{prompt.id}"
    # Each quote button carries the state it sets: pressed twice, it acts once.
    assert [(b["text"], b["callback_data"]) for b in rows[3]] == [
        ("💬 You may quote me", f"1|q|{prompt.id}|1"), ("🤐 Don't quote me", f"1|q|{prompt.id}|0")]


async def test_people_joining_and_leaving_are_counted_without_a_word(harness, group):
    u = harness.updates
    newcomer = u.user(610, "Fatima")
    joined = u.message(group.chat, group.ana, "")
    joined["message"].pop("text")
    joined["message"]["new_chat_members"] = [newcomer, {"id": 999, "is_bot": True,
                                                         "first_name": "OtherBot"}]
    await harness.send(joined)
    left = u.message(group.chat, group.bruno, "")
    left["message"].pop("text")
    left["message"]["left_chat_member"] = group.bruno
    await harness.send(u.command(group.chat, group.bruno, "/join"))
    await harness.send(left)
    members = await harness.store.members.list_current(GROUP_ID)
    assert [m.display_name for m in members] == ["Fatima"]
    assert (await harness.store.members.get(GROUP_ID, 602)).left_at is not None
    # The service messages got no answer: the last thing said was the /join reply.
    assert last_text(harness, GROUP_ID) == "Welcome, Bruno: you now count as a member here."
