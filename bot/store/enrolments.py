"""Enrolments: a chat following a pack on a cadence, with its own schedule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.records import Enrolment
from bot.domain.resting import REST_AFTER, should_rest
from bot.store.db import Database, Tx, to_db_time
from bot.store.outbox import add_to_outbox
from bot.store.rows import build, build_all


class EnrolmentRepository:
    def __init__(self, db: Database):
        self.db = db

    async def start(
        self,
        chat_id: int,
        pack_id: str,
        *,
        cadence: str,
        days: Sequence[str],
        local_time: str,
        next_due_at: datetime | None,
    ) -> Enrolment:
        """Begin a programme (see start_enrolment)."""
        async with self.db.transaction() as tx:
            return await start_enrolment(tx, chat_id, pack_id, cadence=cadence, days=days,
                                         local_time=local_time, next_due_at=next_due_at,
                                         now=self.db.now())

    async def get(self, enrolment_id: int) -> Enrolment | None:
        row = await self.db.fetch_one("SELECT * FROM enrolments WHERE id = ?", (enrolment_id,))
        return None if row is None else build(Enrolment, row)

    async def active_for(self, chat_id: int) -> Enrolment | None:
        row = await self.db.fetch_one(
            "SELECT * FROM enrolments WHERE chat_id = ? AND active = 1", (chat_id,)
        )
        return None if row is None else build(Enrolment, row)

    async def due(self, now: datetime, limit: int = 500) -> list[Enrolment]:
        """Running enrolments whose next question is due, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT e.* FROM enrolments e JOIN chats c ON c.id = e.chat_id"
            " WHERE e.active = 1 AND e.paused = 0 AND c.active = 1"
            " AND e.next_due_at IS NOT NULL AND e.next_due_at <= :now"
            " AND (e.hold_until IS NULL OR e.hold_until <= :now)"
            " ORDER BY e.next_due_at, e.id LIMIT :limit",
            {"now": to_db_time(now), "limit": limit},
        )
        return build_all(Enrolment, rows)

    async def rest_if_unanswered(self, enrolment_id: int, expected_due: datetime | None,
                                 key: str) -> bool:
        """As one step: if the programme is still due at `expected_due` and
        its newest prompts went unanswered (see bot.domain.resting), pause it
        and record the note that tells the person (outbox kind "rest", under
        `key`). False, changing nothing, otherwise."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            # The tick's planning and the person's answer take turns here.
            await tx.lock_chat_of("enrolments", enrolment_id)
            enrolment = await tx.fetch_one(
                "SELECT * FROM enrolments WHERE id = ? AND active = 1 AND paused = 0"
                " AND COALESCE(next_due_at, '') = ?",
                (enrolment_id, to_db_time(expected_due) or ""))
            if enrolment is None:
                return False
            # Only prompts since the programme last resumed count.
            since = enrolment["resumed_at"] or ""
            rows = await tx.fetch_all(
                "SELECT EXISTS (SELECT 1 FROM answers a WHERE a.prompt_id = p.id) AS answered"
                " FROM prompts p WHERE p.enrolment_id = ? AND p.opened_at >= ?"
                " ORDER BY p.opened_at DESC, p.id DESC LIMIT ?",
                (enrolment_id, since, REST_AFTER))
            if not should_rest([bool(row["answered"]) for row in rows]):
                return False
            await write_paused(tx, enrolment_id, True, now)
            await add_to_outbox(tx, key, "rest", enrolment["chat_id"], now)
            return True

    async def set_paused(self, enrolment_id: int, paused: bool) -> None:
        async with self.db.transaction() as tx:
            await write_paused(tx, enrolment_id, paused, self.db.now())

    async def advance(self, enrolment_id: int, cursor: int, next_due_at: datetime | None) -> None:
        await self.db.execute(
            "UPDATE enrolments SET cursor = ?, next_due_at = ?, updated_at = ? WHERE id = ?",
            (cursor, to_db_time(next_due_at), to_db_time(self.db.now()), enrolment_id),
        )

    async def set_next_due(self, enrolment_id: int, next_due_at: datetime | None) -> None:
        """Move on to the next scheduled time; any quiet-hours hold ends."""
        async with self.db.transaction() as tx:
            await write_next_due(tx, enrolment_id, next_due_at, self.db.now())

    async def hold(self, enrolment_id: int, until: datetime) -> None:
        """Keep due work back (quiet hours) without losing its slot."""
        await self.db.execute(
            "UPDATE enrolments SET hold_until = ?, updated_at = ? WHERE id = ?",
            (to_db_time(until), to_db_time(self.db.now()), enrolment_id),
        )


async def start_enrolment(
    tx: Tx, chat_id: int, pack_id: str, *, cadence: str, days: Sequence[str], local_time: str,
    next_due_at: datetime | None, now: datetime,
) -> Enrolment:
    """Begin a programme inside the caller's transaction. A different running
    programme is ended (kept for history); the same pack keeps its place and
    only changes schedule."""
    at = to_db_time(now)
    await tx.lock_chats(chat_id)
    current = await active_enrolment(tx, chat_id)
    if current is not None and current.pack_id == pack_id:
        await tx.execute(
            "UPDATE enrolments SET cadence = ?, days = ?, local_time = ?,"
            " next_due_at = ?, updated_at = ? WHERE id = ?",
            (cadence, ",".join(days), local_time, to_db_time(next_due_at), at, current.id),
        )
        enrolment_id = current.id
    else:
        if current is not None:
            await tx.execute("UPDATE enrolments SET active = 0, updated_at = ? WHERE id = ?",
                             (at, current.id))
        enrolment_id = await tx.fetch_value(
            "INSERT INTO enrolments (chat_id, pack_id, cadence, days, local_time,"
            " next_due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (chat_id, pack_id, cadence, ",".join(days), local_time, to_db_time(next_due_at),
             at, at),
        )
    return build(Enrolment, await tx.fetch_one("SELECT * FROM enrolments WHERE id = ?",
                                               (enrolment_id,)))


async def active_enrolment(tx: Tx, chat_id: int) -> Enrolment | None:
    """The chat's running programme, read inside the caller's transaction."""
    row = await tx.fetch_one("SELECT * FROM enrolments WHERE chat_id = ? AND active = 1",
                             (chat_id,))
    return None if row is None else build(Enrolment, row)


async def write_paused(tx: Tx, enrolment_id: int, paused: bool, now: datetime) -> None:
    if paused:
        await tx.execute("UPDATE enrolments SET paused = 1, updated_at = ? WHERE id = ?",
                         (to_db_time(now), enrolment_id))
    else:
        # Prompts unanswered before a pause do not count towards the next rest.
        await tx.execute("UPDATE enrolments SET paused = 0, resumed_at = ?, updated_at = ?"
                         " WHERE id = ? AND paused = 1",
                         (to_db_time(now), to_db_time(now), enrolment_id))


async def write_next_due(tx: Tx, enrolment_id: int, next_due_at: datetime | None,
                       now: datetime) -> None:
    """Move on to the next scheduled time; any quiet-hours hold ends."""
    await tx.execute(
        "UPDATE enrolments SET next_due_at = ?, hold_until = NULL, updated_at = ? WHERE id = ?",
        (to_db_time(next_due_at), to_db_time(now), enrolment_id),
    )
