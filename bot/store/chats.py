"""Chats: groups the bot was added to and private chats with people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.records import Chat
from bot.store.db import Database, Tx, to_db_time
from bot.store.kept import Kept
from bot.store.rows import build, build_all

_SETTABLE = {
    "title", "timezone", "language", "names_visible", "nudges_enabled",
    "quiet_start", "quiet_end", "close_after_minutes", "summary_day", "summary_time",
    "next_summary_at", "timezone_chosen", "recap_day", "recap_time", "next_recap_at",
    "summary_hold_until",
}


class ChatRepository:
    def __init__(self, db: Database):
        self.db = db
        # Every update reads its chat's settings: kept in memory, checked for changes.
        self.kept: Kept[Chat] = Kept(db, "chats")

    async def get(self, chat_id: int) -> Chat | None:
        epoch, chat = self.kept.find(chat_id)
        if chat is not None:
            return chat
        row = await self.db.fetch_one("SELECT * FROM chats WHERE id = ?", (chat_id,))
        if row is None:
            return None
        chat = build(Chat, row)
        self.kept.keep(chat_id, chat, epoch)
        return chat

    async def ensure(
        self, chat_id: int, *, kind: str, title: str | None, timezone: str, language: str
    ) -> Chat:
        """Record a chat (or reactivate it), keeping any settings it already has."""
        now = to_db_time(self.db.now())
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO chats (id, kind, title, timezone, language, active,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET"
                " title = COALESCE(excluded.title, chats.title), active = 1,"
                " updated_at = excluded.updated_at",
                (chat_id, kind, title, timezone, language, now, now),
            )
            return build(Chat, await tx.fetch_one("SELECT * FROM chats WHERE id = ?",
                                                  (chat_id,)))

    async def set_active(self, chat_id: int, active: bool) -> bool:
        changed = await self.db.execute(
            "UPDATE chats SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), to_db_time(self.db.now()), chat_id),
        )
        return changed > 0

    async def update(self, chat_id: int, **settings: object) -> Chat | None:
        if settings:
            async with self.db.transaction() as tx:
                await write_chat(tx, chat_id, settings, self.db.now())
        return await self.get(chat_id)

    async def migrate(self, old_id: int, new_id: int) -> bool:
        """Move a group and everything attached to it to its new supergroup id.

        Foreign keys cascade on update. If the supergroup was already recorded
        (an update from it arrived first) that empty shell is dropped, unless
        it already holds data, in which case nothing is moved.
        """
        async with self.db.transaction() as tx:
            await tx.lock_chats(old_id, new_id)
            if await tx.fetch_one("SELECT 1 FROM chats WHERE id = ?", (old_id,)) is None:
                return False
            if await tx.fetch_value(
                "SELECT (SELECT COUNT(*) FROM enrolments WHERE chat_id = :id)"
                " + (SELECT COUNT(*) FROM prompts WHERE chat_id = :id)",
                {"id": new_id},
            ):
                return False
            await tx.execute("DELETE FROM chats WHERE id = ?", (new_id,))
            await tx.execute(
                "UPDATE chats SET id = ?, updated_at = ? WHERE id = ?",
                (new_id, to_db_time(self.db.now()), old_id),
            )
            # What is still to be sent about the group (a coordinator's
            # digest, due or being retried) follows it: `subject_id` is no
            # foreign key, so nothing cascades to it.
            await tx.execute(
                "UPDATE outbox SET subject_id = ? WHERE state = 'pending' AND subject_id = ?",
                (new_id, old_id),
            )
            return True

    async def count_active(self, kind: str) -> int:
        return int(await self.db.fetch_value(
            "SELECT COUNT(*) FROM chats WHERE kind = ? AND active = 1", (kind,)))


    async def summaries_due(self, now: datetime, limit: int = 500) -> list[Chat]:
        """Active groups whose weekly summary time has come (and is not held
        back by quiet hours), oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM chats WHERE active = 1 AND kind = 'group'"
            " AND next_summary_at IS NOT NULL AND next_summary_at <= :now"
            " AND (summary_hold_until IS NULL OR summary_hold_until <= :now)"
            " ORDER BY next_summary_at, id LIMIT :limit",
            {"now": to_db_time(now), "limit": limit},
        )
        return build_all(Chat, rows)

    async def recaps_due(self, now: datetime, limit: int = 500) -> list[Chat]:
        """Private chats whose weekly recap time has come, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM chats WHERE active = 1 AND kind = 'private'"
            " AND next_recap_at IS NOT NULL AND next_recap_at <= ?"
            " ORDER BY next_recap_at, id LIMIT ?",
            (to_db_time(now), limit),
        )
        return build_all(Chat, rows)


async def write_chat(tx: Tx, chat_id: int, settings: Mapping[str, object], now: datetime) -> None:
    """Change some of a chat's settings inside the caller's transaction."""
    _check_settings(settings)
    if not settings:
        return
    columns = ", ".join(f"{name} = ?" for name in settings)
    values = [_column_value(v) for v in settings.values()]
    await tx.execute(f"UPDATE chats SET {columns}, updated_at = ? WHERE id = ?",
                     (*values, to_db_time(now), chat_id))


async def read_chat(tx: Tx, chat_id: int) -> Chat | None:
    """A chat as it is inside the caller's transaction (never a kept copy)."""
    row = await tx.fetch_one("SELECT * FROM chats WHERE id = ?", (chat_id,))
    return None if row is None else build(Chat, row)


def _check_settings(settings: Mapping[str, object]) -> None:
    unknown = set(settings) - _SETTABLE
    if unknown:
        raise ValueError(f"not a chat setting: {', '.join(sorted(unknown))}")


def _column_value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_db_time(value)
    return value
