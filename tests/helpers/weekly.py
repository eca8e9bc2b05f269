"""A group's week of answers, for the summary and digest suites."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers.group import GROUP_ID, press
from helpers.times import MONDAY_0900_MADRID

FRIDAY_1700_MADRID = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)


async def week_of_answers(harness, group):
    harness.clock.now = MONDAY_0900_MADRID
    await harness.tick()
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    question = harness.telegram.message(GROUP_ID, prompt.message_id)
    for person, value in ((group.bruno, 4), (group.carla, 5), (group.dev, 4)):
        await press(harness, group.chat, person, question, f"1|r|{prompt.id}|{value}")
    u = harness.updates
    await harness.send(u.reply(group.chat, group.carla, question, "We <b>listen</b> 🌱 مرحبا"))
    await press(harness, group.chat, group.carla, question, f"1|q|{prompt.id}|1")  # may quote
    await harness.send(u.reply(group.chat, group.dev, question, "not for quoting"))
    eli = u.private_chat(group.eli)
    await harness.send(u.command(eli, group.eli, f"/start p{prompt.id}"))
    invitation = harness.telegram.message(group.eli["id"], harness.telegram.last(
        "sendMessage", chat_id=group.eli["id"]).result["message_id"])
    await harness.send(u.reply(eli, group.eli, invitation, "said only in private"))
    return prompt


async def two_coordinators_in_private(harness, group):
    """Bruno made a coordinator beside Ana, and both started the bot in a
    private chat, so the round sends each a digest."""
    await harness.store.coordinators.add(GROUP_ID, group.bruno["id"])
    for coordinator in (group.ana, group.bruno):
        private = harness.updates.private_chat(coordinator)
        await harness.send(harness.updates.command(private, coordinator, "/start"))
