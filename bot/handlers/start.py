"""/start (with the deep links from groups) and /help."""

from __future__ import annotations

from telegram import Update

from bot.handlers import personal
from bot.handlers.common import chat_language, is_group, remember_chat
from bot.handlers.private import open_deep_link
from bot.handlers.replies import reply
from bot.render import about
from bot.runtime.context import BotContext


async def start(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    if not chat.is_group and context.args and await open_deep_link(
        update, context, context.args[0]
    ):
        return
    if not chat.is_group:
        await personal.welcome(update, context)
        return
    await reply(update, context, about.group_welcome(
        context.catalog, chat.language, update.effective_chat.title or ""))


async def help_command(update: Update, context: BotContext) -> None:
    in_group = is_group(update.effective_chat)
    language = await chat_language(update, context)
    text = about.help_text(
        context.catalog,
        language,
        in_group=in_group,
        commands=context.bot_data.menus["group" if in_group else "private"],
    )
    await reply(update, context, text)
