"""A person who has set up personal reflection in a private chat, and what the bot sent them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.recap import JournalEntry
from bot.sandbox.telegram import visible_text

from helpers.group import press

ROSA = 701


def texts_to(harness, chat_id: int) -> list[str]:
    return [visible_text(c.params["text"]) for c in harness.telegram.calls_to(
        "sendMessage", chat_id=chat_id) if c.ok]


async def onboard(harness, rosa, private):
    await harness.send(harness.updates.command(private, rosa, "/start"))
    wizard = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    for step, value in (("P", "theory-u"), ("C", "daily"), ("T", "20:00"),
                        ("Z", "Europe/Madrid"), ("R", "sun")):
        answer = await press(harness, private, rosa, wizard, f"1|s|{step}|{value}")
        assert "text" not in answer, (step, answer)
    return visible_text(harness.telegram.message(ROSA, wizard["message_id"])["text"])


async def next_prompt(harness, moment: datetime):
    harness.clock.now = moment
    assert (await harness.tick()).sent == 1
    prompt = (await harness.store.prompts.list_for_chat(ROSA))[-1]
    return prompt, harness.telegram.message(ROSA, prompt.message_id)


def at_local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SANTIAGO).astimezone(UTC)


MONDAY = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)  # 09:15 in Madrid


HOSTILE = "<b>bold</b> & <a href='x'>link</a> 😀 שלום"


def buttons(keyboard) -> list[list[tuple[str, str]]]:
    return [[(button.text, button.callback_data) for button in row]
            for row in keyboard.inline_keyboard]


def a_week_of_entries() -> list[JournalEntry]:
    return [
        entry(1, MONDAY, text="Called my sister.\nWe laughed a lot."),
        entry(2, MONDAY + timedelta(days=1), "checklist-cso", "cso-02", scale=4),
        entry(3, MONDAY + timedelta(days=2), "well-being", "wellbeing-03", voice=True),
        entry(4, MONDAY + timedelta(days=3), "well-being", "no-longer-there", text=HOSTILE),
        entry(5, MONDAY + timedelta(days=4), "well-being", "wellbeing-05", scale=0),
    ]


SANTIAGO = ZoneInfo("America/Santiago")


def entry(prompt_id: int, answered_at: datetime, pack_id: str = "well-being",
          item_id: str = "wellbeing-01", *, scale: int | None = None, text: str | None = None,
          voice: bool = False) -> JournalEntry:
    return JournalEntry(prompt_id, pack_id, item_id, answered_at - timedelta(hours=1),
                        answered_at, scale, text, voice)
