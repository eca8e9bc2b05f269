"""Prompts: each time a question is put to a chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.programme import next_question
from bot.domain.records import Opened, Prompt
from bot.store.answers import skip_unanswered
from bot.store.db import Database, Tx, from_db_time, to_db_time
from bot.store.kept import Kept
from bot.store.outbox import add_to_outbox
from bot.store.rows import build, build_all

_UNCHANGED = object()


class PromptRepository:
    def __init__(self, db: Database):
        self.db = db
        # Every tap reads the question it answers.
        self.kept: Kept[Prompt] = Kept(db, "prompts")

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
            await tx.lock_chats(chat_id)
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

    async def open_next(
        self, enrolment_id: int, slot: str, *, item_ids: Sequence[str], edit_closed: bool,
        closes_at: datetime | None = None, expected_due: object = _UNCHANGED,
        next_due_at: object = _UNCHANGED, pass_over: int | None = None,
    ) -> Opened | None:
        """Open the programme's next question as one step: read where the
        programme is, record the question and move it on by one, close the
        questions still open in the chat, and record what must be sent (the
        question, and a closing edit of each closed one when `edit_closed`).

        With `expected_due`, nothing happens unless the programme is still
        due at that time (someone else got there first); `next_due_at` sets
        the following time in the same step. With `pass_over` (a person's
        /skip), the question they pass over, the newest open one, is marked
        skipped by them unless they answered it. None: not running, or not due.
        """
        now = self.db.now()
        async with self.db.transaction() as tx:
            # The tick, /ask, /skip and /later of one chat take turns here.
            await tx.lock_chat_of("enrolments", enrolment_id)
            enrolment = await tx.fetch_one(
                "SELECT * FROM enrolments WHERE id = ? AND active = 1", (enrolment_id,))
            if enrolment is None or not item_ids:
                return None
            if expected_due is not _UNCHANGED and (
                    from_db_time(enrolment["next_due_at"]) != expected_due):
                return None
            existing = await tx.fetch_one(
                "SELECT * FROM prompts WHERE enrolment_id = ? AND slot = ?", (enrolment_id, slot))
            # A question still waiting to go out is the next question: opening
            # another would close it unseen and pass over its item.
            # Found through the programme's own prompts and the chat's pending
            # sends (both indexed), never by walking every pending send: a tick
            # opening 10,000 questions would otherwise walk all of them each time.
            waiting = existing or await tx.fetch_one(
                "SELECT p.* FROM prompts p WHERE p.enrolment_id = ? AND p.closed_at IS NULL"
                " AND EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = p.chat_id"
                " AND o.state = 'pending' AND o.kind = 'question' AND o.prompt_id = p.id)"
                " ORDER BY p.id DESC LIMIT 1", (enrolment_id,))
            if waiting is not None:
                # Opened before (a redelivered /ask, another tick) or not sent
                # yet: only the schedule may still move on.
                if next_due_at is not _UNCHANGED:
                    await tx.execute(
                        "UPDATE enrolments SET next_due_at = ?, hold_until = NULL, updated_at = ?"
                        " WHERE id = ?", (to_db_time(next_due_at), to_db_time(now), enrolment_id))
                pending = await tx.fetch_all(
                    "SELECT id FROM outbox WHERE chat_id = ? AND state = 'pending'"
                    " AND prompt_id = ? AND kind = 'question'",
                    (waiting["chat_id"], waiting["id"]))
                return Opened(build(Prompt, waiting), False, tuple(row[0] for row in pending))
            if pass_over is not None:
                # Marked in the step that opens the next question, so a /skip
                # delivered again (which opens nothing) marks nothing either.
                passed = await tx.fetch_value(
                    "SELECT id FROM prompts WHERE chat_id = ? AND closed_at IS NULL"
                    " ORDER BY opened_at DESC, id DESC LIMIT 1", (enrolment["chat_id"],))
                if passed is not None:
                    await skip_unanswered(tx, passed, pass_over, now)
            upcoming = next_question(enrolment["cursor"], len(item_ids))
            prompt_id = await tx.fetch_value(
                "INSERT INTO prompts (enrolment_id, slot, chat_id, pack_id, item_id, opened_at,"
                " closes_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (enrolment_id, slot, enrolment["chat_id"], enrolment["pack_id"],
                 item_ids[upcoming.index], to_db_time(now), to_db_time(closes_at)),
            )
            # "One more than now", never a number computed earlier.
            moved = "cursor = cursor + 1"
            params: dict[str, object] = {"id": enrolment_id, "now": to_db_time(now)}
            if next_due_at is not _UNCHANGED:
                moved += ", next_due_at = :due, hold_until = NULL"
                params["due"] = to_db_time(next_due_at)
            await tx.execute(f"UPDATE enrolments SET {moved}, updated_at = :now WHERE id = :id",
                             params)
            sends = [await add_to_outbox(tx, f"question:{prompt_id}", "question",
                                         enrolment["chat_id"], now, prompt_id=prompt_id)]
            sends += await _close_open(tx, enrolment["chat_id"], now, edit_closed,
                                       keep=prompt_id)
            prompt = build(Prompt, await tx.fetch_one("SELECT * FROM prompts WHERE id = ?",
                                                      (prompt_id,)))
            return Opened(prompt, True, tuple(s for s in sends if s is not None))

    async def move_on(self, enrolment_id: int, expected_due: datetime | None,
                      next_due_at: datetime | None) -> bool:
        """Move a due programme to its next time without asking (a broken
        schedule, a refused send); False if it was moved meanwhile."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE enrolments SET next_due_at = ?, hold_until = NULL, updated_at = ?"
                " WHERE id = ? AND COALESCE(next_due_at, '') = ?",
                (to_db_time(next_due_at), to_db_time(self.db.now()), enrolment_id,
                 to_db_time(expected_due) or ""),
            )
            return changed > 0

    async def put_off(self, chat_id: int, again: datetime) -> Prompt | None:
        """/later as one step: close the newest open prompt the person has
        been shown and ask the same item again at `again`. None if nothing
        is waiting."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.lock_chats(chat_id)
            # Only a prompt the person has been shown: one still waiting to go
            # out is not what they are putting off.
            row = await tx.fetch_one(
                "SELECT p.* FROM prompts p JOIN enrolments e ON e.id = p.enrolment_id"
                " WHERE p.chat_id = ? AND p.closed_at IS NULL AND e.active = 1"
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = p.chat_id"
                " AND o.prompt_id = p.id"
                " AND o.kind = 'question' AND o.state = 'pending')"
                " ORDER BY p.opened_at DESC, p.id DESC LIMIT 1", (chat_id,))
            if row is None:
                return None
            newest = await tx.fetch_value(
                "SELECT MAX(id) FROM prompts WHERE enrolment_id = ?", (row["enrolment_id"],))
            await tx.execute("UPDATE prompts SET closed_at = ? WHERE id = ?",
                             (to_db_time(now), row["id"]))
            # Step back only if the programme has not moved on since this
            # prompt (it is the newest), so the same item comes again.
            step_back = 1 if newest == row["id"] else 0
            await tx.execute(
                "UPDATE enrolments SET cursor = CASE WHEN cursor >= ? THEN cursor - ? ELSE 0 END,"
                " next_due_at = ?,"
                " hold_until = NULL, updated_at = ? WHERE id = ?",
                (step_back, step_back, to_db_time(again), to_db_time(now), row["enrolment_id"]),
            )
            return build(Prompt, row)

    async def close_expired(self, now: datetime, limit: int = 500) -> list[int]:
        """Close the questions whose window has ended, with their closing edits
        recorded in the same step; return the outbox rows to send."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE prompts SET closed_at = :now WHERE id IN (SELECT id FROM prompts"
                " WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= :now"
                f" ORDER BY closes_at, id LIMIT :limit{tx.SKIP_LOCKED}) RETURNING id, chat_id",
                {"now": to_db_time(now), "limit": limit},
            )
            sends = []
            for row in rows:
                if await _is_group(tx, row["chat_id"]):
                    sends.append(await add_to_outbox(tx, f"close:{row['id']}", "close",
                                                     row["chat_id"], now, prompt_id=row["id"]))
            return [s for s in sends if s is not None]

    async def learn_message(self, prompt_id: int, message_id: int) -> bool:
        """Record the message of a question whose send ended without an answer
        from Telegram, once a copy of it shows up; False if it was known."""
        return bool(await self.db.execute(
            "UPDATE prompts SET message_id = ? WHERE id = ? AND message_id IS NULL",
            (message_id, prompt_id)))

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
        epoch, prompt = self.kept.find(prompt_id)
        if prompt is not None:
            return prompt
        row = await self.db.fetch_one("SELECT * FROM prompts WHERE id = ?", (prompt_id,))
        if row is None:
            return None
        prompt = build(Prompt, row)
        self.kept.keep(prompt_id, prompt, epoch)
        return prompt

    async def last_slot_time(self, enrolment_id: int) -> datetime | None:
        """When the programme's most recent question was opened."""
        async with self.db.read() as tx:
            return await last_opened(tx, enrolment_id)

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
        closing-soon moment has not been published yet.

        Read from the programmes due soon and the windows ending soon (both
        indexed ranges), never from every open question: a minute's work is
        the questions about to close, however many groups there are."""
        rows = await self.db.fetch_all(
            # CROSS JOIN keeps SQLite's loop on the programmes due soon.
            "SELECT p.* FROM enrolments e CROSS JOIN prompts p"
            " WHERE p.enrolment_id = e.id"
            " AND e.active = 1 AND e.paused = 0 AND e.next_due_at <= :until"
            " AND p.closed_at IS NULL AND p.closes_at IS NULL AND p.message_id IS NOT NULL"
            " AND p.closing_soon_at IS NULL"
            " UNION"
            " SELECT p.* FROM prompts p WHERE p.closed_at IS NULL AND p.closes_at <= :until"
            " AND p.message_id IS NOT NULL AND p.closing_soon_at IS NULL"
            " ORDER BY opened_at, id",
            {"until": to_db_time(now + lead)},
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

    async def link_private_messages(self, chat_id: int, message_ids: Sequence[int],
                                    prompt_id: int) -> None:
        """Remember that messages in a private chat (a group's question sent
        there, and the invitation to comment under it) are about a group's
        prompt, in one transaction."""
        at = to_db_time(self.db.now())
        async with self.db.transaction() as tx:
            for message_id in message_ids:
                await tx.execute(
                    "INSERT INTO private_prompt_messages (chat_id, message_id, prompt_id,"
                    " sent_at) VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE"
                    " SET prompt_id = excluded.prompt_id, sent_at = excluded.sent_at",
                    (chat_id, message_id, prompt_id, at),
                )

    async def private_copies(self, prompt_id: int) -> list[tuple[int, int]]:
        """(chat id, message id) of each private copy of a group's question: of the
        messages linked in one go (the question, then its invitation), the first."""
        rows = await self.db.fetch_all(
            "SELECT chat_id, MIN(message_id) AS message_id FROM private_prompt_messages"
            " WHERE prompt_id = ? GROUP BY chat_id, sent_at ORDER BY chat_id, message_id",
            (prompt_id,),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

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


async def _close_open(tx: Tx, chat_id: int, now: datetime, edit: bool, keep: int) -> list:
    closed = await tx.fetch_all(
        "UPDATE prompts SET closed_at = ? WHERE chat_id = ? AND closed_at IS NULL AND id != ?"
        " RETURNING id", (to_db_time(now), chat_id, keep))
    if not edit:
        return []
    return [await add_to_outbox(tx, f"close:{row['id']}", "close", chat_id, now,
                                prompt_id=row["id"]) for row in closed]


async def _is_group(tx: Tx, chat_id: int) -> bool:
    return await tx.fetch_value("SELECT kind FROM chats WHERE id = ?", (chat_id,)) == "group"


async def last_opened(tx: Tx, enrolment_id: int) -> datetime | None:
    """When the programme's most recent question was opened, read inside the
    caller's transaction."""
    return from_db_time(await tx.fetch_value(
        "SELECT MAX(opened_at) FROM prompts WHERE enrolment_id = ?", (enrolment_id,)))
