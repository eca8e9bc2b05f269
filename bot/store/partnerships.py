"""Partnerships between a council group and a civil-society group: their
one-time codes, the links themselves, and the per-item averages that are
all one group ever learns of the other's answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.partner_link import PartnerCode, Partnership
from bot.domain.partnership import ItemTally, Side
from bot.store.db import Database, Tx, from_db_time, to_db_time
from bot.store.rows import build, build_all

# Used and expired codes are kept this long after expiry (to answer "already
# used" or "expired" rather than "unknown"), then purged.
KEEP_SPENT_CODES = timedelta(days=30)


class LinkOutcome(StrEnum):
    LINKED = "linked"
    USED = "used"  # someone used the code between the check and the link
    ALREADY = "already"  # the two groups were linked meanwhile


class PartnershipRepository:
    def __init__(self, db: Database):
        self.db = db

    # -- codes

    async def add_code(
        self, chat_id: int, side: Side, code_hash: str, expires_at: datetime
    ) -> bool:
        """Keep a new code's hash; False if that hash exists already (the
        caller draws another code)."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM partner_codes WHERE expires_at < ?",
                             (to_db_time(now - KEEP_SPENT_CODES),))
            added = await tx.fetch_value(
                "INSERT INTO partner_codes (chat_id, side, code_hash, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (code_hash) DO NOTHING RETURNING id",
                (chat_id, str(side), code_hash, to_db_time(now), to_db_time(expires_at)),
            )
            return added is not None

    async def find_code(self, code_hash: str) -> PartnerCode | None:
        row = await self.db.fetch_one(
            "SELECT id, chat_id, side, created_at, expires_at, used_at FROM partner_codes"
            " WHERE code_hash = ?", (code_hash,))
        return None if row is None else build(PartnerCode, row)

    # -- links

    async def link(self, code_id: int, la_chat_id: int, cso_chat_id: int) -> LinkOutcome:
        """Spend the code and link the two groups, in one transaction: a code
        links once even when two coordinators send it at the same moment."""
        now = to_db_time(self.db.now())
        async with self.db.transaction() as tx:
            await tx.lock_chats(la_chat_id, cso_chat_id)
            if await _linked(tx, la_chat_id, cso_chat_id):
                return LinkOutcome.ALREADY
            spent = await tx.execute(
                "UPDATE partner_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (now, code_id))
            if not spent:
                return LinkOutcome.USED
            await tx.execute(
                "INSERT INTO partnerships (la_chat_id, cso_chat_id, created_at)"
                " VALUES (?, ?, ?)", (la_chat_id, cso_chat_id, now))
            return LinkOutcome.LINKED

    async def get(self, partnership_id: int) -> Partnership | None:
        row = await self.db.fetch_one("SELECT * FROM partnerships WHERE id = ?",
                                      (partnership_id,))
        return None if row is None else build(Partnership, row)

    async def for_chat(self, chat_id: int) -> list[Partnership]:
        """A group's partnerships, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM partnerships WHERE la_chat_id = :chat OR cso_chat_id = :chat"
            " ORDER BY created_at, id", {"chat": chat_id})
        return build_all(Partnership, rows)

    async def between(self, la_chat_id: int, cso_chat_id: int) -> Partnership | None:
        row = await self.db.fetch_one(
            "SELECT * FROM partnerships WHERE la_chat_id = ? AND cso_chat_id = ?",
            (la_chat_id, cso_chat_id))
        return None if row is None else build(Partnership, row)

    async def unlink(self, partnership_id: int, chat_id: int) -> bool:
        """End a partnership from one of its two groups; False if it was not
        theirs or had ended already."""
        ended = await self.db.execute(
            "DELETE FROM partnerships WHERE id = :id"
            " AND (la_chat_id = :chat OR cso_chat_id = :chat)",
            {"id": partnership_id, "chat": chat_id})
        return ended > 0

    # -- what crosses between the groups

    async def item_tallies(self, chat_id: int, pack_id: str) -> dict[str, ItemTally]:
        """Per item of `pack_id` asked in the group `chat_id`: how many people
        rated it and the sum of their ratings, each person counted once with
        their latest rating (given in the group or privately).

        Only questions put to a group count: a personal journal lives in a
        private chat and can never be read here. Individual ratings never
        leave this query.
        """
        rows = await self.db.fetch_all(
            "SELECT p.item_id, COUNT(*) AS respondents, SUM(a.scale) AS total"
            " FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " JOIN chats c ON c.id = p.chat_id"
            " WHERE p.chat_id = :chat AND p.pack_id = :pack AND c.kind = 'group'"
            " AND a.scale IS NOT NULL AND p.id = ("
            "   SELECT MAX(later.id) FROM prompts later"
            "   JOIN answers mine ON mine.prompt_id = later.id"
            "   WHERE later.chat_id = p.chat_id AND later.pack_id = p.pack_id"
            "   AND later.item_id = p.item_id AND mine.user_id = a.user_id"
            "   AND mine.scale IS NOT NULL)"
            " GROUP BY p.item_id",
            {"chat": chat_id, "pack": pack_id})
        return {row["item_id"]: ItemTally(row["respondents"], row["total"]) for row in rows}

    async def last_asked(self, chat_id: int, pack_id: str, item_id: str) -> datetime | None:
        """When the group was last asked this item (None: never)."""
        return from_db_time(await self.db.fetch_value(
            "SELECT MAX(opened_at) FROM prompts WHERE chat_id = ? AND pack_id = ?"
            " AND item_id = ?", (chat_id, pack_id, item_id)))


async def _linked(tx: Tx, la_chat_id: int, cso_chat_id: int) -> bool:
    return await tx.fetch_one(
        "SELECT 1 FROM partnerships WHERE la_chat_id = ? AND cso_chat_id = ?",
        (la_chat_id, cso_chat_id)) is not None
