"""/setup (a wizard of buttons) and /timezone."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.domain import setup as wizard
from bot.domain.arguments import echo
from bot.domain.schedule import valid_timezone
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.guards import remember_member, require_admin, say
from bot.handlers.replies import alert, answer_button, edit, reply
from bot.handlers.wizards import send_wizard
from bot.render import callbacks
from bot.render import setup as render
from bot.runtime.context import BotContext
from bot.services.schedule import reschedule
from bot.services.summaries import next_summary_time


async def setup_command(update: Update, context: BotContext) -> None:
    if not await require_admin(update, context):
        return
    chat = await remember_chat(update, context)
    await remember_member(update, context)
    draft = wizard.SetupDraft(user_id=update.effective_user.id)
    text, keyboard = render.step_message(context.catalog, chat.language, draft, context.packs)
    await send_wizard(update, context, draft, text, keyboard)


async def setup_choice(update: Update, context: BotContext) -> None:
    """A button of the group's /setup wizard, checked against its saved draft."""
    choice = pressed(context, callbacks.SetupChoice)
    query = update.callback_query
    chat_id, message_id = query.message.chat.id, query.message.message_id
    stored = await context.store.drafts.get(chat_id, message_id)
    if stored is None:
        await alert(update, context, "setup.expired")
        return
    owner, state = stored
    if query.from_user.id != owner:
        await alert(update, context, "setup.not_yours")
        return
    try:
        draft = wizard.choose(
            wizard.SetupDraft.from_dict(state), choice.step, choice.value,
            pack_ids=[p.id for p in context.packs.for_groups()],
            languages=context.catalog.languages,
        )
    except wizard.InvalidChoice:
        # A button of another step (an old copy, or an edit that never
        # showed): show the step the wizard is really at.
        await alert(update, context, "button.stale")
        await _show(update, context, message_id, wizard.SetupDraft.from_dict(state))
        return
    await answer_button(update, context)
    await _show(update, context, message_id, draft)


async def timezone_command(update: Update, context: BotContext) -> None:
    """/timezone Area/City: during /setup it answers the time-zone step;
    afterwards an admin can use it to move the group's schedule."""
    name = " ".join(context.args or []).strip()
    if not valid_timezone(name):
        await say(update, context, "timezone.invalid", value=echo(name) or "…")
        return
    if not await require_admin(update, context):
        return
    # An admin's first words to the bot may be this: the group is recorded first.
    await remember_chat(update, context)
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    pending = await context.store.drafts.latest_for(chat_id, user_id)
    if pending is not None:
        message_id, state = pending
        draft = wizard.SetupDraft.from_dict(state)
        if draft.step == wizard.TIMEZONE:
            await _show(update, context, message_id, wizard.set_timezone(draft, name))
            return
    chat = await context.store.chats.update(chat_id, timezone=name)
    await context.store.chats.update(
        chat_id, next_summary_at=next_summary_time(chat, context.now()))
    next_due = await reschedule(context.bot_data, chat_id)
    language = await chat_language(update, context)
    text = context.catalog.text(language, "timezone.changed", timezone=name)
    if next_due is not None:
        text += "\n" + context.catalog.text(
            language, "status.next",
            when=render.when(context.catalog, language, next_due, name),
        )
    await reply(update, context, text)


async def _show(
    update: Update, context: BotContext, message_id: int, draft: wizard.SetupDraft
) -> None:
    """Save the draft and show its next step, or finish the setup."""
    chat_id = update.effective_chat.id
    catalog = context.catalog
    language = draft.language or await chat_language(update, context)
    if draft.step != wizard.DONE:
        text, keyboard = render.step_message(catalog, language, draft, context.packs)
        # Saved once it shows, so the draft never runs ahead of the message.
        if await edit(context, chat_id, message_id, text, reply_markup=keyboard):
            await context.store.drafts.save(chat_id, message_id, draft.user_id,
                                            draft.to_dict())
        return
    first = await _apply(context, chat_id, draft)
    await context.store.drafts.delete(chat_id, message_id)
    await edit(context, chat_id, message_id,
               render.confirmation(catalog, language, draft, context.packs, first))


async def _apply(context: BotContext, chat_id: int, draft: wizard.SetupDraft) -> datetime:
    store = context.store
    await store.chats.update(
        chat_id, timezone=draft.timezone, language=draft.language,
        names_visible=bool(draft.names_visible),
    )
    await store.coordinators.add(chat_id, draft.user_id)
    chat = await store.chats.get(chat_id)
    await store.chats.update(chat_id, next_summary_at=next_summary_time(chat, context.now()))
    schedule = draft.schedule()
    first = schedule.next_due(context.now())
    await store.enrolments.start(
        chat_id, draft.pack_id, cadence=schedule.cadence, days=schedule.days,
        local_time=schedule.local_time, next_due_at=first,
    )
    return first

