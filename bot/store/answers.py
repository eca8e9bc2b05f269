"""Answers: one per member per prompt, with the history of every change."""

from __future__ import annotations

from bot.domain.records import Answer, AnswerEdit, Sighting
from bot.store.db import Database, to_db_time
from bot.store.members import record_sighting
from bot.store.rows import build, build_all

_UNSET = object()
_CONTENT = ("scale", "text", "voice_file_id")


class AnswerRepository:
    def __init__(self, db: Database):
        self.db = db

    async def record(
        self,
        prompt_id: int,
        user_id: int,
        *,
        visibility: str = "group",
        scale: object = _UNSET,
        text: object = _UNSET,
        voice_file_id: object = _UNSET,
        skipped: bool = False,
        quotable: bool | None = None,
        message_id: int | None = None,
        seen_in: Sighting | None = None,
    ) -> Answer:
        """Save or change a member's answer; replaced content goes to answer_edits.

        Only the parts given are changed: a rating tap keeps an earlier comment
        and a comment keeps an earlier rating. With `seen_in`, the person is
        recorded as a member of that group in the same transaction (one commit
        per answer, and never an answer without its member).
        """
        given = {
            name: value
            for name, value in (("scale", scale), ("text", text), ("voice_file_id", voice_file_id))
            if value is not _UNSET
        }
        moment = self.db.now()
        now = to_db_time(moment)
        async with self.db.transaction() as tx:
            if seen_in is not None:
                await record_sighting(tx, user_id, seen_in, moment)
            # A first answer (the usual case) is one statement.
            created = await tx.fetch_one(
                "INSERT INTO answers (prompt_id, user_id, scale, skipped, text, voice_file_id,"
                " visibility, quotable, message_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (prompt_id, user_id) DO NOTHING RETURNING *",
                (prompt_id, user_id, given.get("scale"), int(skipped), given.get("text"),
                 given.get("voice_file_id"), visibility, int(bool(quotable)), message_id, now),
            )
            if created is not None:
                return build(Answer, created)
            existing = await tx.fetch_one(
                "SELECT * FROM answers WHERE prompt_id = ? AND user_id = ?", (prompt_id, user_id)
            )
            answer_id = existing["id"]
            changed = {k: v for k, v in given.items() if existing[k] != v}
            if (not changed and bool(existing["skipped"]) == skipped
                    and (visibility == "group" or existing["visibility"] == "private")
                    and (quotable is None or bool(existing["quotable"]) == quotable)
                    and (message_id is None or existing["message_id"] == message_id)):
                return build(Answer, existing)  # the same tap again: nothing to write
            if any(existing[k] is not None for k in changed):
                await tx.execute(
                    "INSERT INTO answer_edits (answer_id, scale, text, voice_file_id,"
                    " replaced_at) VALUES (?, ?, ?, ?, ?)",
                    (answer_id, *(existing[k] for k in _CONTENT), now),
                )
            updates = {
                **changed,
                "skipped": int(skipped),
                # A private answer stays private even if a later part comes
                # from the group, so no one is exposed by a later tap.
                "visibility": "private" if "private" in (visibility,
                                                         existing["visibility"]) else "group",
                "quotable": existing["quotable"] if quotable is None else int(quotable),
                "message_id": message_id or existing["message_id"],
                "edited_at": now if changed else existing["edited_at"],
            }
            columns = ", ".join(f"{name} = ?" for name in updates)
            return build(Answer, await tx.fetch_one(
                f"UPDATE answers SET {columns} WHERE id = ? RETURNING *",
                (*updates.values(), answer_id)))

    async def skip_if_unanswered(self, prompt_id: int, user_id: int) -> bool:
        """Mark a prompt passed over by someone who has not answered it; an
        existing answer is left exactly as it is. True if marked."""
        return bool(await self.db.execute(
            "INSERT INTO answers (prompt_id, user_id, skipped, visibility, created_at)"
            " VALUES (?, ?, 1, 'private', ?) ON CONFLICT (prompt_id, user_id) DO NOTHING",
            (prompt_id, user_id, to_db_time(self.db.now()))))

    async def get(self, prompt_id: int, user_id: int) -> Answer | None:
        row = await self.db.fetch_one(
            "SELECT * FROM answers WHERE prompt_id = ? AND user_id = ?", (prompt_id, user_id)
        )
        return None if row is None else build(Answer, row)

    async def by_message(self, prompt_id: int, message_id: int) -> Answer | None:
        row = await self.db.fetch_one(
            "SELECT * FROM answers WHERE prompt_id = ? AND message_id = ?", (prompt_id, message_id)
        )
        return None if row is None else build(Answer, row)

    async def for_prompt(self, prompt_id: int) -> list[Answer]:
        rows = await self.db.fetch_all(
            "SELECT * FROM answers WHERE prompt_id = ? ORDER BY created_at, id", (prompt_id,)
        )
        return build_all(Answer, rows)

    async def count_for_prompt(self, prompt_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT COUNT(*) FROM answers WHERE prompt_id = ? AND skipped = 0"
            " AND (scale IS NOT NULL OR text IS NOT NULL OR voice_file_id IS NOT NULL)",
            (prompt_id,),
        )
        return int(row[0])

    async def history(self, answer_id: int) -> list[AnswerEdit]:
        rows = await self.db.fetch_all(
            "SELECT * FROM answer_edits WHERE answer_id = ? ORDER BY replaced_at, id",
            (answer_id,),
        )
        return build_all(AnswerEdit, rows)

    async def for_member_in_chat(self, chat_id: int, user_id: int) -> list[Answer]:
        rows = await self.db.fetch_all(
            "SELECT a.* FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE p.chat_id = ? AND a.user_id = ? ORDER BY p.opened_at, a.id",
            (chat_id, user_id),
        )
        return build_all(Answer, rows)
