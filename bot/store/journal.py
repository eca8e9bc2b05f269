"""A person's journal: their answers to personal prompts, in their private chat."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.domain.recap import JournalEntry
from bot.store.db import Database, from_db_time, to_db_time

_ENTRY = (
    "SELECT p.id AS prompt_id, p.pack_id, p.item_id, p.opened_at, a.created_at, a.scale,"
    " a.text, a.voice_file_id FROM answers a JOIN prompts p ON p.id = a.prompt_id"
    " WHERE p.chat_id = :user AND a.user_id = :user AND a.skipped = 0"
    " AND (a.scale IS NOT NULL OR a.text IS NOT NULL OR a.voice_file_id IS NOT NULL)"
)


def _entry(row) -> JournalEntry:
    return JournalEntry(
        prompt_id=row["prompt_id"], pack_id=row["pack_id"], item_id=row["item_id"],
        asked_at=from_db_time(row["opened_at"]), answered_at=from_db_time(row["created_at"]),
        scale=row["scale"], text=row["text"], has_voice=row["voice_file_id"] is not None,
    )


class JournalRepository:
    def __init__(self, db: Database):
        self.db = db

    async def count(self, user_id: int, pack_id: str | None = None) -> int:
        row = await self.db.fetch_one(
            # The alias and the cast: PostgreSQL needs both (a subquery in FROM
            # is named; a parameter's type is known where it is first met).
            f"SELECT COUNT(*) FROM ({_ENTRY} AND (CAST(:pack AS TEXT) IS NULL"
            " OR p.pack_id = :pack)) AS entries",
            {"user": user_id, "pack": pack_id},
        )
        return int(row[0])

    async def page(
        self, user_id: int, *, offset: int, limit: int, pack_id: str | None = None
    ) -> list[JournalEntry]:
        """Entries newest first."""
        rows = await self.db.fetch_all(
            f"{_ENTRY} AND (CAST(:pack AS TEXT) IS NULL OR p.pack_id = :pack)"
            " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit OFFSET :offset",
            {"user": user_id, "pack": pack_id, "limit": limit, "offset": offset},
        )
        return [_entry(row) for row in rows]

    async def all(self, user_id: int) -> list[JournalEntry]:
        """Every entry, oldest first (for export): a long read, off the event
        loop (bot/store/reader.py), made records in a worker thread."""
        rows = await self.db.long_reads.fetch_all(
            f"{_ENTRY} ORDER BY a.created_at, a.id", {"user": user_id}
        )
        return await asyncio.to_thread(lambda: [_entry(row) for row in rows])

    async def between(self, user_id: int, start: datetime, end: datetime) -> list[JournalEntry]:
        rows = await self.db.fetch_all(
            f"{_ENTRY} AND a.created_at >= :start AND a.created_at < :end"
            " ORDER BY a.created_at, a.id",
            {"user": user_id, "start": to_db_time(start), "end": to_db_time(end)},
        )
        return [_entry(row) for row in rows]

    async def answer_by_message(self, user_id: int, message_id: int):
        """The personal prompt and answer that a message in the private chat gave."""
        row = await self.db.fetch_one(
            "SELECT a.prompt_id FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE p.chat_id = ? AND a.user_id = ? AND a.message_id = ?"
            # or one part of an answer written over several messages
            " UNION SELECT a.prompt_id FROM answer_parts ap"
            " JOIN answers a ON a.id = ap.answer_id JOIN prompts p ON p.id = a.prompt_id"
            " WHERE p.chat_id = ? AND a.user_id = ? AND ap.message_id = ?",
            (user_id, user_id, message_id, user_id, user_id, message_id),
        )
        return None if row is None else row[0]
