"""Who is asking, and may they? Shared checks for group commands."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.error import TelegramError

from bot.domain.records import Sighting
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.replies import reply
from bot.runtime.context import BotContext
from bot.services import membership

# Telegram's stand-ins for people who post as a chat, not as themselves.
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688
_PRESENT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


def speaks_as_chat(update: Update) -> bool:
    """An anonymous admin or a channel post: no person we could count."""
    message = update.effective_message
    user = update.effective_user
    return (message is not None and message.sender_chat is not None) or (
        user is not None and user.id in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT)
    )


async def say(update: Update, context: BotContext, key: str, **values: object) -> None:
    """Reply with a catalog string in the chat's language."""
    language = await chat_language(update, context)
    await reply(update, context, context.catalog.text(language, key, **values))


async def refuse_chat_senders(update: Update, context: BotContext) -> bool:
    """True (after a friendly reply) when the sender is not a person."""
    if speaks_as_chat(update):
        await say(update, context, "guard.as_yourself")
        return True
    return False


async def is_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def is_present(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether a person is (still) in a group, asked of Telegram, not our records."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _PRESENT


async def require_admin(update: Update, context: BotContext) -> bool:
    if await refuse_chat_senders(update, context):
        return False
    if await is_admin(context, update.effective_chat.id, update.effective_user.id):
        return True
    await say(update, context, "guard.admins_only")
    return False


async def require_coordinator(update: Update, context: BotContext) -> bool:
    if await refuse_chat_senders(update, context):
        return False
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    if await context.store.coordinators.is_coordinator(chat_id, user_id):
        return True
    if await is_admin(context, chat_id, user_id):
        await say(update, context, "guard.admin_not_coordinator")
    else:
        await say(update, context, "guard.coordinators_only")
    return False


def sighting(update: Update) -> Sighting | None:
    """The sender as a member of this group, if they are a person to count."""
    user = update.effective_user
    if user is None or user.is_bot or speaks_as_chat(update):
        return None
    return Sighting(update.effective_chat.id, user.full_name, user.username)


async def remember_member(update: Update, context: BotContext) -> None:
    seen = sighting(update)
    if seen is None:
        return
    await remember_chat(update, context)
    await membership.remember_member(context.bot_data, seen.chat_id, update.effective_user.id,
                                     seen.display_name, seen.username)
