"""Personal reflection: starting a programme, answering, putting off, recaps."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot

from bot.context import BotData
from bot.domain import onboarding
from bot.domain.programme import next_question
from bot.domain.recap import weekly_recap
from bot.domain.records import Chat, Prompt
from bot.domain.schedule import next_weekly
from bot.domain.weeks import period_label, week_of
from bot.render import personal as render
from bot.services.delivery import Undeliverable, deliver
from bot.services.questions import close

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


async def put_off(bot: Bot, data: BotData, chat_id: int, now: datetime) -> datetime | None:
    """/later: close the waiting prompt and ask the same one again in an hour."""
    store = data.store
    prompt = await open_prompt(data, chat_id)
    enrolment = await store.enrolments.active_for(chat_id)
    if prompt is None or enrolment is None or prompt.enrolment_id != enrolment.id:
        return None
    await close(bot, data, prompt)
    again = now + LATER
    # Step the programme back so the same prompt comes again.
    await store.enrolments.advance(enrolment.id, max(enrolment.cursor - 1, 0), again)
    return again


async def send_recap(bot: Bot, data: BotData, chat: Chat, now: datetime) -> bool:
    """The weekly recap: nothing when paused or when the week had no answers."""
    store = data.store
    enrolment = await store.enrolments.active_for(chat.id)
    if enrolment is None or enrolment.paused:
        return False
    period = period_label(week_of(now, chat.timezone))
    entries = await store.journal.between(chat.id, now - RECAP_WINDOW, now)
    pack = data.packs.get(enrolment.pack_id)
    ahead = None
    if pack is not None:
        upcoming = pack.items[next_question(enrolment.cursor, len(pack.items)).index]
        ahead = (pack.id, upcoming.id)
    recap = weekly_recap(entries, week_start=now - RECAP_WINDOW, week_end=now, next_item=ahead)
    if recap is None or not await store.digests.record(chat.id, "recap", period):
        return False
    text = render.recap_text(data.catalog, chat.language, recap, data.packs)
    try:
        await deliver(data, chat.id, "sendMessage", lambda chat_id: bot.send_message(chat_id, text))
    except Undeliverable:
        return False
    return True
