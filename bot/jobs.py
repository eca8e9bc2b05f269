"""Work done by the JobQueue rather than in reply to an update."""

from __future__ import annotations

import logging

from bot.context import BotContext
from bot.services import dispatch

log = logging.getLogger(__name__)


async def dispatch_tick(context: BotContext) -> None:
    report = await dispatch.tick(context.bot, context.bot_data, context.bot_data.clock())
    if report.sent or report.failed or report.held:
        log.info("tick: %d sent, %d held for quiet hours, %d failed, %d closed",
                 report.sent, report.held, report.failed, report.closed)


def schedule_dispatch(application, interval: float) -> None:
    """One repeating job for every chat's schedule (the database says what is
    due); it never overlaps itself and a late tick simply runs late."""
    application.job_queue.run_repeating(
        dispatch_tick, interval=interval, first=1, name="dispatch",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
