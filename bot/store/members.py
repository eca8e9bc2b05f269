"""Members of a group as the bot knows them, and coordinators."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.records import Coordinator, Member, Sighting
from bot.store.db import Database, Tx, to_db_time
from bot.store.rows import build, build_all

# "Last seen" is kept to the hour: a member answering again within the hour
# (changing a rating, adding a comment) writes nothing about themselves.
SEEN_PRECISION = timedelta(hours=1)


async def record_sighting(tx: Tx, user_id: int, seen: Sighting, now: datetime) -> None:
    """A member recorded (or brought back, if they had left) as seen now."""
    at = to_db_time(now)
    await tx.execute(
        "INSERT INTO members (chat_id, user_id, display_name, username, joined_at,"
        " last_seen_at) VALUES (:chat, :user, :name, :username, :at, :at)"
        " ON CONFLICT (chat_id, user_id) DO UPDATE SET"
        " display_name = excluded.display_name, username = excluded.username,"
        " last_seen_at = excluded.last_seen_at, left_at = NULL"
        " WHERE members.left_at IS NOT NULL OR members.last_seen_at < :stale"
        " OR members.display_name IS DISTINCT FROM excluded.display_name"
        " OR members.username IS DISTINCT FROM excluded.username",
        {"chat": seen.chat_id, "user": user_id, "name": seen.display_name,
         "username": seen.username, "at": at, "stale": to_db_time(now - SEEN_PRECISION)},
    )


class MemberRepository:
    def __init__(self, db: Database):
        self.db = db

    async def seen(
        self, chat_id: int, user_id: int, display_name: str, username: str | None = None
    ) -> Member:
        """Record that a person took part (joined, answered, used a command)."""
        async with self.db.transaction() as tx:
            await record_sighting(tx, user_id, Sighting(chat_id, display_name, username),
                                  self.db.now())
            return build(Member, await tx.fetch_one(
                "SELECT * FROM members WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)))

    async def seen_all(self, chat_id: int,
                       people: Sequence[tuple[int, str, str | None]]) -> None:
        """Several people seen at once (user id, name, username: those a
        service message says joined), in one transaction."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            for user_id, display_name, username in people:
                await record_sighting(tx, user_id, Sighting(chat_id, display_name, username), now)

    async def get(self, chat_id: int, user_id: int) -> Member | None:
        row = await self.db.fetch_one(
            "SELECT * FROM members WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return None if row is None else build(Member, row)

    async def list_current(self, chat_id: int) -> list[Member]:
        rows = await self.db.fetch_all(
            "SELECT * FROM members WHERE chat_id = ? AND left_at IS NULL"
            " ORDER BY lower(display_name), user_id",
            (chat_id,),
        )
        return build_all(Member, rows)

    async def mark_left(self, chat_id: int, user_id: int) -> bool:
        changed = await self.db.execute(
            "UPDATE members SET left_at = ? WHERE chat_id = ? AND user_id = ?",
            (to_db_time(self.db.now()), chat_id, user_id),
        )
        return changed > 0

    async def set_quiet(self, chat_id: int, user_id: int, quiet: bool, *,
                        seen_as: Sighting | None = None) -> bool:
        """Whether a member asked for no reminders; with `seen_as`, they are
        recorded as seen (a member, if they were not) in the same transaction."""
        async with self.db.transaction() as tx:
            if seen_as is not None:
                await record_sighting(tx, user_id, seen_as, self.db.now())
            changed = await tx.execute(
                "UPDATE members SET quiet = ? WHERE chat_id = ? AND user_id = ?",
                (int(quiet), chat_id, user_id),
            )
            return changed > 0


class CoordinatorRepository:
    def __init__(self, db: Database):
        self.db = db

    async def add(self, chat_id: int, user_id: int, added_by: int | None = None) -> bool:
        """Make someone a coordinator; False if they already were one."""
        async with self.db.transaction() as tx:
            return await add_coordinator(tx, chat_id, user_id, added_by, self.db.now())

    async def appoint(self, chat_id: int, user_id: int, seen_as: Sighting,
                      added_by: int | None) -> bool:
        """/coordinators add: the person recorded as a member (as seen) and
        made a coordinator, in one transaction; False if they already were one."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await record_sighting(tx, user_id, seen_as, now)
            return await add_coordinator(tx, chat_id, user_id, added_by, now)

    async def remove(self, chat_id: int, user_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM coordinators WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return changed > 0

    async def is_coordinator(self, chat_id: int, user_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM coordinators WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return row is not None

    async def list(self, chat_id: int) -> list[Coordinator]:
        rows = await self.db.fetch_all(
            "SELECT * FROM coordinators WHERE chat_id = ? ORDER BY added_at, user_id", (chat_id,)
        )
        return build_all(Coordinator, rows)

    async def not_yet_asked_for_private_chat(self, chat_id: int) -> list[int]:
        """Coordinators with no private chat with the bot who were never asked
        (in the group, by no name) to open one."""
        rows = await self.db.fetch_all(
            "SELECT c.user_id FROM coordinators c LEFT JOIN chats p ON p.id = c.user_id"
            " WHERE c.chat_id = ? AND c.asked_private_at IS NULL"
            " AND (p.id IS NULL OR p.active = 0) ORDER BY c.user_id", (chat_id,))
        return [row[0] for row in rows]

    async def asked_for_private_chat(self, chat_id: int, user_ids: list[int]) -> None:
        async with self.db.transaction() as tx:
            for user_id in user_ids:
                await tx.execute(
                    "UPDATE coordinators SET asked_private_at = ? WHERE chat_id = ?"
                    " AND user_id = ?", (to_db_time(self.db.now()), chat_id, user_id))

    async def chats_of(self, user_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT chat_id FROM coordinators WHERE user_id = ? ORDER BY chat_id", (user_id,)
        )
        return [row[0] for row in rows]


async def add_coordinator(tx: Tx, chat_id: int, user_id: int, added_by: int | None,
                          now: datetime) -> bool:
    """Make someone a coordinator inside the caller's transaction; False if
    they already were one."""
    changed = await tx.execute(
        "INSERT INTO coordinators (chat_id, user_id, added_by, added_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (chat_id, user_id, added_by, to_db_time(now)),
    )
    return changed > 0
