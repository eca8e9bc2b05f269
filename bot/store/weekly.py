"""Deciding the weekly sends: a group's summary and its coordinators'
digests, a person's recap. Each decision is one step: the schedule moves on
and the sends are recorded in the outbox together, guarded by the time that
was due, so two ticks never decide the same week twice."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database, to_db_time
from bot.store.outbox import add_to_outbox


class WeeklyRepository:
    def __init__(self, db: Database):
        self.db = db

    async def plan_summary(self, chat_id: int, due_at: datetime, next_at: datetime | None,
                           period: str | None) -> list[int]:
        """Move the group's summary time from `due_at` to `next_at`; with a
        `period`, record that week's summary and a digest for each
        coordinator who can be reached privately. Returns the outbox rows."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            moved = await tx.execute(
                "UPDATE chats SET next_summary_at = ?, summary_hold_until = NULL, updated_at = ?"
                " WHERE id = ? AND next_summary_at = ?",
                (to_db_time(next_at), to_db_time(now), chat_id, to_db_time(due_at)))
            if not moved or period is None:
                return []
            running = await tx.fetch_value(
                "SELECT COUNT(*) FROM enrolments WHERE chat_id = ? AND active = 1", (chat_id,))
            if not running:
                return []  # nothing to summarise until a programme runs
            rows = [await add_to_outbox(tx, f"summary:{chat_id}:{period}", "summary", chat_id,
                                        now, subject_id=chat_id, period=period)]
            for coordinator in await tx.fetch_all(
                "SELECT c.user_id FROM coordinators c JOIN chats p ON p.id = c.user_id"
                " WHERE c.chat_id = ? AND p.active = 1 ORDER BY c.user_id", (chat_id,)
            ):
                user_id = coordinator["user_id"]
                rows.append(await add_to_outbox(
                    tx, f"digest:{chat_id}:{period}:{user_id}", "digest", user_id, now,
                    subject_id=chat_id, period=period))
            return [row for row in rows if row is not None]

    async def hold_summary(self, chat_id: int, until: datetime) -> None:
        """Keep a due summary back (quiet hours); it stays the summary of the
        week it was due in."""
        await self.db.execute(
            "UPDATE chats SET summary_hold_until = ?, updated_at = ? WHERE id = ?",
            (to_db_time(until), to_db_time(self.db.now()), chat_id))

    async def plan_recap(self, chat_id: int, due_at: datetime, next_at: datetime | None,
                         period: str) -> int | None:
        """Move the person's recap time on and record this week's recap
        (when a programme runs unpaused)."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            moved = await tx.execute(
                "UPDATE chats SET next_recap_at = ?, updated_at = ?"
                " WHERE id = ? AND next_recap_at = ?",
                (to_db_time(next_at), to_db_time(now), chat_id, to_db_time(due_at)))
            running = await tx.fetch_value(
                "SELECT COUNT(*) FROM enrolments WHERE chat_id = ? AND active = 1"
                " AND paused = 0", (chat_id,))
            if not moved or not running:
                return None
            return await add_to_outbox(tx, f"recap:{chat_id}:{period}", "recap", chat_id, now,
                                       subject_id=chat_id, period=period)
