"""Housekeeping: operational records go once nothing needs them.

The outbox keeps a row for every message the bot ever sent on its own, and
a wizard left half-way keeps its draft: neither is anyone's answer, and both
would grow for as long as the bot runs. Once an hour the leader deletes
finished sends older than OUTBOX_KEPT and drafts untouched for DRAFTS_KEPT,
in batches of BATCH rows, each its own short transaction, giving the loop
back between two (updates are answered meanwhile). Answers, questions and
everything a person can ask to see or export are never touched here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime.context import BotContext
from bot.store import Store

log = logging.getLogger(__name__)

# Long enough to look back at a month's sends when something went wrong.
OUTBOX_KEPT = timedelta(days=30)
# A wizard nobody pressed for a month is abandoned; its buttons then answer
# as those of a finished wizard do.
DRAFTS_KEPT = timedelta(days=30)
BATCH = 500
HOUSEKEEPING_SECONDS = 3600.0
# Not at once at start: the first minute belongs to what was due meanwhile.
FIRST_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class Purged:
    outbox: int = 0
    drafts: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.drafts


async def purge(store: Store, now: datetime, *, batch: int = BATCH) -> Purged:
    """Delete what the retention allows, a batch at a time."""
    outbox = await _in_batches(
        lambda: store.housekeeping.purge_outbox(now - OUTBOX_KEPT, batch), batch)
    drafts = await _in_batches(
        lambda: store.housekeeping.purge_drafts(now - DRAFTS_KEPT, batch), batch)
    return Purged(outbox=outbox, drafts=drafts)


async def _in_batches(delete_one_batch, batch: int) -> int:
    total = 0
    while True:
        deleted = await delete_one_batch()
        total += deleted
        if deleted < batch:
            return total
        await asyncio.sleep(0)  # what waits for the database goes between two batches


async def housekeeping(context: BotContext) -> None:
    data = context.bot_data
    if data.leadership is not None and not data.leadership.leading:
        return  # one replica is enough; the leader does it
    purged = await purge(data.store, data.now())
    if purged.total:
        log.info("housekeeping: %d finished sends and %d abandoned wizards deleted",
                 purged.outbox, purged.drafts)


def schedule_housekeeping(application, every_seconds: float = HOUSEKEEPING_SECONDS) -> None:
    application.job_queue.run_repeating(
        housekeeping, interval=every_seconds, first=FIRST_AFTER_SECONDS, name="housekeeping",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
