"""The bot joining or leaving, people joining or leaving, and supergroup upgrades."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from bot.handlers.common import is_group, remember_chat
from bot.handlers.replies import send_to
from bot.render import about
from bot.runtime.context import BotContext
from bot.services import membership

log = logging.getLogger(__name__)
_GONE = (ChatMember.LEFT, ChatMember.BANNED)


async def bot_membership(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    was_in = change.old_chat_member.status not in _GONE
    is_in = change.new_chat_member.status not in _GONE
    chat = update.effective_chat
    if not is_in:
        # Removed from a group, or blocked in a private chat: send nothing more.
        await membership.bot_removed(context.bot_data, chat.id)
        return
    stored = await remember_chat(update, context)
    if was_in or not is_group(chat):
        return
    await send_to(context, chat.id,
                  about.group_welcome(context.catalog, stored.language, chat.title or ""))


async def members_joined(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    await membership.people_joined(context.bot_data, chat.id, [
        (person.id, person.full_name, person.username)
        for person in update.effective_message.new_chat_members if not person.is_bot])


async def member_left(update: Update, context: BotContext) -> None:
    person = update.effective_message.left_chat_member
    if person is not None and not person.is_bot:
        await membership.person_left(context.bot_data, update.effective_chat.id, person.id)


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: every row follows the new chat id.

    Telegram sends two service messages (one in each chat); whichever comes
    first moves the data and the second finds nothing left to move.
    """
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    if await membership.became_supergroup(context.bot_data, old, new):
        log.info("moved chat %s to supergroup %s", old, new)
