"""Commands no other handler took: ours sent in the wrong kind of chat, or
ones we do not know. Every command meant for the bot gets an answer saying
where it works; in a private chat a command is never taken for an answer to
a question.

In a group the bot stays silent on a command that may be another bot's: one
addressed to another bot (/ask@other_bot), or a name we do not know sent
without our username (Telegram shows every bot's commands to all of them).
"""

from __future__ import annotations

from telegram import MessageEntity, Update

from bot.content.commands import english_name
from bot.domain.arguments import echo
from bot.handlers.common import chat_language, is_group
from bot.handlers.replies import reply
from bot.render import elsewhere as render
from bot.runtime.context import BotContext

_LONGEST_COMMAND = 32


def command_of(update: Update) -> tuple[str, str | None] | None:
    """(command name in lower case, the bot it names or None) of a message
    that starts with a command; None for any other message."""
    message = update.effective_message
    text = message.text if message is not None else None
    entity = message.entities[0] if message is not None and message.entities else None
    if not text or entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset:
        return None
    # Entity offsets count UTF-16 units; a command is ASCII, so they agree here.
    word = text[1:entity.length]
    name, _, addressed = word.partition("@")
    # Telegram marks only /[A-Za-z0-9_]+ as a command; anything else is
    # shown back short, never whole.
    return echo(name.lower(), _LONGEST_COMMAND), addressed or None


async def on_command(update: Update, context: BotContext) -> None:
    found = command_of(update)
    if found is None:
        return
    name, addressed = found
    ours = addressed is not None and addressed.lower() == (context.bot.username or "").lower()
    menus = context.bot_data.menus
    # The menus name commands in English; /diario is /journal.
    known = english_name(name)
    in_groups = {command for command, _ in menus["group"]}
    in_private = {command for command, _ in menus["private"]}
    language = await chat_language(update, context)
    catalog = context.catalog
    if not is_group(update.effective_chat):
        text = (render.group_only(catalog, language, name) if known in in_groups
                else render.unknown(catalog, language, name))
        await reply(update, context, text)
        return
    if addressed is not None and not ours:
        return  # another bot's command
    if known in in_private:
        text, keyboard = render.private_only(catalog, language, name, context.bot.username)
        await reply(update, context, text, reply_markup=keyboard)
    elif ours:
        await reply(update, context, render.unknown(catalog, language, name))
