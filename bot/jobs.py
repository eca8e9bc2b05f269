"""Work done by the JobQueue rather than in reply to an update."""

from __future__ import annotations

import logging

from bot.context import BotContext
from bot.services import dispatch, questions

COUNT_JOB_PREFIX = "count:"
log = logging.getLogger(__name__)


def schedule_count_refresh(context: BotContext, prompt_id: int) -> None:
    """Edit the question's "N voices so far" soon, once for a burst of answers:
    at most one edit per question every `count_refresh_seconds`."""
    name = f"{COUNT_JOB_PREFIX}{prompt_id}"
    if context.job_queue.get_jobs_by_name(name):
        return
    context.job_queue.run_once(
        refresh_count, when=context.settings.count_refresh_seconds, data=prompt_id, name=name
    )


async def refresh_count(context: BotContext) -> None:
    await questions.refresh_count(context.bot, context.bot_data, context.job.data)


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
