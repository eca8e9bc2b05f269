"""Personal reflection: answering one's own prompts, skipping and putting
off, the journal, recaps. (A programme starts in services.setup.)"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot

from bot.domain.commitments import Commitment, of_the_week
from bot.domain.programme import next_question
from bot.domain.recap import JournalEntry, weekly_recap
from bot.domain.records import Chat, Enrolment, Opened, OutboxItem, Prompt
from bot.domain.resting import REST_AFTER
from bot.domain.schedule import next_weekly
from bot.render import personal as render
from bot.runtime.context import BotData
from bot.services import outbox, questions
from bot.services.delivery import Attempt, attempt
from bot.store.db import to_db_time

log = logging.getLogger(__name__)
LATER = timedelta(hours=1)
RECAP_WINDOW = timedelta(days=7)


def next_recap_time(chat: Chat, after: datetime) -> datetime | None:
    """The next recap moment; None when the person chose no recap."""
    if chat.recap_day is None or chat.recap_time is None:
        return None
    return next_weekly(chat.recap_day, chat.recap_time, chat.timezone, after)


async def open_prompt(data: BotData, chat_id: int) -> Prompt | None:
    """The personal prompt waiting for an answer, the newest if several."""
    waiting = await data.store.prompts.open_for_chat(chat_id)
    return waiting[-1] if waiting else None


async def answered_prompt(data: BotData, chat_id: int,
                          replied_message_id: int | None) -> Prompt | None:
    """The person's own prompt a message answers: the one it replies to, else
    the one waiting."""
    replied = (await data.store.prompts.by_message(chat_id, replied_message_id)
               if replied_message_id is not None else None)
    return replied or await open_prompt(data, chat_id)


async def save_answer(data: BotData, prompt: Prompt, chat_id: int, *, text: str | None,
                      voice: str | None, message_id: int) -> bool:
    """An answer to one of the person's own prompts, in their journal. True
    if it was added to what they had written there before."""
    _, added = await data.store.answers.add_message(
        prompt.id, chat_id, text=text, voice_file_id=voice, visibility="private",
        message_id=message_id)
    data.metrics.answer_saved("journal")
    return added


async def change_answer(data: BotData, user_id: int, message_id: int, *, text: str | None,
                        voice: str | None) -> None:
    """An edited journal answer replaces what that message had saved (its
    old wording is kept)."""
    prompt_id = await data.store.journal.answer_by_message(user_id, message_id)
    if prompt_id is not None and (text or voice):
        await data.store.answers.edit_message(prompt_id, user_id, message_id, text=text,
                                              voice_file_id=voice)


async def skip(bot: Bot, data: BotData, enrolment: Enrolment, chat: Chat,
               slot: str) -> Opened | None:
    """/skip: the waiting prompt is passed over (unless answered: an answer is
    never lost) and the next one comes now, as one step."""
    return await questions.ask_now(bot, data, enrolment, slot, chat=chat, pass_over=chat.id)


async def journal_page(data: BotData, chat_id: int, page: int,
                       pack_id: str | None) -> tuple[list[JournalEntry], int, int]:
    """(entries, page, pages): a page of the journal, newest first; a page
    past the end is the last one."""
    pages = render.page_count(await data.store.journal.count(chat_id, pack_id))
    page = min(page, pages)
    entries = await data.store.journal.page(chat_id, offset=(page - 1) * render.PAGE_SIZE,
                                            limit=render.PAGE_SIZE, pack_id=pack_id)
    return entries, page, pages


async def commitments_by_prompt(data: BotData, chat_id: int) -> dict[int, Commitment]:
    """The person's commitments, by the prompt whose answer each came from."""
    return {c.prompt_id: c for c in await data.store.commitments.of_person(chat_id)
            if c.prompt_id is not None}


async def put_off(data: BotData, chat_id: int, now: datetime) -> datetime | None:
    """/later: the waiting prompt closes and the same one comes again in an
    hour (one step in the store); None if nothing is waiting."""
    again = now + LATER
    return again if await data.store.prompts.put_off(chat_id, again) is not None else None


async def send_recap(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for a weekly recap: nothing when paused or when
    the week had no answers."""
    store = data.store
    chat = await store.chats.get(item.chat_id)
    enrolment = await store.enrolments.active_for(item.chat_id)
    if chat is None or enrolment is None or enrolment.paused:
        return outbox.skipped(item.chat_id, "no running programme")
    # The week before the moment the recap was due.
    end = item.created_at
    entries = await store.journal.between(chat.id, end - RECAP_WINDOW, end)
    pack = data.packs.get(enrolment.pack_id)
    ahead = None
    if pack is not None:
        upcoming = pack.items[next_question(enrolment.cursor, len(pack.items)).index]
        ahead = (pack.id, upcoming.id)
    made = of_the_week(await store.commitments.of_person(chat.id), end - RECAP_WINDOW, end)
    recap = weekly_recap(entries, week_start=end - RECAP_WINDOW, week_end=end, next_item=ahead,
                         commitments=made)
    if recap is None:
        return outbox.skipped(item.chat_id, "a quiet week")
    text = render.recap_text(data.catalog, chat.language, recap, data.packs)
    return await attempt(data, chat.id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text))


async def rest_if_unanswered(data: BotData, enrolment: Enrolment) -> bool:
    """Before a personal programme's next prompt: pause it instead, with a
    note saying so, when its last prompts went unanswered (bot.domain.resting)."""
    due_at = enrolment.next_due_at
    rested = await data.store.enrolments.rest_if_unanswered(
        enrolment.id, due_at, key=f"rest:{enrolment.id}:{to_db_time(due_at)}")
    if rested:
        log.info("enrolment %s rests: its last %d prompts went unanswered", enrolment.id,
                 REST_AFTER)
    return rested


async def send_rest_note(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for the note that a personal programme is resting:
    nothing if the person carried on meanwhile."""
    store = data.store
    chat = await store.chats.get(item.chat_id)
    enrolment = await store.enrolments.active_for(item.chat_id)
    if chat is None or enrolment is None or not enrolment.paused:
        return outbox.skipped(item.chat_id, "running again")
    text = render.rested_text(data.catalog, chat.language, REST_AFTER)
    return await attempt(data, chat.id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text))
