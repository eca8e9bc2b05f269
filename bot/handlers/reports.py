"""/summary, /digest, /export, /nudges and /summarytime."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.domain.quiet import in_quiet_hours
from bot.domain.schedule import ScheduleError, parse_time
from bot.handlers.common import chat_language, is_group, remember_chat
from bot.handlers.guards import require_coordinator, say
from bot.handlers.replies import reply, send_document_to
from bot.render.export import export_records, to_csv
from bot.render.question import deep_link
from bot.runtime.context import BotContext
from bot.services import summaries


async def summary(update: Update, context: BotContext) -> None:
    """Post this week's summary in the group now (the weekly one still comes)."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    await summaries.post_summary_now(context.bot, context.bot_data, chat)


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
    group_ids = await context.store.coordinators.chats_of(user_id)
    sent = 0
    for group_id in group_ids:
        group = await context.store.chats.get(group_id)
        if group is not None and group.active:
            sent += await summaries.send_digest(context.bot, context.bot_data, group, user_id, now)
    if not sent:
        await say(update, context, "weekly.no_groups")


async def export(update: Update, context: BotContext) -> None:
    """A CSV of the group's answers, sent to the coordinator's private chat."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    user = update.effective_user
    private = await context.store.chats.get(user.id)
    if private is None or not private.active:
        await _ask_for_private_chat(update, context, "weekly.export_needs_private")
        return
    rows = await context.store.exports.answers_for_chat(chat.id)
    records = export_records(rows, context.packs, chat.language)
    name = f"civic-reflect-{chat.id}-{context.now():%Y%m%d}.csv"
    sent = await send_document_to(
        context, user.id, InputFile(to_csv(records).encode("utf-8"), filename=name),
        caption=context.catalog.plural(private.language, "weekly.export_caption", len(records),
                                       title=chat.title or ""),
    )
    if sent is None:  # they blocked the bot meanwhile: ask again, in the group
        await _ask_for_private_chat(update, context, "weekly.export_needs_private")
        return
    await say(update, context, "weekly.export_sent", name=user.first_name)


async def nudges(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off"):
        await say(update, context, "weekly.nudges_usage")
        return
    await context.store.chats.update(update.effective_chat.id, nudges_enabled=choice == "on")
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
    chat = await context.store.chats.update(update.effective_chat.id, summary_day=day,
                                            summary_time=clock)
    next_at = summaries.next_summary_time(chat, context.now())
    await context.store.chats.update(chat.id, next_summary_at=next_at, summary_hold_until=None)
    language = await chat_language(update, context)
    text = context.catalog.text(language, "weekly.summarytime_set",
                                day=context.catalog.text(language, f"weekday.{day}"), time=clock)
    if next_at is not None and in_quiet_hours(next_at, chat.timezone, chat.quiet_start,
                                              chat.quiet_end):
        text += "\n" + context.catalog.text(language, "weekly.summarytime_in_quiet_hours",
                                            start=chat.quiet_start, end=chat.quiet_end)
    await reply(update, context, text)


async def _ask_for_private_chat(update: Update, context: BotContext, key: str) -> None:
    language = await chat_language(update, context)
    button = InlineKeyboardButton(context.catalog.text(language, "mydata.open_private"),
                                  url=deep_link(context.bot.username, "digest"))
    await reply(update, context,
        context.catalog.text(language, key, name=update.effective_user.first_name),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )
