"""Prompts: each time a question is put to a chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.records import Prompt
from bot.store.db import Database, from_db_time, to_db_time
from bot.store.rows import build, build_all


class PromptRepository:
    def __init__(self, db: Database):
        self.db = db

    async def open(
        self,
        enrolment_id: int,
        slot: str,
        *,
        chat_id: int,
        pack_id: str,
        item_id: str,
        closes_at: datetime | None = None,
        cursor_after: int | None = None,
    ) -> tuple[Prompt, bool]:
        """Record a question before it is sent. (enrolment, slot) is unique, so
        a second attempt at the same slot returns the first one and False.

        With `cursor_after`, the enrolment moves on to its next item in the same
        transaction, so a crash can neither skip nor repeat an item.
        """
        async with self.db.transaction() as tx:
            created = await tx.execute(
                "INSERT INTO prompts (enrolment_id, slot, chat_id, pack_id, item_id,"
                " opened_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (enrolment_id, slot) DO NOTHING",
                (enrolment_id, slot, chat_id, pack_id, item_id,
                 to_db_time(self.db.now()), to_db_time(closes_at)),
            )
            if created and cursor_after is not None:
                await tx.execute(
                    "UPDATE enrolments SET cursor = ?, updated_at = ? WHERE id = ?",
                    (cursor_after, to_db_time(self.db.now()), enrolment_id),
                )
            return build(Prompt, await tx.fetch_one(
                "SELECT * FROM prompts WHERE enrolment_id = ? AND slot = ?", (enrolment_id, slot)
            )), created > 0

    async def set_message(self, prompt_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE prompts SET message_id = ? WHERE id = ?", (message_id, prompt_id)
        )

    async def close(self, prompt_id: int) -> bool:
        changed = await self.db.execute(
            "UPDATE prompts SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (to_db_time(self.db.now()), prompt_id),
        )
        return changed > 0

    async def get(self, prompt_id: int) -> Prompt | None:
        row = await self.db.fetch_one("SELECT * FROM prompts WHERE id = ?", (prompt_id,))
        return None if row is None else build(Prompt, row)

    async def last_slot_time(self, enrolment_id: int) -> datetime | None:
        """When the programme's most recent question was opened."""
        return from_db_time(await self.db.fetch_value(
            "SELECT MAX(opened_at) FROM prompts WHERE enrolment_id = ?", (enrolment_id,)))

    async def get_many(self, prompt_ids: list[int]) -> dict[int, Prompt]:
        if not prompt_ids:
            return {}
        marks = ", ".join("?" * len(prompt_ids))
        rows = await self.db.fetch_all(f"SELECT * FROM prompts WHERE id IN ({marks})",
                                       prompt_ids)
        return {row["id"]: build(Prompt, row) for row in rows}

    async def by_message(self, chat_id: int, message_id: int) -> Prompt | None:
        row = await self.db.fetch_one(
            "SELECT * FROM prompts WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        return None if row is None else build(Prompt, row)

    async def expired(self, now: datetime, limit: int = 500) -> list[Prompt]:
        """Open questions whose window has ended."""
        rows = await self.db.fetch_all(
            "SELECT * FROM prompts WHERE closed_at IS NULL AND closes_at IS NOT NULL"
            " AND closes_at <= ? ORDER BY closes_at, id LIMIT ?",
            (to_db_time(now), limit),
        )
        return build_all(Prompt, rows)

    async def closing_soon(self, now: datetime, lead: timedelta) -> list[Prompt]:
        """Open, sent questions that close within `lead` (at the end of their
        window, or when their programme's next question is due) and whose
        closing-soon moment has not been published yet."""
        rows = await self.db.fetch_all(
            "SELECT p.* FROM prompts p JOIN enrolments e ON e.id = p.enrolment_id"
            " WHERE p.closed_at IS NULL AND p.message_id IS NOT NULL"
            " AND p.closing_soon_at IS NULL"
            " AND COALESCE(p.closes_at, CASE WHEN e.active = 1 AND e.paused = 0"
            "     THEN e.next_due_at END) <= ?"
            " ORDER BY p.opened_at, p.id",
            (to_db_time(now + lead),),
        )
        return build_all(Prompt, rows)

    async def mark_closing_soon(self, prompt_id: int) -> bool:
        """Claim the closing-soon moment of a question; False if already taken."""
        changed = await self.db.execute(
            "UPDATE prompts SET closing_soon_at = ? WHERE id = ? AND closing_soon_at IS NULL",
            (to_db_time(self.db.now()), prompt_id),
        )
        return changed > 0

    async def open_for_chat(self, chat_id: int) -> list[Prompt]:
        rows = await self.db.fetch_all(
            "SELECT * FROM prompts WHERE chat_id = ? AND closed_at IS NULL ORDER BY opened_at, id",
            (chat_id,),
        )
        return build_all(Prompt, rows)

    async def list_for_chat(self, chat_id: int, since: datetime | None = None) -> list[Prompt]:
        rows = await self.db.fetch_all(
            "SELECT * FROM prompts WHERE chat_id = ? AND opened_at >= ? ORDER BY opened_at, id",
            (chat_id, to_db_time(since) or ""),
        )
        return build_all(Prompt, rows)

    async def link_private_message(self, chat_id: int, message_id: int, prompt_id: int) -> None:
        """Remember that a message in a private chat is about a group's prompt."""
        await self.db.execute(
            "INSERT INTO private_prompt_messages (chat_id, message_id, prompt_id, sent_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
            " prompt_id = excluded.prompt_id, sent_at = excluded.sent_at",
            (chat_id, message_id, prompt_id, to_db_time(self.db.now())),
        )

    async def by_private_message(self, chat_id: int, message_id: int) -> Prompt | None:
        row = await self.db.fetch_one(
            "SELECT p.* FROM private_prompt_messages m JOIN prompts p ON p.id = m.prompt_id"
            " WHERE m.chat_id = ? AND m.message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else build(Prompt, row)

    async def latest_private_for(self, chat_id: int) -> Prompt | None:
        """The group prompt most recently opened in this private chat."""
        row = await self.db.fetch_one(
            "SELECT p.* FROM private_prompt_messages m JOIN prompts p ON p.id = m.prompt_id"
            " WHERE m.chat_id = ? ORDER BY m.sent_at DESC, m.message_id DESC LIMIT 1",
            (chat_id,),
        )
        return None if row is None else build(Prompt, row)
