"""When things happen in a chat, changed by command: its time zone, the
group's weekly summary, its questions' window and quiet hours, pausing and
resuming its programme.

A change that moves other moments with it (a time zone moves the next
summary or recap and the next question) is one step in the store
(store.programmes), with what follows computed here, from the rows as they
are inside that step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.records import Chat, Enrolment
from bot.domain.schedule import Schedule, ScheduleError
from bot.runtime.context import BotData
from bot.services.personal import next_recap_time
from bot.services.summaries import next_summary_time
from bot.store.programmes import Changed, Follow, Plan


def weekly_moment(now: datetime) -> Follow:
    """What follows from a chat's settings: a group's next summary, a
    person's next recap."""

    def follow(chat: Chat) -> Mapping[str, object]:
        if chat.is_group:
            return {"next_summary_at": next_summary_time(chat, now)}
        return {"next_recap_at": next_recap_time(chat, now)}

    return follow


def next_question(now: datetime) -> Plan:
    """A running programme's next question time from `now`; nothing for a
    paused one or one whose schedule no longer makes sense."""

    def plan(enrolment: Enrolment, chat: Chat, last_opened: datetime | None) -> datetime | None:
        if enrolment.paused:
            return None
        try:
            schedule = Schedule(enrolment.cadence, enrolment.days, enrolment.local_time,
                                chat.timezone)
        except ScheduleError:
            return None
        # Fortnightly programmes keep their rhythm from the last question asked.
        return schedule.next_due(now, last_sent=last_opened)

    return plan


async def change_timezone(data: BotData, chat: Chat, timezone: str) -> Changed:
    """/timezone outside a wizard: the chat's zone (a person's is then theirs
    by choice, not asked again), its weekly moment and its next question follow."""
    settings: dict[str, object] = {"timezone": timezone}
    if not chat.is_group:
        settings["timezone_chosen"] = True
    now = data.now()
    return await data.store.programmes.change(chat.id, settings, follow=weekly_moment(now),
                                              plan=next_question(now))


async def set_summary_time(data: BotData, chat_id: int, day: str, clock: str) -> Chat | None:
    """/summarytime: the weekly summary's day and time; a summary held back
    by quiet hours is let go, and the next one comes at the new time."""
    changed = await data.store.programmes.change(
        chat_id, {"summary_day": day, "summary_time": clock, "summary_hold_until": None},
        follow=weekly_moment(data.now()))
    return changed.chat


async def pause(data: BotData, enrolment: Enrolment) -> None:
    await data.store.enrolments.set_paused(enrolment.id, True)


async def resume(data: BotData, chat_id: int) -> datetime | None:
    """/resume: the programme runs again from now; when its next question comes."""
    changed = await data.store.programmes.change(chat_id, paused=False,
                                                 plan=next_question(data.now()))
    return changed.next_due


async def set_window(data: BotData, chat_id: int, hours: int | None) -> None:
    """/window: how long each question stays open (None: until the next one)."""
    await data.store.chats.update(chat_id,
                                  close_after_minutes=None if hours is None else hours * 60)


async def set_quiet_hours(data: BotData, chat_id: int, hours: tuple[str, str] | None) -> None:
    """/quiethours: when nothing is sent (None: never quiet)."""
    start, end = hours or ("00:00", "00:00")
    await data.store.chats.update(chat_id, quiet_start=start, quiet_end=end)
