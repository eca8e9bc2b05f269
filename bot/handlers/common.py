"""/start and /help, in private chats and in groups."""

from __future__ import annotations

from telegram import Chat, Update

from bot.context import BotContext
from bot.render import about
from bot.store.models import Chat as StoredChat


def is_group(chat: Chat) -> bool:
    return chat.type in (Chat.GROUP, Chat.SUPERGROUP)


async def remember_chat(update: Update, context: BotContext) -> StoredChat:
    """Record the chat (first contact) and return it with its settings."""
    chat = update.effective_chat
    user = update.effective_user
    stored = await context.store.chats.get(chat.id)
    if stored is not None and stored.active:
        return stored
    settings = context.settings
    language = context.catalog.language_for(
        stored.language if stored else None,
        user.language_code if user else None,
        settings.default_language,
    )
    return await context.store.chats.ensure(
        chat.id,
        kind="group" if is_group(chat) else "private",
        title=chat.title if is_group(chat) else None,
        timezone=stored.timezone if stored else settings.default_timezone,
        language=language,
    )


async def chat_language(update: Update, context: BotContext) -> str:
    stored = await context.store.chats.get(update.effective_chat.id)
    user = update.effective_user
    return context.catalog.language_for(
        stored.language if stored else None,
        user.language_code if user else None,
        context.settings.default_language,
    )


async def start(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    if chat.is_group:
        text = about.group_welcome(
            context.catalog, chat.language, update.effective_chat.title or ""
        )
    else:
        text = about.private_welcome(
            context.catalog, chat.language, update.effective_user.first_name
        )
    await update.effective_message.reply_text(text)


async def help_command(update: Update, context: BotContext) -> None:
    in_group = is_group(update.effective_chat)
    language = await chat_language(update, context)
    text = about.help_text(
        context.catalog,
        language,
        in_group=in_group,
        commands=context.bot_data.menus["group" if in_group else "private"],
    )
    await update.effective_message.reply_text(text)
