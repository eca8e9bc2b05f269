"""Keeping an enrolment's next due time right when its settings change."""

from __future__ import annotations

from datetime import datetime

from bot.domain.schedule import Schedule, ScheduleError
from bot.runtime.context import BotData


async def reschedule(data: BotData, chat_id: int) -> datetime | None:
    """Recompute the next question time of a chat's running programme from
    now (after a time-zone change or /resume). None if nothing is scheduled."""
    store = data.store
    enrolment = await store.enrolments.active_for(chat_id)
    chat = await store.chats.get(chat_id)
    if enrolment is None or chat is None or enrolment.paused:
        return None
    try:
        schedule = Schedule(enrolment.cadence, enrolment.days, enrolment.local_time,
                            chat.timezone)
    except ScheduleError:
        return None
    # Fortnightly programmes keep their rhythm from the last question asked.
    last = await store.prompts.last_slot_time(enrolment.id)
    next_due = schedule.next_due(data.now(), last_sent=last)
    await store.enrolments.set_next_due(enrolment.id, next_due)
    return next_due
