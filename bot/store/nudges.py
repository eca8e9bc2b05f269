"""Reminders: who was reminded of which question, and how (at most once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.store.db import Database, from_db_time, to_db_time
from bot.store.outbox import add_to_outbox


class NudgeRepository:
    def __init__(self, db: Database):
        self.db = db

    async def plan(self, prompt_id: int, chat_id: int, *, privately: Sequence[int],
                   in_group: Sequence[int]) -> list[int]:
        """Record the reminders of one question as one step: each person at
        most once, a private message each, and one group message for those
        reached in the group. Returns the outbox rows to send."""
        now = self.db.now()
        rows: list[int | None] = []
        async with self.db.transaction() as tx:
            for user_id in privately:
                if await self._claim(tx, prompt_id, chat_id, user_id, "private", now):
                    rows.append(await add_to_outbox(
                        tx, f"reminder:{prompt_id}:{user_id}", "reminder", user_id, now,
                        prompt_id=prompt_id, subject_id=chat_id))
            named = [user_id for user_id in in_group
                     if await self._claim(tx, prompt_id, chat_id, user_id, "group", now)]
            if named:
                rows.append(await add_to_outbox(tx, f"invite:{prompt_id}", "invite", chat_id,
                                                now, prompt_id=prompt_id, subject_id=chat_id))
        return [row for row in rows if row is not None]

    @staticmethod
    async def _claim(tx, prompt_id: int, chat_id: int, user_id: int, channel: str,
                     now: datetime) -> bool:
        return bool(await tx.execute(
            "INSERT INTO nudges (prompt_id, chat_id, user_id, channel, sent_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (prompt_id, user_id) DO NOTHING",
            (prompt_id, chat_id, user_id, channel, to_db_time(now))))

    async def in_group_for(self, prompt_id: int) -> list[int]:
        """Who is reminded of a question in the group message."""
        rows = await self.db.fetch_all(
            "SELECT user_id FROM nudges WHERE prompt_id = ? AND channel = 'group'"
            " ORDER BY user_id", (prompt_id,))
        return [row[0] for row in rows]

    async def last_sent_to(self, user_id: int) -> datetime | None:
        return from_db_time(await self.db.fetch_value(
            "SELECT MAX(sent_at) FROM nudges WHERE user_id = ?", (user_id,)))
