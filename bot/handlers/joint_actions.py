"""/jointaction in a linked group, and the "joint action" buttons under the
partnership agenda.

Only a coordinator proposes; every press is checked again against the
database (the partnership still stands, the presser coordinates the side
the button was shown to); the ids on a button are never trusted alone.
"""

from __future__ import annotations

from telegram import ForceReply, Update

from bot.domain.partnership import Side
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, message_content, remember_chat
from bot.handlers.guards import remember_member, require_coordinator, say
from bot.handlers.replies import alert, answer_button, reply, send_to
from bot.render import callbacks
from bot.render import joint_actions as render
from bot.runtime.context import BotContext
from bot.services import joint_actions as service


async def jointaction_command(update: Update, context: BotContext) -> None:
    """/jointaction <pair number> <what both groups will do>."""
    if not await require_coordinator(update, context):
        return
    await remember_member(update, context)
    chat = await remember_chat(update, context)
    raw = ((update.effective_message.text or "").split(None, 1)[1:] or [""])[0]
    number, text = [*raw.split(None, 1), "", ""][:2]
    if not number.isascii() or not number.isdigit() or len(number) > 3 or not text.strip():
        await say(update, context, "joint.how")
        return
    proposed = await service.propose(context.bot_data, chat, update.effective_user.id,
                                     int(number), text)
    if proposed.refusal is not None:
        await say(update, context, proposed.refusal, **proposed.values)
        return
    await say(update, context, "joint.proposed")
    await service.post(context.bot, context.bot_data, proposed.joint)


async def propose_button(update: Update, context: BotContext) -> None:
    """A pair on the agenda: how to propose a joint action on it."""
    choice = pressed(context, callbacks.JointPropose)
    query = update.callback_query
    link = await context.store.partnerships.get(choice.partnership_id)
    if link is None:
        await alert(update, context, "joint.gone")
        return
    group_id = link.chat_of(Side(choice.viewer))
    if not await context.store.coordinators.is_coordinator(group_id, query.from_user.id):
        await alert(update, context, "guard.coordinators_only")
        return
    partner = await context.store.chats.get(link.partner_of(group_id))
    if partner is None or not partner.active:
        await alert(update, context, "joint.gone")
        return
    group = await context.store.chats.get(group_id)
    if query.message is not None and query.message.chat.id == group_id:
        # In the group: the command to send there.
        await answer_button(update, context)
        await reply(update, context, render.button_how(context.catalog, group.language,
                                                       choice.pair))
        return
    # In a private chat: the next message there is the joint action's line.
    language = await chat_language(update, context)
    user_id = query.from_user.id
    if not await service.want_words(context.bot_data, user_id, link.id, Side(choice.viewer),
                                    choice.pair):
        await answer_button(update, context, context.catalog.text(language, "joint.ask_again"))
        return
    await answer_button(update, context)
    asked = await send_to(context, user_id, render.ask_words(context.catalog, language,
                                                             choice.pair),
                          reply_markup=ForceReply(selective=True))
    if asked is not None:
        await service.words_asked(context.bot_data, user_id, asked.message_id)


async def took_proposal(update: Update, context: BotContext) -> bool:
    """Whether a private message was a coordinator's line for the joint
    action they asked for under the agenda (then it is proposed, as
    /jointaction would, and both groups see it)."""
    message = update.effective_message
    text, _ = message_content(message)
    if text is None:
        return False
    user_id = update.effective_user.id
    replied = message.reply_to_message.message_id if message.reply_to_message else None
    draft = await service.take_draft(context.bot_data, user_id, replied)
    if draft is None:
        return False
    link = await context.store.partnerships.get(draft.partnership_id)
    group = await context.store.chats.get(link.chat_of(Side(draft.side))) if link else None
    if group is None:
        await say(update, context, "joint.gone")
        return True
    if not await context.store.coordinators.is_coordinator(group.id, user_id):
        await say(update, context, "guard.coordinators_only")
        return True
    proposed = await service.propose(context.bot_data, group, user_id, draft.pair_number,
                                     text, draft.partnership_id)
    if proposed.refusal is not None:
        await say(update, context, proposed.refusal, **proposed.values)
        return True
    await say(update, context, "joint.proposed")
    await service.post(context.bot, context.bot_data, proposed.joint)
    return True


