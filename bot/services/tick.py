"""Work done by the JobQueue rather than in reply to an update."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.runtime.context import BotContext
from bot.runtime.leader import LEASE_CHECK_SECONDS
from bot.runtime.rate_sharing import SHARE_SECONDS
from bot.services import dispatch
from bot.services.delivery import Outcome

log = logging.getLogger(__name__)
# What the tick's log line counts as failed (kept for a retry, or not sent).
_FAILED = (Outcome.RETRY, Outcome.GIVEN_UP, Outcome.GONE, Outcome.REFUSED)


async def dispatch_tick(context: BotContext) -> None:
    data = context.bot_data
    now = data.clock()
    # The scheduler is alive (for /healthz), whether or not this replica leads.
    data.last_tick_at = now
    data.tick_progress_at = now
    # Rows this process claimed and could not give back when its round
    # ended (the database was away) are given back now, leading or not: a
    # replica that lost the lead meanwhile would otherwise hold them for
    # their claim's whole lease, alive, so that no one else takes them.
    await give_back_unreleased(data)
    if data.leadership is not None and not data.leadership.leading:
        return
    if data.leadership is not None and data.leadership.shared:
        # Claims of a replica that died since the last tick are free again.
        await data.store.outbox.release_claims()
    waiting = await data.store.enrolments.due(now, 1)
    data.metrics.ticked(now.timestamp(), (now - waiting[0].next_due_at).total_seconds()
                        if waiting else 0.0)
    report = await dispatch.tick(context.bot, data, now)
    failed = sum(report.delivery.total(outcome) for outcome in _FAILED)
    if report.sent or failed or report.held:
        log.info("tick: %d sent, %d held for quiet hours, %d failed, %d closed",
                 report.sent, report.held, failed, report.closed)


async def keep_lease(context: BotContext) -> None:
    """Take over the scheduled work if no live replica holds it."""
    data = context.bot_data
    if data.leadership is None:
        return
    if await data.leadership.check():
        # The leader before may have died holding claims; what is due waits
        # for no minute.
        released = await data.store.outbox.release_claims()
        if released:
            log.info("released %d outbox claims of a process that is gone", released)
        await give_back_unreleased(data)
        # The same job, brought forward: it never runs twice at once.
        for job in context.job_queue.get_jobs_by_name("dispatch"):
            job.job.modify(next_run_time=datetime.now(UTC))


async def give_back_unreleased(data) -> None:
    """Rows a round ended early could not give back (the database was away):
    given back now. Only rows known unsent: one whose outcome this process
    still holds in memory stays claimed until it is written."""
    leadership = data.leadership
    if leadership is None or not leadership.unreleased:
        return
    rows = sorted(leadership.unreleased)
    await data.store.outbox.release(rows)
    leadership.unreleased.difference_update(rows)


async def share_rate(context: BotContext) -> None:
    """Replicas: offer or take a share of Telegram's rate (bot.runtime.rate_sharing)."""
    if context.bot_data.rate_sharing is not None:
        await context.bot_data.rate_sharing.step()


def schedule_dispatch(application, interval: float) -> None:
    """One repeating job for every chat's schedule (the database says what is
    due); it never overlaps itself and a late tick simply runs late. With
    replicas on PostgreSQL, a second job keeps or takes the leader's lease."""
    application.job_queue.run_repeating(
        dispatch_tick, interval=interval, first=1, name="dispatch",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    if application.bot_data.settings.database_url:
        application.job_queue.run_repeating(
            keep_lease, interval=LEASE_CHECK_SECONDS, first=LEASE_CHECK_SECONDS,
            name="leader-lease",
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
    if application.bot_data.rate_sharing is not None:
        application.job_queue.run_repeating(
            share_rate, interval=SHARE_SECONDS, first=0.1, name="rate-share",
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
