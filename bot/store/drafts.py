"""Half-finished wizards (the group's /setup, a person's /programme), each
kept against the message that shows it."""

from __future__ import annotations

import json

from bot.domain.records import Sighting
from bot.store.db import Database, Tx, to_db_time
from bot.store.members import record_sighting


class SetupDraftRepository:
    def __init__(self, db: Database):
        self.db = db

    async def save(self, chat_id: int, message_id: int, user_id: int, state: dict, *,
                   seen_as: Sighting | None = None) -> None:
        """Keep a wizard's state; with `seen_as`, the person who started it is
        recorded as a member of the group in the same transaction."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            if seen_as is not None:
                await record_sighting(tx, user_id, seen_as, now)
            await tx.execute(
                "INSERT INTO setup_drafts (chat_id, message_id, user_id, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
                " state = excluded.state, updated_at = excluded.updated_at",
                (chat_id, message_id, user_id, json.dumps(state), to_db_time(now)),
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


async def take_draft(tx: Tx, chat_id: int, message_id: int) -> bool:
    """Remove a wizard's draft inside the caller's transaction; False if it
    was gone already (another press finished the wizard first)."""
    return await tx.execute("DELETE FROM setup_drafts WHERE chat_id = ? AND message_id = ?",
                            (chat_id, message_id)) > 0
