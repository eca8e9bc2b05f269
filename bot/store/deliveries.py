"""Records of nudges and digests already sent, so none is sent twice."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database, from_db_time, to_db_time


class NudgeRepository:
    def __init__(self, db: Database):
        self.db = db

    async def record(self, prompt_id: int, chat_id: int, user_id: int, channel: str) -> bool:
        """Claim the one nudge a member may get for a prompt; False if already sent."""
        changed = await self.db.execute(
            "INSERT INTO nudges (prompt_id, chat_id, user_id, channel, sent_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (prompt_id, user_id) DO NOTHING",
            (prompt_id, chat_id, user_id, channel, to_db_time(self.db.now())),
        )
        return changed > 0

    async def last_sent_to(self, user_id: int) -> datetime | None:
        row = await self.db.fetch_one(
            "SELECT MAX(sent_at) FROM nudges WHERE user_id = ?", (user_id,)
        )
        return from_db_time(row[0])


class DigestRepository:
    def __init__(self, db: Database):
        self.db = db

    async def record(self, chat_id: int, kind: str, period: str, recipient_id: int = 0) -> bool:
        """Claim a summary, digest or recap for a period; False if already sent."""
        changed = await self.db.execute(
            "INSERT INTO digests (chat_id, kind, period, recipient_id, sent_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (chat_id, kind, period, recipient_id, to_db_time(self.db.now())),
        )
        return changed > 0
