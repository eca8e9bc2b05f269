"""Groups are walled off from each other, journals from groups, and logs from
what people wrote: an admin of one group sees or changes nothing of another,
a personal journal reaches no group, and neither the token nor anyone's words
appear in the log."""

from __future__ import annotations

import logging

from bot.sandbox.telegram import visible_text

from helpers.group import ask, make_group, press, run_setup
from helpers.personal import ROSA, onboard

A, B = -100_510, -100_520
JOURNAL_WORDS = "my private worry about the council"


async def two_groups(harness):
    u = harness.updates
    first, second = make_group(harness, A), make_group(harness, B)
    second.ana = u.user(620, "Zoe", "Admin")  # B's own admin and coordinator
    harness.telegram.set_chat_member(B, second.ana, "administrator")
    harness.telegram.set_chat_member(B, first.ana, "member")  # Ana is only a member in B
    for group in (first, second):
        await harness.send(u.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
    for person in (first.ana, second.ana):
        await harness.send(u.command(u.private_chat(person), person, "/start"))
    return first, second


async def test_an_admin_of_one_group_changes_nothing_of_another(harness):
    first, second = await two_groups(harness)
    u, store = harness.updates, harness.store
    question_b = await ask(harness, second)
    prompt_b = await store.prompts.by_message(B, question_b["message_id"])
    before = (await store.enrolments.active_for(B), await store.chats.get(B),
              await store.coordinators.list(B), len(await store.prompts.list_for_chat(B)))
    ana = first.ana
    for command in ("/ask", "/skip", "/pause", "/window 5", "/quiethours off", "/nudges off",
                    "/summarytime mon 08:00", "/export", "/digest", "/summary", "/partner",
                    "/unpartner", "/partnership", "/timezone Asia/Tokyo", "/setup"):
        await harness.send(u.command(second.chat, ana, command))
    zoe_message = u.message(second.chat, second.ana, "hello")
    await harness.send(u.reply(second.chat, ana, zoe_message["message"], "/coordinators add"))
    after = (await store.enrolments.active_for(B), await store.chats.get(B),
             await store.coordinators.list(B), len(await store.prompts.list_for_chat(B)))
    assert after[0] == before[0] and after[2] == before[2] and after[3] == before[3]
    for setting in ("timezone", "quiet_start", "quiet_end", "close_after_minutes",
                    "nudges_enabled", "summary_day", "summary_time"):
        assert getattr(after[1], setting) == getattr(before[1], setting), setting
    # Nothing of B reached Ana privately: no export, no digest of B.
    private = harness.telegram.calls_to("sendDocument", chat_id=ana["id"]) + [
        c for c in harness.telegram.calls_to("sendMessage", chat_id=ana["id"])
        if "Riverside CSO" in visible_text(c.params["text"]) and "digest" in
        visible_text(c.params["text"]).lower()]
    assert private == []

    # A button of B's question forged under A's question counts for nothing.
    question_a = await ask(harness, first)
    answer = await press(harness, first.chat, first.bruno, question_a,
                         f"1|r|{prompt_b.id}|5")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    assert await store.answers.for_prompt(prompt_b.id) == []


async def test_a_journal_reaches_no_group_and_no_log_holds_words_or_the_token(
    harness, caplog
):
    first, _ = await two_groups(harness)
    u = harness.updates
    rosa = u.user(ROSA, "Rosa")
    harness.telegram.set_chat_member(A, rosa, "member")
    with caplog.at_level(logging.DEBUG, logger="bot"):
        await onboard(harness, rosa, u.private_chat(rosa))
        await harness.send(u.command(u.private_chat(rosa), rosa, "/skip"))
        await harness.send(u.message(u.private_chat(rosa), rosa, JOURNAL_WORDS))
        question = await ask(harness, first)
        prompt = await harness.store.prompts.by_message(A, question["message_id"])
        await press(harness, first.chat, rosa, question, f"1|r|{prompt.id}|2")
        await harness.send(u.reply(first.chat, rosa, question, "a comment in the group"))
        harness.clock.advance(days=5)
        await harness.tick()
        await harness.send(u.command(first.chat, first.ana, "/summary"))
        await harness.send(u.command(first.chat, first.ana, "/digest"))
        await harness.send(u.command(first.chat, first.ana, "/export"))
    assert JOURNAL_WORDS in [e.text for e in await harness.store.journal.all(ROSA)]
    # Not in anything sent to a group or to a coordinator, nor in an export.
    for call in harness.telegram.calls:
        if call.params.get("chat_id") == ROSA:
            continue
        assert JOURNAL_WORDS not in str(call.params), call.method
        for upload in call.files.values():
            assert JOURNAL_WORDS.encode() not in (upload.content or b""), call.method
    exported = harness.telegram.last("sendDocument", chat_id=first.ana["id"])
    assert b"a comment in the group" in exported.files["document"].content
    # The log names ids and reasons, never what was said, who said it, or the token.
    assert JOURNAL_WORDS not in caplog.text and "a comment in the group" not in caplog.text
    assert "Rosa" not in caplog.text and harness.settings.token not in caplog.text
