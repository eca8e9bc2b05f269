"""A person's first two weeks of personal reflection, end to end."""

from __future__ import annotations

import json

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, make_group, press, run_setup
from helpers.personal import ROSA, at_local, next_prompt, onboard, texts_to


async def test_first_two_weeks(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)

    # Onboarding: programme, daily at 20:00, Madrid, recap on Sundays.
    done = await onboard(harness, rosa, private)
    assert done.startswith("✅ All set. You will reflect on Theory U: a learning journey.")
    assert "Every day at 20:00 (Europe/Madrid)." in done
    chat = await store.chats.get(ROSA)
    assert (chat.timezone, chat.timezone_chosen, chat.recap_day) == (
        "Europe/Madrid", True, "sun")

    # She moves to Santiago: prompts follow her clock.
    await harness.send(u.command(private, rosa, "/timezone America/Santiago"))
    assert texts_to(harness, ROSA)[-1].startswith("Your time zone is now America/Santiago.")
    enrolment = await store.enrolments.active_for(ROSA)
    assert enrolment.next_due_at == at_local(2, 20)

    # Day 1: a written answer, as her next message.
    prompt, message = await next_prompt(harness, at_local(2, 20))
    assert "reply_markup" not in message  # a written prompt has no buttons
    assert visible_text(message["text"]).startswith("🌱 Theory U: a learning journey · 1 of 14")
    harness.clock.advance(minutes=5)
    await harness.send(u.message(private, rosa, "I assumed the <b>council</b> won't listen."))
    assert texts_to(harness, ROSA)[-1].startswith("📓 Saved in your journal")
    saved = await store.answers.get(prompt.id, ROSA)
    assert (saved.text, saved.visibility) == ("I assumed the <b>council</b> won't listen.",
                                               "private")
    # A thought split over two messages: the second adds to the answer.
    await harness.send(u.message(private, rosa, "But I never asked them."))
    assert texts_to(harness, ROSA)[-1].startswith("📓 Added to your journal")
    assert (await store.answers.get(prompt.id, ROSA)).text == (
        "I assumed the <b>council</b> won't listen.\n\nBut I never asked them.")

    # Day 2: a voice note.
    prompt, message = await next_prompt(harness, at_local(3, 20))
    voice = u.message(private, rosa, "")
    voice["message"].pop("text")
    voice["message"]["voice"] = {"file_id": "AwACVoiceRosa", "file_unique_id": "v1",
                                 "duration": 30}
    await harness.send(voice)
    assert (await store.answers.get(prompt.id, ROSA)).voice_file_id == "AwACVoiceRosa"

    # Day 3: not now. The same prompt comes back an hour later.
    prompt, message = await next_prompt(harness, at_local(4, 20))
    await harness.send(u.command(private, rosa, "/later"))
    assert texts_to(harness, ROSA)[-1] == "⏰ Fine: I will ask again at 21:00."
    assert (await store.prompts.get(prompt.id)).closed_at is not None
    again, message = await next_prompt(harness, at_local(4, 21))
    assert again.item_id == prompt.item_id and again.id != prompt.id
    await harness.send(u.message(private, rosa, "Later, but here."))
    enrolment = await store.enrolments.active_for(ROSA)
    assert enrolment.next_due_at == at_local(5, 20)

    # Days 4 to 6, then the Sunday recap at her time.
    for day in (5, 6, 7):
        await next_prompt(harness, at_local(day, 20))
        harness.clock.advance(minutes=10)
        await harness.send(u.message(private, rosa, f"Thoughts on day {day}"))
    harness.clock.now = at_local(8, 20)
    report = await harness.tick()
    assert report.sent == 1 and report.summaries == 1
    recap = [text for text in texts_to(harness, ROSA) if "Your week in reflection" in text]
    assert len(recap) == 1
    assert "This week you answered 6 prompts:" in recap[0]
    assert "I assumed the <b>council</b>" in recap[0]  # shown as she typed it, escaped
    assert "A question for the week ahead" in recap[0]

    # Her journal, newest first, five to a page.
    await harness.send(u.command(private, rosa, "/journal"))
    first_page = harness.telegram.last("sendMessage", chat_id=ROSA)
    assert "Page 1 of 2" in visible_text(first_page.params["text"])
    assert visible_text(first_page.params["text"]).index("Thoughts on day 7") < visible_text(
        first_page.params["text"]).index("Thoughts on day 6")
    journal_message = harness.telegram.message(ROSA, first_page.result["message_id"])
    older = first_page.params["reply_markup"]["inline_keyboard"][0][-1]
    assert older["callback_data"] == "1|j|2|-"
    await press(harness, private, rosa, journal_message, older["callback_data"])
    second_page = visible_text(harness.telegram.last("editMessageText", chat_id=ROSA)
                               .params["text"])
    assert "Page 2 of 2" in second_page and "I assumed the <b>council</b>" in second_page
    await harness.send(u.command(private, rosa, "/journal well-being"))
    assert "No answers for Five ways to well-being yet." in texts_to(harness, ROSA)[-1]

    # Export: Markdown to read, JSON to keep.
    await harness.send(u.command(private, rosa, "/export"))
    markdown, as_json = (next(iter(c.files.values())).content.decode() for c in
                         harness.telegram.calls_to("sendDocument", chat_id=ROSA)[-2:])
    assert "I assumed the <b>council</b> won't listen." in markdown
    records = json.loads(as_json)
    assert len(records) == 6 and sum(1 for r in records if r["voice"]) == 1

    # She also answers in a group, then forgets everything.
    group = make_group(harness)
    harness.telegram.set_chat_member(GROUP_ID, rosa, "member")
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    await harness.send(u.command(group.chat, group.ana, "/ask"))
    question = (await store.prompts.list_for_chat(GROUP_ID))[-1]
    question_message = harness.telegram.message(GROUP_ID, question.message_id)
    await press(harness, group.chat, rosa, question_message, f"1|r|{question.id}|3")
    await press(harness, group.chat, rosa, question_message, f"1|r|{question.id}|4")
    await press(harness, group.chat, group.bruno, question_message, f"1|r|{question.id}|2")
    # An action Rosa made and took on stays in the group without her.
    await harness.send(u.command(group.chat, rosa, "/action Paint the fence"))
    card = harness.telegram.message(group.chat["id"], harness.telegram.last(
        "sendMessage", chat_id=group.chat["id"]).result["message_id"])
    action = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2]
    await press(harness, group.chat, rosa, card, f"1|a|{action}|vol")
    assert [o.user_id for o in await store.actions.owners(int(action))] == [ROSA]

    await harness.send(u.command(private, rosa, "/forget"))
    confirm = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    await press(harness, private, rosa, confirm, f"1|f|{ROSA}|1")
    assert visible_text(harness.telegram.last("editMessageText", chat_id=ROSA)
                        .params["text"]).startswith("Done: everything I kept about you")
    await assert_nothing_about(store, ROSA)
    assert (await store.answers.get(question.id, group.bruno["id"])).scale == 2
    assert (await store.actions.get(int(action))).text == "Paint the fence"


