"""The offer to make a personal answer a commitment, in the private chat.
(The commitment's check-in is an action's: bot/handlers/actions.py.)"""

from __future__ import annotations

from telegram import Update

from bot.domain.records import Chat, Prompt
from bot.handlers.buttons import pressed
from bot.handlers.common import remember_chat
from bot.handlers.replies import alert, answer_button, edit_pressed, reply
from bot.render import callbacks
from bot.render import commitments as render
from bot.runtime.context import BotContext
from bot.services import commitments as service
from bot.store.actions import Change


async def offer(update: Update, context: BotContext, chat: Chat, prompt: Prompt,
                answer: str | None) -> None:
    """After a personal answer is saved: the offer, when its prompt makes one."""
    shown = service.offer(context.bot_data, chat, prompt, answer)
    if shown is not None:
        await reply(update, context, shown.text, reply_markup=shown.keyboard)


async def commit_button(update: Update, context: BotContext) -> None:
    """A date on the offer (the commitment is made, or its date changed) or
    "No thanks" (none, or none any more). A press repeated changes nothing."""
    choice = pressed(context, callbacks.Commit)
    chat = await remember_chat(update, context)
    if chat.id != update.effective_user.id:
        # A private chat has its one person: anyone else finds nothing here.
        await alert(update, context, "commitments.gone")
        return
    chosen = await service.choose(context.bot_data, chat, choice.prompt_id, choice.choice)
    if chosen.change is Change.GONE:
        await alert(update, context, "commitments.gone")
        return
    if chosen.change is Change.CLOSED:
        await alert(update, context, "commitments.kept")
        return
    if chosen.change is Change.SAME:
        await answer_button(update, context,
                            context.catalog.text(chat.language, "commitments.same"))
        return
    await answer_button(update, context)
    if chosen.commitment is None:
        await edit_pressed(update, context,
                           context.catalog.text(chat.language, "commitments.declined"))
        return
    # The offer stays under the commitment until its day: another date, or
    # no thanks after all.
    await edit_pressed(update, context,
                       render.made(context.catalog, chat.language, chosen.commitment,
                                   chat.timezone),
                       reply_markup=render.offer_keyboard(context.catalog, chat.language,
                                                          choice.prompt_id))
