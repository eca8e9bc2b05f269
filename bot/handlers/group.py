"""Group commands: /ask /skip /pause /resume /status /join /quiet /coordinators
/window /quiethours."""

from __future__ import annotations

from telegram import Update

from bot.domain import arguments
from bot.handlers.common import remember_chat
from bot.handlers.guards import (
    is_admin,
    refuse_chat_senders,
    remember_member,
    require_admin,
    require_coordinator,
    say,
)
from bot.handlers.replies import reply
from bot.render import status as render
from bot.runtime.context import BotContext
from bot.services import questions
from bot.services.schedule import reschedule

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
    await questions.ask_now(context.bot, context.bot_data, enrolment, slot)


async def pause(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    enrolment = await _running(update, context)
    if enrolment is None:
        return
    await context.store.enrolments.set_paused(enrolment.id, True)
    await say(update, context, "pause.done")


async def resume(update: Update, context: BotContext) -> None:
    if not await require_coordinator(update, context):
        return
    enrolment = await _running(update, context)
    if enrolment is None:
        return
    await context.store.enrolments.set_paused(enrolment.id, False)
    next_due = await reschedule(context.bot_data, update.effective_chat.id)
    chat = await context.store.chats.get(update.effective_chat.id)
    await reply(update, context,
        render.resumed(context.catalog, chat, next_due)
    )


async def status(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    store = context.store
    enrolment = await store.enrolments.active_for(chat.id)
    open_prompts = await store.prompts.open_for_chat(chat.id)
    current = open_prompts[-1] if open_prompts else None
    answered = await store.answers.count_for_prompt(current.id) if current else 0
    members = len(await store.members.list_current(chat.id))
    await reply(update, context,
        render.status(context.catalog, chat, context.packs, enrolment, current, answered, members)
    )


async def join(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    await remember_member(update, context)
    await say(update, context, "join.done", name=update.effective_user.first_name)


async def quiet(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    await remember_member(update, context)
    turn_off = (context.args or [""])[0].lower() in ("off", "no", "stop")
    await context.store.members.set_quiet(
        update.effective_chat.id, update.effective_user.id, not turn_off
    )
    await say(update, context, "quiet.off" if turn_off else "quiet.on",
              name=update.effective_user.first_name)


async def coordinators(update: Update, context: BotContext) -> None:
    """/coordinators lists them; an admin replying to another admin's message
    with /coordinators add (or remove) changes the list."""
    chat = await remember_chat(update, context)
    action = (context.args or [""])[0].lower()
    if action in ("add", "remove"):
        await _change_coordinators(update, context, action)
        return
    store = context.store
    names = []
    for coordinator in await store.coordinators.list(chat.id):
        member = await store.members.get(chat.id, coordinator.user_id)
        names.append(member.display_name if member else str(coordinator.user_id))
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
    store = context.store
    if action == "add":
        if not await is_admin(context, chat_id, target.id):
            await say(update, context, "coordinators.not_admin", name=target.full_name)
            return
        await store.members.seen(chat_id, target.id, target.full_name, target.username)
        await store.coordinators.add(chat_id, target.id, added_by=update.effective_user.id)
        await say(update, context, "coordinators.added", name=target.full_name)
    else:
        removed = await store.coordinators.remove(chat_id, target.id)
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
    if hours is None:
        await context.store.chats.update(update.effective_chat.id, close_after_minutes=None)
        await say(update, context, "window.off")
        return
    await context.store.chats.update(update.effective_chat.id, close_after_minutes=hours * 60)
    await say(update, context, "window.set", hours=hours)


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
    if hours is None:
        await context.store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00")
        await say(update, context, "quiethours.off")
        return
    start, end = hours
    await context.store.chats.update(chat_id, quiet_start=start, quiet_end=end)
    await say(update, context, "quiethours.set", start=start, end=end)
