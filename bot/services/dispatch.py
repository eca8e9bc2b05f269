"""The scheduler's tick: every due question sent once, on time, within limits.

The database is the truth: each enrolment holds its next due time (UTC).
A tick closes questions whose window ended, publishes "closing soon"
moments, then sends whatever is due, oldest first, several chats at a time
(AIORateLimiter keeps the pace within Telegram's limits).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot

from bot.context import BotData
from bot.domain.quiet import in_quiet_hours, quiet_hours_end
from bot.domain.records import Enrolment
from bot.domain.schedule import Schedule, ScheduleError, is_late
from bot.services import questions, summaries
from bot.services.delivery import Undeliverable
from bot.store.db import to_db_time

log = logging.getLogger(__name__)
# A chat Telegram could not be reached for is tried again after this.
RETRY_UNREACHABLE_AFTER = timedelta(minutes=5)
_BATCH = 500


@dataclass
class TickReport:
    sent: int = 0
    held: int = 0
    failed: int = 0
    closed: int = 0
    closing_soon: int = 0
    summaries: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)


async def tick(bot: Bot, data: BotData, now: datetime | None = None) -> TickReport:
    now = now or data.now()
    report = TickReport()
    for prompt in await data.store.prompts.expired(now):
        report.closed += await questions.close(bot, data, prompt)
    await _publish_closing_soon(bot, data, now, report)
    limit = asyncio.Semaphore(data.settings.dispatch_concurrency)

    async def one(enrolment: Enrolment) -> None:
        async with limit:
            outcome = await dispatch_one(bot, data, enrolment, now)
        report.outcomes[enrolment.id] = outcome
        if outcome == "sent":
            report.sent += 1
        elif outcome == "held":
            report.held += 1
        else:
            report.failed += 1

    # Every enrolment handled leaves the due set (sent, held or moved on),
    # so this ends; the guard is only against a bug looping forever.
    for _ in range(10_000):
        due = [e for e in await data.store.enrolments.due(now, _BATCH)
               if e.id not in report.outcomes]
        if not due:
            break
        await asyncio.gather(*(one(enrolment) for enrolment in due))
    report.summaries = await summaries.post_due_summaries(bot, data, now)
    return report


async def dispatch_one(bot: Bot, data: BotData, enrolment: Enrolment, now: datetime) -> str:
    """Send one due question; return "sent", "held", "skipped" or the failure."""
    store = data.store
    chat = await store.chats.get(enrolment.chat_id)
    if chat is None or enrolment.pack_id not in data.packs:
        await store.enrolments.set_next_due(enrolment.id, None)
        return "skipped"
    # Quiet hours protect a group; a person chose their own time.
    if chat.is_group and in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        await store.enrolments.hold(
            enrolment.id, quiet_hours_end(now, chat.timezone, chat.quiet_start, chat.quiet_end)
        )
        return "held"
    due_at = enrolment.next_due_at
    try:
        schedule = Schedule(enrolment.cadence, enrolment.days, enrolment.local_time,
                            chat.timezone)
        following = schedule.next_due(now, last_sent=due_at)
    except ScheduleError:
        log.warning("enrolment %s has a broken schedule; stopping it", enrolment.id)
        await store.enrolments.set_next_due(enrolment.id, None)
        return "skipped"
    try:
        await questions.ask_next(
            bot, data, enrolment, to_db_time(due_at), late=is_late(due_at, now), chat=chat
        )
    except Undeliverable as failure:
        if failure.reason == "unreachable":
            await store.enrolments.hold(enrolment.id, now + RETRY_UNREACHABLE_AFTER)
        elif failure.reason == "refused":
            # This occurrence cannot be sent; the next one may be.
            await store.enrolments.set_next_due(enrolment.id, following)
        return failure.reason
    # One catch-up after downtime, however many slots were missed: the next
    # time is computed from now, not from the missed slot.
    await store.enrolments.set_next_due(enrolment.id, following)
    return "sent"


async def _publish_closing_soon(
    bot: Bot, data: BotData, now: datetime, report: TickReport
) -> None:
    lead = timedelta(minutes=data.settings.closing_soon_minutes)
    for prompt in await data.store.prompts.closing_soon(now, lead):
        chat = await data.store.chats.get(prompt.chat_id)
        if chat is None or (chat.is_group and in_quiet_hours(
                now, chat.timezone, chat.quiet_start, chat.quiet_end)):
            # Wait for the morning: a question closing at 09:00 is "closing
            # soon" at 08:00, when quiet hours end, not at 06:00.
            continue
        if not await data.store.prompts.mark_closing_soon(prompt.id):
            continue
        report.closing_soon += 1
        for hook in data.closing_soon_hooks:
            try:
                await hook(bot, data, prompt)
            except Exception:
                # One subscriber's failure must not stop the schedule.
                log.exception("closing-soon hook %r failed for prompt %s", hook, prompt.id)
