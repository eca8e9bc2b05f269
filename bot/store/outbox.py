"""The outbox: what the bot must send on its own, and how far each send got.

A row is added in the same transaction as the decision to send it (a
question opened, a summary due), so a crash can neither lose it nor make it
twice: the key is unique. A sender claims rows for a while (a lease), sends,
then marks each sent with its message id, released for a retry, given up,
or "unknown" when Telegram may have received it and must not get it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.records import OutboxItem
from bot.store.db import Database, Tx, from_db_time, to_db_time
from bot.store.rows import build, build_all

# Lower goes first: a new question matters more than tidying the last one.
PRIORITY = {"question": 0, "summary": 1, "recap": 1, "rest": 1, "digest": 2, "reminder": 3,
            "invite": 3, "checkin": 3, "close": 4}


async def add_to_outbox(
    tx: Tx, key: str, kind: str, chat_id: int, now: datetime, *,
    prompt_id: int | None = None, subject_id: int | None = None, period: str | None = None,
) -> int | None:
    """Record a send inside the caller's transaction; None if the key was
    already there (decided before: it is not decided twice)."""
    return await tx.fetch_value(
        "INSERT INTO outbox (key, kind, chat_id, prompt_id, subject_id, period, priority,"
        " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO NOTHING RETURNING id",
        (key, kind, chat_id, prompt_id, subject_id, period, PRIORITY[kind],
         to_db_time(now), to_db_time(now)),
    )


class OutboxRepository:
    def __init__(self, db: Database):
        self.db = db

    async def add(self, key: str, kind: str, chat_id: int, **refs: object) -> int | None:
        async with self.db.transaction() as tx:
            return await add_to_outbox(tx, key, kind, chat_id, self.db.now(), **refs)

    async def claim(
        self, now: datetime, lease: timedelta, *, limit: int = 200,
        ids: list[int] | None = None, up_to: str | None = None,
    ) -> list[OutboxItem]:
        """Take pending rows whose time has come and nobody holds, most
        urgent first, for `lease`; each claim counts as an attempt. With
        `up_to` (a kind), only rows at least as urgent as that kind."""
        only = ""
        params: dict[str, object] = {"now": to_db_time(now), "until": to_db_time(now + lease),
                                     "limit": limit, "owner": self.db.session}
        if up_to is not None:
            only = " AND priority <= :top"
            params["top"] = PRIORITY[up_to]
        if ids is not None:
            if not ids:
                return []
            only += f" AND id IN ({', '.join(str(int(i)) for i in ids)})"
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE outbox SET claimed_until = :until, claimed_by = :owner,"
                " attempts = attempts + 1"
                " WHERE id IN (SELECT id FROM outbox WHERE state = 'pending'"
                " AND not_before <= :now AND (claimed_until IS NULL OR claimed_until <= :now)"
                f"{only} ORDER BY priority, not_before, id LIMIT :limit{tx.SKIP_LOCKED})"
                " RETURNING *",
                params,
            )
        return sorted(build_all(OutboxItem, rows), key=lambda i: (i.priority, i.not_before, i.id))

    async def sent(self, item_id: int, message_id: int | None) -> None:
        async with self.db.transaction() as tx:
            await self._finish(tx, item_id, "sent", None, message_id)

    async def question_sent(self, item_id: int, prompt_id: int, message_id: int) -> None:
        """A question went out: the prompt learns its message in the same step."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE prompts SET message_id = ? WHERE id = ?",
                             (message_id, prompt_id))
            await self._finish(tx, item_id, "sent", None, message_id)

    async def finish(self, item_id: int, state: str, reason: str) -> None:
        """Done without a known message: unknown (may have arrived, never
        resent), failed (given up) or skipped (nothing left to send)."""
        if state not in ("unknown", "failed", "skipped"):
            raise ValueError(state)
        async with self.db.transaction() as tx:
            await self._finish(tx, item_id, state, reason, None)

    async def _finish(self, tx: Tx, item_id: int, state: str, reason: str | None,
                      message_id: int | None) -> None:
        await tx.execute(
            "UPDATE outbox SET state = ?, reason = ?, message_id = ?, claimed_until = NULL,"
            " done_at = ? WHERE id = ?",
            (state, reason, message_id, to_db_time(self.db.now()), item_id),
        )

    async def progressed(self, item_id: int, parts_sent: int) -> None:
        """Parts of a message in several parts already delivered (not resent)."""
        await self.db.execute("UPDATE outbox SET progress = ? WHERE id = ?",
                              (parts_sent, item_id))

    async def retry_later(self, item_id: int, reason: str, at: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET claimed_until = NULL, not_before = ?, reason = ? WHERE id = ?",
            (to_db_time(at), reason, item_id),
        )

    async def fail_pending_for_chat(self, chat_id: int, reason: str) -> int:
        """A chat that is gone gets nothing it was still owed, now or later."""
        return await self.db.execute(
            "UPDATE outbox SET state = 'failed', reason = ?, claimed_until = NULL, done_at = ?"
            " WHERE chat_id = ? AND state = 'pending'",
            (reason, to_db_time(self.db.now()), chat_id),
        )

    async def release(self, ids: list[int]) -> int:
        """Give back rows this process claimed and did not send (a round that
        ended early): due again at once, the claim not counted as a try."""
        if not ids:
            return 0
        marks = ", ".join("?" * len(ids))
        return await self.db.execute(
            "UPDATE outbox SET claimed_until = NULL,"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
            f" WHERE id IN ({marks}) AND state = 'pending' AND claimed_by = ?",
            [*ids, self.db.session])

    async def release_claims(self) -> int:
        """Claims held by processes that are gone are free again (at start-up,
        and on PostgreSQL by the leader each tick); the claims of a process
        still connected, this one's included, are kept."""
        live = sorted(await self.db.live_sessions()) or [self.db.session]
        marks = ", ".join("?" * len(live))
        return await self.db.execute(
            "UPDATE outbox SET claimed_until = NULL"
            " WHERE state = 'pending' AND claimed_until IS NOT NULL"
            f" AND (claimed_by IS NULL OR claimed_by NOT IN ({marks}))", live)

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self.db.fetch_one("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return None if row is None else build(OutboxItem, row)

    async def by_key(self, key: str) -> OutboxItem | None:
        row = await self.db.fetch_one("SELECT * FROM outbox WHERE key = ?", (key,))
        return None if row is None else build(OutboxItem, row)

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state (for logs, metrics and tests)."""
        rows = await self.db.fetch_all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {row[0]: row[1] for row in rows}

    async def next_due(self) -> datetime | None:
        """When the earliest pending row may be tried."""
        return from_db_time(await self.db.fetch_value(
            "SELECT MIN(not_before) FROM outbox WHERE state = 'pending'"))
