"""The live "N people have answered" line under a question, edited once per burst.

Telegram allows about 20 messages a minute per group, so a burst of taps
costs one edit: the first answer schedules a refresh a few seconds later and
the rest of the burst finds it already pending. Pending questions are kept in
a set, so checking costs the same however many questions are waiting.
"""

from __future__ import annotations

from telegram.ext import JobQueue

from bot.context import BotContext
from bot.services import questions

JOB_PREFIX = "count:"


class CountRefresher:
    def __init__(self, delay_seconds: float):
        self.delay_seconds = delay_seconds
        self._pending: set[int] = set()

    def soon(self, job_queue: JobQueue, prompt_id: int) -> None:
        """Edit the question's count after the delay, unless an edit is already due."""
        if prompt_id in self._pending:
            return
        self._pending.add(prompt_id)
        job_queue.run_once(_refresh, when=self.delay_seconds, data=prompt_id,
                           name=f"{JOB_PREFIX}{prompt_id}")

    def done(self, prompt_id: int) -> None:
        self._pending.discard(prompt_id)


async def _refresh(context: BotContext) -> None:
    prompt_id = context.job.data
    # Forget the pending mark before editing: an answer arriving during the
    # edit schedules the next one instead of being lost.
    context.bot_data.counts.done(prompt_id)
    await questions.refresh_count(context.bot, context.bot_data, prompt_id)