async def assert_nothing_about(store, user_id: int) -> None:
    checks = {
        "chats": "SELECT COUNT(*) FROM chats WHERE id = :u",
        "members": "SELECT COUNT(*) FROM members WHERE user_id = :u",
        "coordinators": "SELECT COUNT(*) FROM coordinators WHERE user_id = :u OR added_by = :u",
        "enrolments": "SELECT COUNT(*) FROM enrolments WHERE chat_id = :u",
        "prompts": "SELECT COUNT(*) FROM prompts WHERE chat_id = :u",
        "answers": "SELECT COUNT(*) FROM answers WHERE user_id = :u",
        "answer_edits": "SELECT COUNT(*) FROM answer_edits WHERE answer_id NOT IN"
                        " (SELECT id FROM answers)",
        "answer_parts": "SELECT COUNT(*) FROM answer_parts WHERE answer_id NOT IN"
                        " (SELECT id FROM answers)",
        "nudges": "SELECT COUNT(*) FROM nudges WHERE user_id = :u",
        "outbox": "SELECT COUNT(*) FROM outbox WHERE chat_id = :u",
        "setup_drafts": "SELECT COUNT(*) FROM setup_drafts WHERE user_id = :u OR chat_id = :u",
        "private_prompt_messages": "SELECT COUNT(*) FROM private_prompt_messages"
                                   " WHERE chat_id = :u",
        # Partnerships keep no person's id: only groups (a private chat is never one).
        "partner_codes": "SELECT COUNT(*) FROM partner_codes WHERE chat_id = :u",
        "partnerships": "SELECT COUNT(*) FROM partnerships"
                        " WHERE la_chat_id = :u OR cso_chat_id = :u",
        "parked_updates": "SELECT COUNT(*) FROM parked_updates",  # kept only until handled
        # An action outlives its owners and maker, without them.
        "actions": "SELECT COUNT(*) FROM actions WHERE created_by = :u",
        "action_owners": "SELECT COUNT(*) FROM action_owners WHERE user_id = :u",
        "design_ratings": "SELECT COUNT(*) FROM design_ratings WHERE user_id = :u",
        # A joint action ties two actions of two groups: no person's id.
        "joint_actions": "SELECT COUNT(*) FROM joint_actions WHERE la_action_id = :u"
                         " OR cso_action_id = :u",
        "joint_drafts": "SELECT COUNT(*) FROM joint_drafts WHERE user_id = :u",
        # What each replica offers of Telegram's rate: a process, no person.
        "rate_offers": "SELECT COUNT(*) FROM rate_offers",
    }
    tables = set(await store.db.tables()) - {"schema_version"}
    assert tables == set(checks), "a new table must be checked here too"
    for table, sql in checks.items():
        assert (await store.db.fetch_one(sql, {"u": user_id}))[0] == 0, table
