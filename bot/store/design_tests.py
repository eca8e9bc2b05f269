"""The five design tests of a planned action: when they were asked, and each
member's ratings (bot/domain/design_tests.py computes the profile).

Every change is one transaction under the group's lock that re-checks the
action's chat and state, so a rating pressed twice, in another group or on
a closed action changes nothing.
"""

from __future__ import annotations

from bot.domain.design_tests import Rating
from bot.store.actions import Change, open_in
from bot.store.db import Database, Tx, to_db_time
from bot.store.rows import build_all


class DesignTestRepository:
    def __init__(self, db: Database):
        self.db = db

    async def ask(self, action_id: int, chat_id: int) -> Change:
        """Mark the plan as put to the tests, once: SAME when it already was."""
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, chat_id)
            if refused is not None:
                return refused
            asked = await tx.execute(
                "UPDATE actions SET design_asked_at = ? WHERE id = ? AND design_asked_at IS NULL",
                (to_db_time(self.db.now()), action_id))
        return Change.DONE if asked else Change.SAME

    async def set_message(self, action_id: int, message_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE actions SET design_message_id = ? WHERE id = ?",
                             (message_id, action_id))

    async def rate(self, action_id: int, chat_id: int, user_id: int, test: str,
                   value: int) -> Change:
        """A member's rating on one test: new, replaced, or SAME when they
        had already given this very value. Only once the tests were asked."""
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, chat_id)
            if refused is not None:
                return refused
            if await tx.fetch_value("SELECT design_asked_at FROM actions WHERE id = ?",
                                    (action_id,)) is None:
                return Change.GONE
            now = to_db_time(self.db.now())
            changed = await tx.execute(
                "INSERT INTO design_ratings (action_id, user_id, test, value, rated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (action_id, user_id, test) DO UPDATE"
                " SET value = excluded.value, rated_at = excluded.rated_at"
                " WHERE design_ratings.value <> excluded.value",
                (action_id, user_id, test, value, now))
            if changed:
                await tx.execute("UPDATE actions SET design_changes = design_changes + 1"
                                 " WHERE id = ?", (action_id,))
        return Change.DONE if changed else Change.SAME

    async def show(self, action_id: int, chat_id: int) -> Change:
        """Note the profile as posted now: DONE when it changed since it was
        last posted (or never was), SAME when nothing is new, so a press
        delivered twice posts it once. Closed actions keep their profile."""
        async with self.db.transaction() as tx:
            await tx.lock_chats(chat_id)
            row = await tx.fetch_one(
                "SELECT design_asked_at, design_changes, design_shown FROM actions"
                f" WHERE id = ? AND chat_id = ?{tx.FOR_UPDATE}", (action_id, chat_id))
            if row is None or row["design_asked_at"] is None:
                return Change.GONE
            if row["design_shown"] is not None and row["design_shown"] >= row["design_changes"]:
                return Change.SAME
            await tx.execute("UPDATE actions SET design_shown = design_changes WHERE id = ?",
                             (action_id,))
        return Change.DONE

    async def ratings(self, action_id: int) -> list[Rating]:
        return build_all(Rating, await self.db.fetch_all(
            "SELECT action_id, user_id, test, value FROM design_ratings WHERE action_id = ?"
            " ORDER BY user_id, test", (action_id,)))

    async def raters(self, action_id: int) -> int:
        """How many people have rated at least one test."""
        return int(await self.db.fetch_value(
            "SELECT COUNT(DISTINCT user_id) FROM design_ratings WHERE action_id = ?",
            (action_id,)) or 0)


async def forget_ratings(tx: Tx, user_id: int, chat_id: int | None = None) -> None:
    """/forget: a person's design-test ratings (in one group, or everywhere)."""
    if chat_id is None:
        await tx.execute("DELETE FROM design_ratings WHERE user_id = ?", (user_id,))
    else:
        await tx.execute("DELETE FROM design_ratings WHERE user_id = ? AND action_id IN"
                         " (SELECT id FROM actions WHERE chat_id = ?)", (user_id, chat_id))
