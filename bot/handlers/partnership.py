"""/partner, /unpartner and /partnership, and their buttons.

Every button is checked again against the database: the partnership must
still exist and include the chat, and the person pressing must coordinate
that side; the ids on a button are never trusted on their own.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.arguments import echo
from bot.domain.partner_link import Partnership
from bot.domain.partnership import Side
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, is_group, remember_chat
from bot.handlers.guards import require_coordinator, say
from bot.handlers.replies import alert, answer_button, edit_pressed, reply
from bot.render import callbacks
from bot.render import partner_link as render
from bot.runtime.context import BotContext
from bot.services import coordinators, partnership
from bot.services.delivery import Undeliverable


async def partner(update: Update, context: BotContext) -> None:
    """/partner: a one-time code for a group of the other side.
    /partner CODE: use the other group's code and become partners."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    data, catalog = context.bot_data, context.catalog
    typed = " ".join(context.args or []).strip()
    if typed:
        linked = await partnership.redeem(data, chat.id, typed)
        if linked.refusal is None:
            await partnership.announce_link(context.bot, data, linked.partnership)
            return
        issuer = (linked.issuer.title if linked.issuer else None) or ""
        await reply(update, context, render.refused(
            catalog, chat.language, linked.refusal, typed=echo(typed), partner=issuer))
        return
    side = await partnership.side_of(data, chat.id)
    if side is None:
        await say(update, context, "partner.refused_not_on_checklist")
        return
    code, expires_at = await partnership.issue_code(data, chat.id, side)
    await reply(update, context, render.code_issued(
        catalog, chat.language, side=side, code=code, title=chat.title or "",
        expires_at=expires_at, timezone=chat.timezone))


async def unpartner(update: Update, context: BotContext) -> None:
    """/unpartner: which partnership to end (when several), then a confirmation."""
    if not await require_coordinator(update, context):
        return
    chat = await remember_chat(update, context)
    titles = await partnership.to_end(context.bot_data, chat.id)
    if not titles:
        await say(update, context, "unpartner.none")
        return
    if len(titles) == 1:
        text, keyboard = render.confirm_end(context.catalog, chat.language, *titles[0])
    else:
        text, keyboard = render.choose_to_end(context.catalog, chat.language, titles)
    await reply(update, context, text, reply_markup=keyboard)


async def unpartner_button(update: Update, context: BotContext) -> None:
    choice = pressed(context, callbacks.Unpartner)
    query = update.callback_query
    chat_id = query.message.chat.id
    catalog = context.catalog
    language = await chat_language(update, context)
    if not await context.store.coordinators.is_coordinator(chat_id, query.from_user.id):
        await alert(update, context, "guard.coordinators_only")
        return
    if choice.step == "keep":
        await answer_button(update, context)
        key = "unpartner.kept_all" if choice.partnership_id is None else "unpartner.kept"
        await edit_pressed(update, context, catalog.text(language, key))
        return
    link = await context.store.partnerships.get(choice.partnership_id)
    if link is None or not link.includes(chat_id):
        await alert(update, context, "unpartner.gone")
        return
    await answer_button(update, context)
    partner_title = await partnership.title_of(context.bot_data, link.partner_of(chat_id))
    if choice.step == "pick":
        text, keyboard = render.confirm_end(catalog, language, link.id, partner_title)
        await edit_pressed(update, context, text, reply_markup=keyboard)
        return
    ended = await partnership.end(context.bot, context.bot_data, link, chat_id)
    key = "unpartner.done" if ended else "unpartner.gone"
    await edit_pressed(update, context, catalog.text(language, key, partner=partner_title))


async def partnership_command(update: Update, context: BotContext) -> None:
    """/partnership [agenda]: in a group, each partner apart, there; in a
    private chat, the coordinator's partnerships (a choice when several)."""
    agenda = (context.args or [""])[0].lower() == "agenda"
    data = context.bot_data
    if is_group(update.effective_chat):
        if not await require_coordinator(update, context):
            return
        chat = await remember_chat(update, context)
        partners = await partnership.partners_of(data, chat.id)
        if not partners:
            await say(update, context, "partnership.none")
        for link, _ in partners:
            await _show(context, chat.id, link, chat.id, agenda=agenda, in_private=False)
        return
    await remember_chat(update, context)
    user_id = update.effective_user.id
    choices = [(link, group, partner)
               for group in await coordinators.groups_of(data, user_id)
               for link, partner in await partnership.partners_of(data, group.id)]
    if not choices:
        await say(update, context, "partnership.no_groups")
    elif len(choices) == 1:
        link, group, _ = choices[0]
        await _show(context, user_id, link, group.id, agenda=agenda, in_private=True)
    else:
        language = await chat_language(update, context)
        text, keyboard = render.choose_partnership(context.catalog, language, [
            (link.id, link.side_of(group.id), group.title or "", partner.title or "")
            for link, group, partner in choices], agenda=agenda)
        await reply(update, context, text, reply_markup=keyboard)


async def partnership_button(update: Update, context: BotContext) -> None:
    """A partnership picked in private, or the agenda offered under it."""
    choice = pressed(context, callbacks.PartnershipView)
    query = update.callback_query
    link = await context.store.partnerships.get(choice.partnership_id)
    if link is None:
        await alert(update, context, "unpartner.gone")
        return
    group_id = link.chat_of(Side(choice.viewer))
    partner = await context.store.chats.get(link.partner_of(group_id))
    if not await context.store.coordinators.is_coordinator(group_id, query.from_user.id):
        await alert(update, context, "guard.coordinators_only")
        return
    if partner is None or not partner.active:
        await alert(update, context, "unpartner.gone")
        return
    await answer_button(update, context)
    await _show(context, query.from_user.id, link, group_id, agenda=choice.agenda,
                in_private=True)


async def _show(context: BotContext, to_chat_id: int, link: Partnership, group_id: int, *,
                agenda: bool, in_private: bool) -> None:
    try:
        if agenda:
            await partnership.send_agenda(context.bot, context.bot_data, to_chat_id, link,
                                          group_id)
        else:
            await partnership.send_view(context.bot, context.bot_data, to_chat_id, link,
                                        group_id, in_private=in_private)
    except Undeliverable:
        return  # delivery logged why; nothing more to say to a chat we cannot reach

