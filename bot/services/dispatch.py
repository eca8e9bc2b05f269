"""The scheduler's tick: decide what is due, record it, and send the outbox.

The database is the truth: each enrolment holds its next due time (UTC).
A tick closes questions whose window ended, publishes "closing soon"
moments, opens every due question (each one step in the store, guarded by
the due time it read, so a tick racing /ask or another tick moves a
programme on once), records due summaries, digests and recaps, and sends
whatever the outbox holds, most urgent first, several chats at a time
(AIORateLimiter keeps the pace within Telegram's limits). Sending begins
with the first question recorded: the questions go out while the rest are
recorded, and everything else once all of them are. A round ends early,
between two enrolments and between two sends, once this process no longer
leads (it is stopping, or another replica took the lease): what it recorded
stays in the database for the next round.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot

from bot.domain.quiet import in_quiet_hours, quiet_hours_end
from bot.domain.records import Enrolment, Prompt
from bot.domain.schedule import Schedule, ScheduleError
from bot.runtime.context import BotData
from bot.services import actions, outbox, personal, questions, summaries
from bot.services.delivery import Outcome
from bot.services.planning import Planning
from bot.store.db import to_db_time

log = logging.getLogger(__name__)
# Enrolments read at once: small, since reading them holds the event loop
# while the questions already recorded are being sent.
_BATCH = 100
# Questions recorded ahead of those being sent (some ten seconds of sending).
_AHEAD = 300


class Planned(enum.StrEnum):
    """What planning did with a due enrolment."""

    OPENED = "opened"  # its question was recorded, to be sent
    HELD = "held"  # due in quiet hours: held until the morning
    SKIPPED = "skipped"  # nothing to ask (no chat or pack, a broken schedule, moved on)
    RESTED = "rested"  # a personal programme whose last prompts went unanswered: paused


@dataclass
class TickReport:
    opened: int = 0  # questions recorded this tick
    sent: int = 0  # questions that reached their chat this tick
    held: int = 0  # due in quiet hours: held until the morning
    closed: int = 0  # questions whose window ended
    closing_soon: int = 0
    summaries: int = 0  # summaries and recaps that reached their chat
    # Per enrolment due this tick: held or skipped, or what became of its
    # question's send.
    outcomes: dict[int, Planned | Outcome] = field(default_factory=dict)
    delivery: outbox.FlushReport = field(default_factory=outbox.FlushReport)


async def tick(bot: Bot, data: BotData, now: datetime | None = None) -> TickReport:
    now = now or data.now()
    report = TickReport()
    report.closed = len(await questions.close_expired(data, now))
    # The closing-soon moments of questions whose programme is due now are
    # published just before the next question closes them, the others
    # after planning: the first question need not wait for all of them.
    soon: dict[int, list[Prompt]] = {}
    for prompt in await _closing_soon(data, now):
        soon.setdefault(prompt.enrolment_id, []).append(prompt)
    questions_of: dict[int, int] = {}
    # Questions go out as soon as they are recorded, while the rest are
    # planned: the flush claims only questions until planning is finished,
    # then everything else that is due, most urgent first.
    planning = Planning(first="question", ahead=_AHEAD)
    sending = asyncio.create_task(outbox.flush(bot, data, planning=planning,
                                                scheduled=True))
    try:
        for _ in range(10_000):  # every pass moves what it handled out of the due set
            due = [e for e in await data.store.enrolments.due(now, _BATCH)
                   if e.id not in report.outcomes]
            if not due or not _leading(data):
                break
            data.tick_progress_at = data.now()
            for enrolment in due:
                if not _leading(data):
                    break  # stopping, or another replica leads: it plans the rest
                for prompt in soon.pop(enrolment.id, ()):
                    await _publish_closing_soon(bot, data, now, prompt, report)
                    await asyncio.sleep(0)
                outcome, row = await plan_one(data, enrolment, now)
                report.outcomes[enrolment.id] = outcome
                if row is not None:
                    questions_of[row] = enrolment.id
                    report.opened += 1
                    planning.added()
                report.held += outcome is Planned.HELD
                # Planning never keeps the loop from the sends for long,
                # nor runs far ahead of them.
                await asyncio.sleep(0)
                await planning.keep_pace()
        for prompt in sorted((p for ps in soon.values() for p in ps),
                             key=lambda p: (p.opened_at, p.id)):
            if not _leading(data):
                break
            await _publish_closing_soon(bot, data, now, prompt, report)
            await asyncio.sleep(0)
        if _leading(data):
            await summaries.plan_due(data, now)
            await actions.plan_checkins(data, now)
    except BaseException as error:
        planning.finish()
        if isinstance(error, asyncio.CancelledError):
            sending.cancel()
        # On a planning error, what was recorded is sent before it is raised.
        await asyncio.gather(sending, return_exceptions=True)
        raise
    planning.finish()
    report.delivery = await sending
    for row, outcome in report.delivery.outcomes.items():
        if row in questions_of:
            report.outcomes[questions_of[row]] = outcome
    report.sent = report.delivery.sent_by_kind.get("question", 0)
    report.summaries = (report.delivery.sent_by_kind.get("summary", 0)
                        + report.delivery.sent_by_kind.get("recap", 0))
    return report


def _leading(data: BotData) -> bool:
    """Whether this process still runs the scheduled work: a round stops
    planning (and sending, see outbox.Flush) once it does not."""
    return data.leadership is None or data.leadership.leading


async def plan_one(data: BotData, enrolment: Enrolment,
                   now: datetime) -> tuple[Planned, int | None]:
    """Open one due question (or hold it for quiet hours); return the
    outcome so far and the outbox row of the question, if one was made."""
    store = data.store
    chat = await store.chats.get(enrolment.chat_id)
    if chat is None:
        # The group may have become a supergroup since its programme was
        # read as due (a send in this very round can learn it): the
        # programme moved with it, and its question goes there.
        enrolment = await store.enrolments.get(enrolment.id) or enrolment
        chat = await store.chats.get(enrolment.chat_id)
    due_at = enrolment.next_due_at
    if chat is None or enrolment.pack_id not in data.packs:
        await store.prompts.move_on(enrolment.id, due_at, None)
        return Planned.SKIPPED, None
    # Quiet hours protect a group; a person chose their own time.
    if chat.is_group and in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        await store.enrolments.hold(
            enrolment.id, quiet_hours_end(now, chat.timezone, chat.quiet_start, chat.quiet_end))
        return Planned.HELD, None
    if not chat.is_group and await personal.rest_if_unanswered(data, enrolment):
        return Planned.RESTED, None
    try:
        schedule = Schedule(enrolment.cadence, enrolment.days, enrolment.local_time,
                            chat.timezone)
        # One catch-up after downtime, however many slots were missed: the
        # next time is computed from now, not from the missed slot.
        following = schedule.next_due(now, last_sent=due_at)
    except ScheduleError:
        log.warning("enrolment %s has a broken schedule; stopping it", enrolment.id)
        await store.prompts.move_on(enrolment.id, due_at, None)
        return Planned.SKIPPED, None
    opened = await questions.open_next(data, enrolment, to_db_time(due_at), chat=chat,
                                       expected_due=due_at, next_due_at=following)
    if opened is None or not opened.created:
        # Moved on meanwhile (paused, changed, another tick), or this slot
        # was opened before.
        return Planned.SKIPPED, None
    return Planned.OPENED, opened.sends[0]


async def _closing_soon(data: BotData, now: datetime) -> list[Prompt]:
    """Questions whose closing-soon moment has come, in the order they opened."""
    lead = timedelta(minutes=data.settings.closing_soon_minutes)
    return await data.store.prompts.closing_soon(now, lead)


async def _publish_closing_soon(
    bot: Bot, data: BotData, now: datetime, prompt: Prompt, report: TickReport
) -> None:
    chat = await data.store.chats.get(prompt.chat_id)
    if chat is None or (chat.is_group and in_quiet_hours(
            now, chat.timezone, chat.quiet_start, chat.quiet_end)):
        # Wait for the morning: a question closing at 09:00 is "closing
        # soon" at 08:00, when quiet hours end, not at 06:00.
        return
    if not await data.store.prompts.mark_closing_soon(prompt.id):
        return
    report.closing_soon += 1
    for hook in data.closing_soon_hooks:
        try:
            await hook(bot, data, prompt)
        except Exception as error:
            # One subscriber's failure must not stop the schedule.
            log.error("closing-soon hook %s failed for prompt %s: %s",
                      getattr(hook, "__name__", hook), prompt.id, type(error).__name__,
                      exc_info=(type(error), error, error.__traceback__))
