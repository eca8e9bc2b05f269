"""Updates the poller has confirmed to Telegram before handling them.

getUpdates' offset confirms every update below it, and Telegram returns at
most a page of updates from there: to fetch past an update still being
handled (a slow chat), the poller first writes it here, then moves the
offset on. A row goes once its update is handled; rows left by a crash are
handled at the next start, each chat's in the order they came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, to_db_time


@dataclass(frozen=True)
class ParkedUpdate:
    update_id: int
    chat_key: int
    body: dict


class ParkedUpdates:
    def __init__(self, db: Database):
        self.db = db

    async def park(self, updates: list[ParkedUpdate], now: datetime) -> None:
        """Keep `updates`, all in one transaction (kept again: nothing changes)."""
        if not updates:
            return
        async with self.db.transaction() as tx:
            for update in updates:
                await tx.execute(
                    "INSERT INTO parked_updates (update_id, chat_key, body, parked_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                    (update.update_id, update.chat_key,
                     json.dumps(update.body, ensure_ascii=False), to_db_time(now)))

    async def handled(self, update_ids: list[int]) -> None:
        if not update_ids:
            return
        async with self.db.transaction() as tx:
            for update_id in update_ids:
                await tx.execute("DELETE FROM parked_updates WHERE update_id = ?", (update_id,))

    async def next_for_chat(self, chat_key: int, after: int, limit: int) -> list[ParkedUpdate]:
        """A chat's kept updates after `after`, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT update_id, chat_key, body FROM parked_updates"
            " WHERE chat_key = ? AND update_id > ? ORDER BY update_id LIMIT ?",
            (chat_key, after, limit))
        return [_parked(row) for row in rows]

    async def chats(self) -> list[int]:
        """The chats with updates kept, for a start to take up again."""
        rows = await self.db.fetch_all("SELECT DISTINCT chat_key FROM parked_updates")
        return [row[0] for row in rows]

    async def count(self) -> int:
        return int(await self.db.fetch_value("SELECT COUNT(*) FROM parked_updates"))


def _parked(row) -> ParkedUpdate:
    return ParkedUpdate(int(row[0]), int(row[1]), json.loads(row[2]))
