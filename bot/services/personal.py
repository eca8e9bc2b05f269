"""Personal reflection: starting a programme, answering, putting off, recaps."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot

from bot.domain import onboarding
from bot.domain.programme import next_question
from bot.domain.recap import weekly_recap
from bot.domain.records import Chat, OutboxItem, Prompt
from bot.domain.schedule import next_weekly
from bot.render import personal as render
from bot.runtime.context import BotData
from bot.services import outbox
from bot.services.delivery import Attempt, attempt

log = logging.getLogger(__name__)
LATER = timedelta(hours=1)
RECAP_WINDOW = timedelta(days=7)


async def start_programme(data: BotData, chat: Chat, draft: onboarding.OnboardingDraft,
                          now: datetime) -> datetime:
    """Begin (or change) a person's programme; return when the first prompt comes."""
    store = data.store
    schedule = draft.schedule()
    updated = await store.chats.update(
        chat.id, timezone=draft.timezone, timezone_chosen=True, recap_day=draft.recap_day,
        recap_time=draft.local_time,
    )
    await store.chats.update(chat.id, next_recap_at=next_recap_time(updated, now))
    first = schedule.next_due(now)
    await store.enrolments.start(chat.id, draft.pack_id, cadence=schedule.cadence,
                                 days=schedule.days, local_time=schedule.local_time,
                                 next_due_at=first)
    return first


def next_recap_time(chat: Chat, after: datetime) -> datetime | None:
    """The next recap moment; None when the person chose no recap."""
    if chat.recap_day is None or chat.recap_time is None:
        return None
    return next_weekly(chat.recap_day, chat.recap_time, chat.timezone, after)


async def open_prompt(data: BotData, chat_id: int) -> Prompt | None:
    """The personal prompt waiting for an answer, the newest if several."""
    waiting = await data.store.prompts.open_for_chat(chat_id)
    return waiting[-1] if waiting else None


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
    recap = weekly_recap(entries, week_start=end - RECAP_WINDOW, week_end=end, next_item=ahead)
    if recap is None:
        return outbox.skipped(item.chat_id, "a quiet week")
    text = render.recap_text(data.catalog, chat.language, recap, data.packs)
    return await attempt(data, chat.id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text))
