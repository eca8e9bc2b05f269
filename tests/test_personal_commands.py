"""Personal commands, and keeping personal and group answers apart."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, make_group, press, run_setup
from helpers.personal import ROSA, at_local, next_prompt, onboard, texts_to


async def test_commands_before_any_programme(harness):
    rosa = harness.updates.user(ROSA, "Rosa")
    private = harness.updates.private_chat(rosa)
    for command in ("/skip", "/pause", "/resume"):
        await harness.send(harness.updates.command(private, rosa, command))
        assert texts_to(harness, ROSA)[-1] == (
            "You have no personal programme yet. Send /programme to choose one.")
    await harness.send(harness.updates.command(private, rosa, "/later"))
    assert texts_to(harness, ROSA)[-1].startswith("There is no prompt waiting")
    await harness.send(harness.updates.message(private, rosa, "hello"))
    assert texts_to(harness, ROSA)[-1].startswith("To answer a question, reply to it")


async def test_pause_skip_language_and_changing_programme(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    await harness.send(u.command(private, rosa, "/timezone America/Santiago"))

    await harness.send(u.command(private, rosa, "/pause"))
    assert texts_to(harness, ROSA)[-1].startswith("⏸ Paused.")
    harness.clock.now = at_local(2, 20)
    assert (await harness.tick()).sent == 0
    harness.clock.now = at_local(8, 20)  # Sunday: no recap while paused
    assert (await harness.tick()).summaries == 0
    await harness.send(u.command(private, rosa, "/resume"))
    # Said from today: the next prompt is Monday's, and today is Sunday.
    assert texts_to(harness, ROSA)[-1].startswith(
        "▶️ Welcome back. Your next prompt comes tomorrow at ")

    prompt, _ = await next_prompt(harness, at_local(9, 20))
    await harness.send(u.command(private, rosa, "/skip"))
    following = (await store.prompts.list_for_chat(ROSA))[-1]
    assert following.id != prompt.id and following.item_id != prompt.item_id
    assert (await store.answers.get(prompt.id, ROSA)).skipped is True
    await harness.send(u.message(private, rosa, "for the new one"))
    assert (await store.answers.get(following.id, ROSA)).text == "for the new one"

    await harness.send(u.command(private, rosa, "/language es"))
    assert texts_to(harness, ROSA)[-1] == "A partir de ahora te escribiré en español."
    await harness.send(u.command(private, rosa, "/language fr"))
    assert texts_to(harness, ROSA)[-1].startswith("Envía /idioma seguido de")

    # A new programme: the time zone is not asked again.
    await harness.send(u.command(private, rosa, "/programme"))
    wizard = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    for step, value in (("P", "well-being"), ("C", "days"), ("D", "tue"), ("D", "fri"),
                        ("D", "ok"), ("T", "08:00"), ("R", "none")):
        answer = await press(harness, private, rosa, wizard, f"1|s|{step}|{value}")
        assert "text" not in answer, (step, answer)
    enrolment = await store.enrolments.active_for(ROSA)
    assert (enrolment.pack_id, enrolment.cadence, enrolment.days) == (
        "well-being", "days", ("tue", "fri"))
    assert enrolment.next_due_at == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # Tue 08:00 CLT
    chat = await store.chats.get(ROSA)
    assert (chat.timezone, chat.next_recap_at) == ("America/Santiago", None)


async def test_personal_and_group_answers_never_mix(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    personal_prompt, _ = await next_prompt(harness, datetime(2026, 3, 2, 19, 0, tzinfo=UTC))

    group = make_group(harness)
    harness.telegram.set_chat_member(GROUP_ID, rosa, "member")
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    await harness.send(u.command(group.chat, group.ana, "/ask"))
    group_prompt = (await store.prompts.list_for_chat(GROUP_ID))[-1]
    await harness.send(u.command(private, rosa, f"/start p{group_prompt.id}"))
    invitation = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])

    # A plain message is for her own prompt; a reply to the group's question is for the group.
    await harness.send(u.message(private, rosa, "my own reflection"))
    assert texts_to(harness, ROSA)[-1].startswith("📓 Saved in your journal")
    await harness.send(u.reply(private, rosa, invitation, "for the group, privately"))
    assert "Riverside CSO" in texts_to(harness, ROSA)[-1]
    assert (await store.answers.get(personal_prompt.id, ROSA)).text == "my own reflection"
    group_answer = await store.answers.get(group_prompt.id, ROSA)
    assert (group_answer.text, group_answer.visibility) == ("for the group, privately",
                                                            "private")
    journal = await store.journal.all(ROSA)
    assert [entry.text for entry in journal] == ["my own reflection"]
    group_texts = [visible_text(c.params["text"]) for c in harness.telegram.calls_to(
        "sendMessage", chat_id=GROUP_ID)]
    assert not any("my own reflection" in text or "for the group" in text
                   for text in group_texts)


async def test_a_group_wizard_button_in_a_private_chat_is_refused(harness):
    rosa = harness.updates.user(ROSA, "Rosa")
    private = harness.updates.private_chat(rosa)
    await harness.send(harness.updates.command(private, rosa, "/start"))
    wizard = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    answer = await press(harness, private, rosa, wizard, "1|s|p|checklist-cso")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    assert await harness.store.enrolments.active_for(ROSA) is None
