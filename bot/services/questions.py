"""Putting a question to a group, keeping its count fresh, and closing it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest

from bot.context import BotData
from bot.domain.programme import next_question
from bot.domain.records import Chat, Enrolment, Prompt
from bot.domain.schedule import is_late
from bot.render import personal
from bot.render import question as render
from bot.services import partnership
from bot.services.delivery import deliver
from bot.store.db import from_db_time

log = logging.getLogger(__name__)


async def ask_next(
    bot: Bot, data: BotData, enrolment: Enrolment, slot: str, *, late: bool = False,
    chat: Chat | None = None,
) -> Prompt | None:
    """Put the next question of a programme to its chat, closing the open one.

    The prompt row (unique per enrolment and slot) is written before the
    message is sent and the programme moves on in the same transaction, so
    asking the same slot again never sends a second message; a prompt whose
    send never completed (a crash, an outage) is sent when its slot is asked
    again. Raises Undeliverable when Telegram cannot take it.
    """
    store, packs = data.store, data.packs
    chat = chat or await store.chats.get(enrolment.chat_id)
    pack = packs.get(enrolment.pack_id)
    if chat is None or pack is None:
        log.warning("enrolment %s refers to a missing chat or pack", enrolment.id)
        return None
    upcoming = next_question(enrolment.cursor, len(pack.items))
    closes_at = (
        data.now() + timedelta(minutes=chat.close_after_minutes)
        if chat.close_after_minutes else None
    )
    prompt, created = await store.prompts.open(
        enrolment.id, slot, chat_id=chat.id, pack_id=pack.id,
        item_id=pack.items[upcoming.index].id, closes_at=closes_at,
        cursor_after=upcoming.cursor_after,
    )
    if not created and (prompt.message_id is not None or not prompt.is_open):
        return prompt
    for earlier in await store.prompts.open_for_chat(chat.id):
        if earlier.id != prompt.id:
            await close(bot, data, earlier)
    item = pack.item(prompt.item_id) or pack.items[upcoming.index]
    if chat.is_group:
        text = render.group_question(data.catalog, chat.language, pack, item, answered=0,
                                     late=late,
                                     note=await partnership.question_note(data, chat, pack, item))
        keyboard = render.group_keyboard(
            data.catalog, chat.language, pack, item, prompt.id, bot.username
        )
    else:
        text = personal.personal_question(data.catalog, chat.language, pack, item,
                                          position=item.position, total=len(pack.items))
        keyboard = personal.personal_keyboard(data.catalog, chat.language, pack, item, prompt.id)
    message, _ = await deliver(
        data, chat.id, "sendMessage",
        lambda chat_id: bot.send_message(chat_id, text, reply_markup=keyboard),
    )
    await store.prompts.set_message(prompt.id, message.message_id)
    return await store.prompts.get(prompt.id)


async def close(bot: Bot, data: BotData, prompt: Prompt) -> bool:
    """Close a question: no more answers, keyboard removed, final count shown."""
    if not await data.store.prompts.close(prompt.id):
        return False
    chat = await data.store.chats.get(prompt.chat_id)
    # A personal prompt stays as it was; a tap on it afterwards is told it closed.
    if chat is not None and chat.is_group:
        await _edit(bot, data, prompt, closed=True)
    return True


async def refresh_count(bot: Bot, data: BotData, prompt_id: int) -> None:
    prompt = await data.store.prompts.get(prompt_id)
    chat = await data.store.chats.get(prompt.chat_id) if prompt else None
    if prompt is not None and prompt.is_open and chat is not None and chat.is_group:
        await _edit(bot, data, prompt, closed=False)


def _scheduled_time(prompt: Prompt) -> datetime | None:
    """Scheduled prompts use their due time as slot; /ask and /skip do not."""
    try:
        return from_db_time(prompt.slot)
    except ValueError:
        return None


async def _edit(bot: Bot, data: BotData, prompt: Prompt, *, closed: bool) -> None:
    if prompt.message_id is None:
        return
    chat = await data.store.chats.get(prompt.chat_id)
    pack = data.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    if chat is None or item is None or not chat.active:
        return
    answered = await data.store.answers.count_for_prompt(prompt.id)
    text = render.group_question(
        data.catalog, chat.language, pack, item, answered=answered, closed=closed,
        late=is_late(_scheduled_time(prompt), prompt.opened_at),
        note=await partnership.question_note(data, chat, pack, item),
    )
    markup = None if closed else render.group_keyboard(
        data.catalog, chat.language, pack, item, prompt.id, bot.username
    )
    try:
        await bot.edit_message_text(
            text, chat_id=chat.id, message_id=prompt.message_id, reply_markup=markup
        )
    except BadRequest as error:
        # "message is not modified" (count unchanged) or a deleted message:
        # neither is worth more than a note.
        log.info("could not edit question %s in chat %s: %s", prompt.id, chat.id, error)
