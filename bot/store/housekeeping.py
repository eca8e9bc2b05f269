"""Cheap counts for /metrics, and the purges that keep operational records
from growing for ever (bot.services.housekeeping decides when and how much).

Every statement here reads through an index or deletes one bounded batch:
/metrics asks for its count every few seconds, and a purge runs beside the
bot's own work, one short transaction at a time.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database, to_db_time

# Rows whose send is over: what the outbox keeps only for a while. A pending
# row (or any state a later version adds) is never purged here.
FINISHED = ("sent", "unknown", "failed", "skipped")
_LAST_ID = 2**63 - 1


class HousekeepingRepository:
    def __init__(self, db: Database):
        self.db = db

    async def pending_outbox(self) -> int:
        """Sends waiting in the outbox, counted through its partial index of
        pending rows (outbox_pending), never by scanning the whole table.
        Every priority is 0 or more: the condition on it is what leads
        SQLite's planner to that index rather than to a walk through
        outbox_by_chat, which holds every row ever sent."""
        return int(await self.db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND priority >= 0"))

    async def purge_outbox(self, finished_before: datetime, limit: int) -> int:
        """Delete at most `limit` finished sends done before the moment;
        return how many went. Nothing reads a finished row once its question
        is closed and its week summed up: the decisions they recorded are
        kept elsewhere (a prompt's message, a chat's next summary time)."""
        # Rows are numbered as they are made, and a row done before the
        # moment was made before it: only the rows below the first one made
        # since are looked at, so a run with nothing (or little) to delete
        # reads a few rows, not the month the outbox keeps.
        marks = ", ".join("?" * len(FINISHED))
        before = to_db_time(finished_before)
        async with self.db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE id < COALESCE("
                "(SELECT id FROM outbox WHERE created_at >= ? ORDER BY id LIMIT 1), ?)"
                f" AND state IN ({marks}) AND done_at < ? ORDER BY id LIMIT ?)",
                (before, _LAST_ID, *FINISHED, before, limit))

    async def purge_drafts(self, untouched_since: datetime, limit: int) -> int:
        """Delete at most `limit` wizards nobody has pressed since the moment
        (a /setup or /programme left half-way); return how many went."""
        async with self.db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM setup_drafts WHERE (chat_id, message_id) IN"
                " (SELECT chat_id, message_id FROM setup_drafts WHERE updated_at < ? LIMIT ?)",
                (to_db_time(untouched_since), limit))
