"""What a chat chose for itself: the language it is spoken to in, and
whether its members are reminded before a question closes."""

from __future__ import annotations

from bot.runtime.context import BotData


async def set_language(data: BotData, chat_id: int, language: str) -> None:
    await data.store.chats.update(chat_id, language=language)


async def set_nudges(data: BotData, chat_id: int, on: bool) -> None:
    """/nudges on|off: reminders before a question closes."""
    await data.store.chats.update(chat_id, nudges_enabled=on)
