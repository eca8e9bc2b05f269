"""Reading a chat's answers out in one pass, for export files: one query on
the long-read connection (off the event loop, bot/store/reader.py), its rows
made records in a worker thread."""

from __future__ import annotations

import asyncio

from bot.domain.records import ExportRow
from bot.store.db import Database
from bot.store.rows import build_all


class ExportRepository:
    def __init__(self, db: Database):
        self.db = db

    async def answers_for_chat(self, chat_id: int) -> list[ExportRow]:
        """Every answer given to the chat's questions, oldest question first.

        display_name is filled only when the chat lets coordinators see names.
        """
        rows = await self.db.long_reads.fetch_all(
            "SELECT p.chat_id, a.prompt_id, p.pack_id, p.item_id, p.opened_at AS asked_at,"
            " a.user_id,"
            " CASE WHEN c.names_visible = 1 THEN m.display_name END AS display_name,"
            " a.scale, a.skipped, a.text, a.voice_file_id, a.visibility, a.quotable,"
            " a.created_at AS answered_at, a.edited_at"
            " FROM answers a"
            " JOIN prompts p ON p.id = a.prompt_id"
            " JOIN chats c ON c.id = p.chat_id"
            " LEFT JOIN members m ON m.chat_id = p.chat_id AND m.user_id = a.user_id"
            " WHERE p.chat_id = ? ORDER BY p.opened_at, p.id, a.created_at, a.id",
            (chat_id,),
        )
        return await asyncio.to_thread(build_all, ExportRow, rows)
