"""Helpers every handler uses: which chat is this, and in which language."""

from __future__ import annotations

from telegram import Chat, Message, Update

from bot.domain.records import Chat as StoredChat
from bot.runtime.context import BotContext
from bot.services import membership


def is_group(chat: Chat) -> bool:
    return chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def message_content(message: Message) -> tuple[str | None, str | None]:
    """(text, voice file id) of an answer given as a message; (None, None)
    for anything else (a sticker, a photo without caption...)."""
    if message.voice is not None:
        return None, message.voice.file_id
    text = (message.text or message.caption or "").strip()
    return (text or None), None


async def remember_chat(update: Update, context: BotContext) -> StoredChat:
    """Record the chat (first contact) and return it with its settings."""
    chat, user = update.effective_chat, update.effective_user
    return await membership.remember_chat(
        context.bot_data, chat.id, is_group=is_group(chat), title=chat.title,
        person_language=user.language_code if user else None)


async def chat_language(update: Update, context: BotContext) -> str:
    # A press on a message sent in inline mode has no chat: the person's language.
    chat = update.effective_chat
    stored = await context.store.chats.get(chat.id) if chat is not None else None
    return language_of(stored, update, context)


def language_of(stored: StoredChat | None, update: Update, context: BotContext) -> str:
    """The language to answer in, given the chat as stored (when it is at hand)."""
    user = update.effective_user
    return context.catalog.language_for(
        stored.language if stored else None,
        user.language_code if user else None,
        context.settings.default_language,
    )
