"""/summary, /digest, /export, /nudges and /summarytime."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.domain.schedule import ScheduleError, parse_time
from bot.handlers.common import chat_language, is_group, remember_chat
from bot.handlers.guards import require_coordinator, say
from bot.handlers.replies import reply, send_document_to
from bot.render import privacy
from bot.render import setup as render
from bot.runtime.context import BotContext
from bot.services import coordinators, exports, preferences, schedule, summaries


async def summary(update: Update, context: BotContext) -> None:
    """Post this week's summary in the group now (the weekly one still comes)."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    if not await summaries.post_summary_now(context.bot, context.bot_data, chat):
        await say(update, context, "summary_now.not_posted")


async def digest(update: Update, context: BotContext) -> None:
    """In a group: this group's digest, privately. In a private chat: the
    digest of every group the person coordinates."""
    user_id = update.effective_user.id
    now = context.now()
    if is_group(update.effective_chat):
        if not await require_coordinator(update, context):
            return
        chat = await remember_chat(update, context)
        if await summaries.send_digest(context.bot, context.bot_data, chat, user_id, now):
            await say(update, context, "weekly.digest_sent", name=update.effective_user.first_name)
        else:
            await _ask_for_private_chat(update, context, "weekly.digest_needs_private")
        return
    await remember_chat(update, context)
    sent = 0
    for group in await coordinators.groups_of(context.bot_data, user_id):
        sent += await summaries.send_digest(context.bot, context.bot_data, group, user_id, now)
    if not sent:
        await say(update, context, "weekly.no_groups")


async def export(update: Update, context: BotContext) -> None:
    """A CSV of the group's answers (and one of its actions, if it has any), sent
    to the coordinator's private chat."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    user = update.effective_user
    private = await context.store.chats.get(user.id)
    if private is None or not private.active:
        await _ask_for_private_chat(update, context, "weekly.export_needs_private")
        return
    csv, count = await exports.group_answers(context.bot_data, chat)
    sent = await send_document_to(
        context, user.id, InputFile(csv.content, filename=csv.name),
        caption=context.catalog.plural(private.language, "weekly.export_caption", count,
                                       title=chat.title or ""),
    )
    if sent is None:  # they blocked the bot meanwhile: ask again, in the group
        await _ask_for_private_chat(update, context, "weekly.export_needs_private")
        return
    actions = await exports.group_actions(context.bot_data, chat)
    if actions is not None:
        file, count = actions
        await send_document_to(
            context, user.id, InputFile(file.content, filename=file.name),
            caption=context.catalog.plural(private.language, "export_actions.caption", count,
                                           title=chat.title or ""))
    await say(update, context, "weekly.export_sent", name=user.first_name)


async def nudges(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off"):
        await say(update, context, "weekly.nudges_usage")
        return
    await preferences.set_nudges(context.bot_data, update.effective_chat.id, choice == "on")
    await say(update, context, f"weekly.nudges_{choice}")


async def summary_time(update: Update, context: BotContext) -> None:
    """/summarytime fri 17:00: when the weekly summary comes (local time)."""
    if not await require_coordinator(update, context):
        return
    try:
        word, clock = context.args or []
        parse_time(clock)
        # Day names in any language we speak: "fri", "Friday", "vie", "sáb"...
        day = context.catalog.weekday_named(word)
        if day is None:
            raise ValueError(word)
    except (ValueError, ScheduleError):
        await say(update, context, "weekly.summarytime_usage")
        return
    chat = await schedule.set_summary_time(context.bot_data, update.effective_chat.id, day, clock)
    language = await chat_language(update, context)
    await reply(update, context,
                render.summary_time_set(context.catalog, language, chat, day, clock))


async def _ask_for_private_chat(update: Update, context: BotContext, key: str) -> None:
    language = await chat_language(update, context)
    text, keyboard = privacy.open_private_chat(
        context.catalog, language, key, name=update.effective_user.first_name,
        bot_username=context.bot.username, payload="digest")
    await reply(update, context, text, reply_markup=keyboard)
