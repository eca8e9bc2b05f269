"""The design tests' buttons in a group: a coordinator puts an action's plan
to the five tests, members rate each test on the one message, and a
coordinator posts the plan's profile. Anyone may press the coordinators'
buttons; others get a friendly pop-up."""

from __future__ import annotations

from telegram import Message, Update

from bot.domain.records import Chat
from bot.handlers.actions import action_of
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.guards import remember_member, require_coordinator, say
from bot.handlers.replies import alert, answer_button, edit, edit_pressed, send_to
from bot.render import callbacks
from bot.runtime.context import BotContext
from bot.services import actions as actions_service
from bot.services import design_tests as service
from bot.store.actions import Change

_REFUSALS = {Change.GONE: "designtests.gone", Change.CLOSED: "designtests.closed",
             Change.SAME: "designtests.already_asked"}


async def ask_button(update: Update, context: BotContext) -> None:
    """"Design tests" under an action: the questions, posted once."""
    choice = pressed(context, callbacks.DesignAsk)
    chat = await remember_chat(update, context)
    data = context.bot_data
    if not await service.is_coordinator(data, chat, update.effective_user.id):
        await alert(update, context, "designtests.coordinators_only")
        return
    change = await service.ask(data, chat, choice.action_id, update.effective_user.id)
    if change is not Change.DONE:
        await alert(update, context, _REFUSALS[change])
        return
    await answer_button(update, context)
    await _post_questions(context, chat, choice.action_id, update.callback_query.message)


async def designtests_command(update: Update, context: BotContext) -> None:
    """/designtests in reply to an action's message: as its button, for coordinators."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    card = update.effective_message.reply_to_message
    action_id = action_of(card) if card is not None else None
    if action_id is None:
        await say(update, context, "designtests.how")
        return
    change = await service.ask(context.bot_data, chat, action_id, update.effective_user.id)
    if change is not Change.DONE:
        await say(update, context, _REFUSALS[change])
        return
    await _post_questions(context, chat, action_id, card)


async def _post_questions(context: BotContext, chat: Chat, action_id: int,
                          card_message: Message | None) -> None:
    """The questions' message; the action's card then loses its button."""
    data = context.bot_data
    action = await context.store.actions.get(action_id)
    shown = await service.questions(data, chat, action)
    message = await send_to(context, chat.id, shown.text, reply_markup=shown.keyboard)
    if message is not None:
        await service.posted(data, action.id, message.message_id)
    if card_message is not None:
        card = await actions_service.card(data, chat, action)
        await edit(context, chat.id, card_message.message_id, card.text,
                   reply_markup=card.keyboard)


async def rate_button(update: Update, context: BotContext) -> None:
    """A member's 1-5 on one test; the count on the message follows."""
    choice = pressed(context, callbacks.DesignRate)
    chat = await remember_chat(update, context)
    await remember_member(update, context)
    data = context.bot_data
    rated = await service.rate(data, chat, choice.action_id, update.effective_user.id,
                               choice.test, choice.value)
    if rated.change in (Change.GONE, Change.CLOSED):
        await alert(update, context, _REFUSALS[rated.change])
        return
    language = await chat_language(update, context)
    catalog = context.catalog
    if rated.change is Change.SAME:
        await answer_button(update, context, catalog.text(language, "designtests.same"))
        return
    await answer_button(update, context, catalog.text(
        language, "designtests.rated", value=choice.value,
        test=catalog.text(language, f"designtests.name.{choice.test}")))
    if rated.new_rater:
        action = await context.store.actions.get(choice.action_id)
        shown = await service.questions(data, chat, action)
        await edit_pressed(update, context, shown.text, reply_markup=shown.keyboard)


async def profile_button(update: Update, context: BotContext) -> None:
    """"Show the profile": a coordinator posts the plan's profile to the group."""
    choice = pressed(context, callbacks.DesignProfile)
    chat = await remember_chat(update, context)
    data = context.bot_data
    if not await service.is_coordinator(data, chat, update.effective_user.id):
        await alert(update, context, "designtests.coordinators_only")
        return
    change = await service.show(data, chat, choice.action_id)
    if change is not Change.DONE:
        await alert(update, context, "designtests.gone" if change is Change.GONE
                    else "designtests.up_to_date")
        return
    action = await context.store.actions.get(choice.action_id)
    await answer_button(update, context)
    await send_to(context, chat.id, await service.profile_text(data, chat, action))
    if action.message_id is not None:
        # The action's own message shows the averages too.
        card = await actions_service.card(data, chat, action)
        await edit(context, chat.id, action.message_id, card.text, reply_markup=card.keyboard)
