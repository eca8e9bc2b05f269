"""What the two wizards (/setup in a group, /programme in private) share."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.setup import WizardDraft
from bot.handlers.replies import reply
from bot.runtime.context import BotContext


async def send_wizard(
    update: Update, context: BotContext, draft: WizardDraft, text: str,
    keyboard: InlineKeyboardMarkup,
) -> None:
    """Post a wizard's first step and keep its draft against that message, so
    each button press finds its wizard (after a restart too)."""
    message = await reply(update, context, text, reply_markup=keyboard)
    if message is None:
        return
    await context.store.drafts.save(
        update.effective_chat.id, message.message_id, draft.user_id, draft.to_dict()
    )
