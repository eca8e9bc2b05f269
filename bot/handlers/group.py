"""Group commands: /ask /skip /pause /resume /status /join /quiet /coordinators
/window /quiethours."""

from __future__ import annotations

from telegram import Update

from bot.content.locales import plural_form
from bot.domain import arguments
from bot.domain.records import Sighting
from bot.handlers.common import remember_chat
from bot.handlers.guards import (
    is_admin,
    refuse_chat_senders,
    remember_member,
    require_admin,
    require_coordinator,
    say,
    sighting,
)
from bot.handlers.replies import react, reply, send_to
from bot.render import privacy
from bot.render import status as render
from bot.runtime.context import BotContext
from bot.services import coordinators as coordinators_service
from bot.services import membership, questions, schedule

MAX_WINDOW_HOURS = 24 * 14


async def _running(update: Update, context: BotContext):
    enrolment = await context.store.enrolments.active_for(update.effective_chat.id)
    if enrolment is None:
        await say(update, context, "status.not_set_up")
    return enrolment


async def ask(update: Update, context: BotContext) -> None:
    """/ask: the next question now (the scheduled one still comes)."""
    await _next_question(update, context, "ask")


async def skip(update: Update, context: BotContext) -> None:
    """/skip: close the open question and ask the next one now."""
    await _next_question(update, context, "skip")


async def _next_question(update: Update, context: BotContext, command: str) -> None:
    if not await require_coordinator(update, context):
        return
    enrolment = await _running(update, context)
    if enrolment is None:
        return
    if command == "skip" and not await context.store.prompts.open_for_chat(enrolment.chat_id):
        await say(update, context, "skip.nothing_open")
    # The command's own message names the slot, so the same command
    # delivered twice (after a crash) opens one question.
    slot = f"{command}:{update.effective_message.message_id}"
    asked = await questions.ask_now_tracked(context.bot, context.bot_data, enrolment, slot)
    # The question is the answer when it arrives; otherwise the coordinator
    # hears what became of it.
    if asked.delivery is not questions.Delivery.ARRIVED:
        await say(update, context, f"ask.{asked.delivery.value}")


async def pause(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    enrolment = await _running(update, context)
    if enrolment is None:
        return
    await schedule.pause(context.bot_data, enrolment)
    await say(update, context, "pause.done")


async def resume(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    enrolment = await _running(update, context)
    if enrolment is None:
        return
    next_due = await schedule.resume(context.bot_data, enrolment.chat_id)
    chat = await context.store.chats.get(enrolment.chat_id)
    await reply(update, context, render.resumed(context.catalog, chat, next_due))


async def status(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    standing = await questions.standing(context.bot_data, chat.id)
    await reply(update, context, render.status(
        context.catalog, chat, context.packs, standing.enrolment, standing.current,
        standing.answered))


async def join(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    await remember_member(update, context)
    await say(update, context, "join.done", name=update.effective_user.first_name)


QUIET_TAKEN = "👌"


async def quiet(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    chat = await remember_chat(update, context)
    turn_off = (context.args or [""])[0].lower() in ("off", "no", "stop")
    # Asking for quiet makes one a member the bot knows: both in one step.
    await membership.set_quiet(context.bot_data, update.effective_chat.id,
                               update.effective_user.id, not turn_off, sighting(update))
    # Someone's choice about reminders is theirs: confirmed in their private
    # chat when there is one (a reaction in the group says it was taken), and
    # otherwise in the group without their name.
    user = update.effective_user
    private = await context.store.chats.get(user.id)
    if private is not None and private.active and await send_to(
            context, user.id, privacy.quiet_confirmed(context.catalog, private.language,
                                                      chat.title, quiet=not turn_off)):
        context.bot_data.in_background(react(context, update.effective_message, QUIET_TAKEN))
        return
    await say(update, context, "quiet.off" if turn_off else "quiet.on")


async def coordinators(update: Update, context: BotContext) -> None:
    """/coordinators lists them; an admin replying to another admin's message
    with /coordinators add (or remove) changes the list."""
    chat = await remember_chat(update, context)
    action = (context.args or [""])[0].lower()
    if action in ("add", "remove"):
        await _change_coordinators(update, context, action)
        return
    names = await coordinators_service.names(context.bot_data, chat.id)
    await reply(update, context, render.coordinators(context.catalog, chat, names))


async def _change_coordinators(update: Update, context: BotContext, action: str) -> None:
    if not await require_admin(update, context):
        return
    target_message = update.effective_message.reply_to_message
    target = target_message.from_user if target_message else None
    if target is None or target.is_bot or target_message.sender_chat is not None:
        await say(update, context, "coordinators.how_to_add")
        return
    chat_id = update.effective_chat.id
    if action == "add":
        if not await is_admin(context, chat_id, target.id):
            await say(update, context, "coordinators.not_admin", name=target.full_name)
            return
        await coordinators_service.appoint(
            context.bot_data, target.id, Sighting(chat_id, target.full_name, target.username),
            by=update.effective_user.id)
        await say(update, context, "coordinators.added", name=target.full_name)
    else:
        removed = await coordinators_service.dismiss(context.bot_data, chat_id, target.id)
        await say(update, context, "coordinators.removed" if removed
                  else "coordinators.was_not", name=target.full_name)


async def window(update: Update, context: BotContext) -> None:
    """/window HOURS closes each question that long after it opens; /window off
    keeps it open until the next one."""
    if not await require_coordinator(update, context):
        return
    try:
        hours = arguments.window_hours(" ".join(context.args or []), MAX_WINDOW_HOURS)
    except arguments.BadArgument:
        await say(update, context, "window.usage", most=MAX_WINDOW_HOURS)
        return
    await schedule.set_window(context.bot_data, update.effective_chat.id, hours)
    if hours is None:
        await say(update, context, "window.off")
    else:
        await say(update, context, f"window.set.{plural_form(hours)}", hours=hours)


async def quiet_hours(update: Update, context: BotContext) -> None:
    """/quiethours 21:00 08:00 sets when nothing is sent; /quiethours off."""
    if not await require_coordinator(update, context):
        return
    chat_id = update.effective_chat.id
    try:
        hours = arguments.quiet_hours(context.args or [])
    except arguments.BadArgument:
        await say(update, context, "quiethours.usage")
        return
    await schedule.set_quiet_hours(context.bot_data, chat_id, hours)
    if hours is None:
        await say(update, context, "quiethours.off")
    else:
        start, end = hours
        await say(update, context, "quiethours.set", start=start, end=end)
