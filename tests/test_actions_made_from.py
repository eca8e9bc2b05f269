"""What an action came from: /action sent in reply to a question (open or
closed) comes from that question; in reply to the weekly summary, from that
week's summary; otherwise from the group's latest question."""

from __future__ import annotations

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, bot_message
from helpers.weekly import FRIDAY_1700_MADRID, week_of_answers


async def action_in_reply(harness, group, to_message: dict | None, text: str):
    u = harness.updates
    update = (u.reply(group.chat, group.bruno, to_message, f"/action {text}") if to_message
              else u.command(group.chat, group.bruno, f"/action {text}"))
    await harness.send(update)
    [action] = [a for a in await harness.store.actions.open_for_chat(GROUP_ID)
                if a.text == text]
    return action


async def test_an_action_made_in_reply_to_an_older_question_comes_from_it(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    first = bot_message(harness, GROUP_ID)
    first_prompt = await harness.store.prompts.by_message(GROUP_ID, first["message_id"])
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    latest = await harness.store.prompts.by_message(GROUP_ID,
                                                    bot_message(harness, GROUP_ID)["message_id"])
    assert latest.id != first_prompt.id and not (
        await harness.store.prompts.get(first_prompt.id)).is_open

    replied = await action_in_reply(harness, group, first, "Map who we never hear from")
    assert (replied.source_prompt_id, replied.source_week) == (first_prompt.id, None)
    plain = await action_in_reply(harness, group, None, "Print the flyers")
    assert (plain.source_prompt_id, plain.source_week) == (latest.id, None)
    # A reply to someone's message, not the bot's: as a plain /action.
    person = {**first, "from": group.ana}
    other = await action_in_reply(harness, group, person, "Call the council")
    assert other.source_prompt_id == latest.id


async def test_an_action_made_in_reply_to_the_weekly_summary_comes_from_that_week(
        harness, group):
    await week_of_answers(harness, group)
    before = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    harness.clock.now = FRIDAY_1700_MADRID
    assert (await harness.tick()).summaries == 1
    posted = harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)[before:]
    last = harness.telegram.message(GROUP_ID, posted[-1].result["message_id"])
    assert visible_text(last["text"]).endswith(
        "🛠 Want to act on something here? Reply to this message with /action and what you will"
        " do.")
    action = await action_in_reply(harness, group, last, "Ask the library for a room")
    assert action.source_week == "2026-W11"
    assert action.source_prompt_id is None
