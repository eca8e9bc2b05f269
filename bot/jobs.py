"""Work done by the JobQueue rather than in reply to an update."""

from __future__ import annotations

from bot.context import BotContext
from bot.services import questions

COUNT_JOB_PREFIX = "count:"


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
