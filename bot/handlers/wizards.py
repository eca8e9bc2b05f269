"""The machinery both wizards (/setup in a group, /programme in private) run on.

A wizard's draft is kept against the message that shows it; a press is
checked against that draft (there is one, it is the presser's, the button
is of its current step); the next step is shown by editing the message, and
the draft saved once it shows, so it never runs ahead of the message; a
stale press is shown the step the wizard is really at; the last press
finishes it; a typed /timezone answers its time-zone step. What differs
between the two comes in a Wizard: their steps, their messages, their words
for a press that is not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain.records import Sighting
from bot.domain.setup import InvalidChoice, WizardDraft, set_timezone
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language
from bot.handlers.replies import alert, answer_button, edit, reply
from bot.render import callbacks
from bot.runtime.context import BotContext
from bot.services import setup


@dataclass(frozen=True)
class Wizard:
    draft: type[WizardDraft]
    # The draft after a press of (step, value); InvalidChoice if it is not one.
    choose: Callable[[BotContext, WizardDraft, str, str], WizardDraft]
    step_message: Callable[[Catalog, str, WizardDraft, PackLibrary],
                           tuple[str, InlineKeyboardMarkup]]
    # The last message, once finished: (catalog, language, draft, packs, first question, now).
    done_message: Callable[[Catalog, str, WizardDraft, PackLibrary, datetime, datetime], str]
    expired: str  # catalog key: no wizard of this kind under the message
    not_yours: str  # catalog key: someone else's wizard


async def begin(update: Update, context: BotContext, wizard: Wizard, draft: WizardDraft,
                language: str, *, seen_as: Sighting | None = None) -> None:
    """Post a wizard's first step and keep its draft against that message
    (with `seen_as`, its owner is recorded as a member in the same step)."""
    text, keyboard = wizard.step_message(context.catalog, language, draft, context.packs)
    message = await reply(update, context, text, reply_markup=keyboard)
    if message is not None:
        await setup.keep_draft(context.bot_data, update.effective_chat.id, message.message_id,
                               draft, seen_as=seen_as)


async def on_press(update: Update, context: BotContext, wizard: Wizard) -> None:
    """A button of the wizard, checked against its saved draft."""
    choice = pressed(context, callbacks.SetupChoice)
    query = update.callback_query
    chat_id, message_id = query.message.chat.id, query.message.message_id
    draft = await setup.draft_at(context.bot_data, chat_id, message_id, wizard.draft)
    if draft is None:
        await alert(update, context, wizard.expired)
        return
    if query.from_user.id != draft.user_id:
        await alert(update, context, wizard.not_yours)
        return
    try:
        chosen = wizard.choose(context, draft, choice.step, choice.value)
    except InvalidChoice:
        # A button of another step (an old copy of the wizard, or an edit
        # that never showed): show the step the wizard is really at.
        await alert(update, context, "button.stale")
        await show(update, context, wizard, message_id, draft)
        return
    await answer_button(update, context)
    await show(update, context, wizard, message_id, chosen)


async def typed_timezone(update: Update, context: BotContext, wizard: Wizard,
                         timezone: str) -> bool:
    """A valid /timezone while the person's latest wizard here waits for one:
    it answers that step. False if no wizard was waiting for it."""
    pending = await setup.latest_draft(context.bot_data, update.effective_chat.id,
                                       update.effective_user.id, wizard.draft)
    if pending is None or not pending[1].waits_for_timezone:
        return False
    message_id, draft = pending
    await show(update, context, wizard, message_id, set_timezone(draft, timezone))
    return True


async def show(update: Update, context: BotContext, wizard: Wizard, message_id: int,
               draft: WizardDraft) -> None:
    """Show the draft's step and keep it, or finish the wizard."""
    chat_id = update.effective_chat.id
    catalog, packs = context.catalog, context.packs
    language = draft.chosen_language or await chat_language(update, context)
    if not draft.finished:
        text, keyboard = wizard.step_message(catalog, language, draft, packs)
        # Saved once it shows, so the draft never runs ahead of the message.
        if await edit(context, chat_id, message_id, text, reply_markup=keyboard):
            await setup.keep_draft(context.bot_data, chat_id, message_id, draft)
        return
    first = await setup.finish(context.bot_data, chat_id, message_id, draft)
    if first is None:
        return  # another press finished it first, and said so
    await edit(context, chat_id, message_id,
               wizard.done_message(catalog, language, draft, packs, first,
                                   context.now()))
