"""Half-finished /setup wizards."""

from __future__ import annotations

import json

from bot.store.db import Database, to_db_time


class SetupDraftRepository:
    def __init__(self, db: Database):
        self.db = db

    async def save(self, chat_id: int, message_id: int, user_id: int, state: dict) -> None:
        await self.db.execute(
            "INSERT INTO setup_drafts (chat_id, message_id, user_id, state, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
            " state = excluded.state, updated_at = excluded.updated_at",
            (chat_id, message_id, user_id, json.dumps(state), to_db_time(self.db.now())),
        )

    async def get(self, chat_id: int, message_id: int) -> tuple[int, dict] | None:
        """(user who started it, state) or None."""
        row = await self.db.fetch_one(
            "SELECT user_id, state FROM setup_drafts WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else (row["user_id"], json.loads(row["state"]))

    async def latest_for(self, chat_id: int, user_id: int) -> tuple[int, dict] | None:
        """(message id, state) of the person's most recent wizard in the chat."""
        row = await self.db.fetch_one(
            "SELECT message_id, state FROM setup_drafts WHERE chat_id = ? AND user_id = ?"
            " ORDER BY updated_at DESC, message_id DESC LIMIT 1",
            (chat_id, user_id),
        )
        return None if row is None else (row["message_id"], json.loads(row["state"]))

    async def delete(self, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "DELETE FROM setup_drafts WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
