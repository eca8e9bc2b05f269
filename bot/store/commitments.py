"""Personal commitments, kept as actions in the person's private chat with
them as the one owner (bot/domain/commitments.py): the check-ins, their
buttons and notes are the actions' own, and /forget and migrate-db already
cover them (the private chat's rows go with it; the tables are copied).

One commitment per prompt: every choice on the offer is one transaction
under the private chat's lock that reads what is there first, so a press
delivered twice, or two presses at once, make one commitment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.actions import Action, Owner
from bot.domain.commitments import Commitment, commitment_of
from bot.store.actions import Change
from bot.store.db import Database, Tx, to_db_time
from bot.store.rows import build, build_all


class CommitmentRepository:
    def __init__(self, db: Database):
        self.db = db

    async def choose(self, user_id: int, prompt_id: int, text: str,
                     due_for: Callable[[datetime], datetime] | None
                     ) -> tuple[Change, Commitment | None]:
        """A press on the offer under the person's answer to `prompt_id`: a
        date (`due_for` gives it from when the commitment was made), or no
        thanks (`due_for` None). Before its check-in has come a commitment
        may change its date or go; after, it stays as it is (CLOSED)."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.lock_chats(user_id)
            action = await _of_prompt(tx, user_id, prompt_id)
            if action is None:
                if due_for is None:
                    return Change.SAME, None
                row = await tx.fetch_one(
                    "INSERT INTO actions (chat_id, text, created_by, created_at, due_at,"
                    " source_prompt_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                    (user_id, text, user_id, to_db_time(now), to_db_time(due_for(now)),
                     prompt_id))
                await tx.execute(
                    "INSERT INTO action_owners (action_id, user_id, joined_at) VALUES (?, ?, ?)",
                    (row["id"], user_id, to_db_time(now)))
                return Change.DONE, await _commitment(tx, row["id"], user_id)
            owner_state = await tx.fetch_value(
                "SELECT state FROM action_owners WHERE action_id = ? AND user_id = ?",
                (action.id, user_id))
            if not action.is_open or owner_state != "on":
                return Change.CLOSED, await _commitment(tx, action.id, user_id)
            if due_for is None:
                await tx.execute("DELETE FROM actions WHERE id = ?", (action.id,))
                return Change.DONE, None
            due = due_for(action.created_at)
            if action.due_at == due:
                return Change.SAME, await _commitment(tx, action.id, user_id)
            await tx.execute("UPDATE actions SET due_at = ? WHERE id = ?",
                             (to_db_time(due), action.id))
            return Change.DONE, await _commitment(tx, action.id, user_id)

    async def of_prompt(self, user_id: int, prompt_id: int) -> Commitment | None:
        async with self.db.transaction() as tx:
            action = await _of_prompt(tx, user_id, prompt_id)
            return None if action is None else await _commitment(tx, action.id, user_id)

    async def of_person(self, user_id: int) -> list[Commitment]:
        """Every commitment of the person, oldest first."""
        actions = build_all(Action, await self.db.fetch_all(
            "SELECT * FROM actions WHERE chat_id = ? ORDER BY created_at, id", (user_id,)))
        owners = {owner.action_id: owner for owner in build_all(Owner, await self.db.fetch_all(
            "SELECT o.* FROM action_owners o JOIN actions a ON a.id = o.action_id"
            " WHERE a.chat_id = ? AND o.user_id = ?", (user_id, user_id)))}
        return [commitment_of(action, owners.get(action.id)) for action in actions]


async def _of_prompt(tx: Tx, user_id: int, prompt_id: int) -> Action | None:
    row = await tx.fetch_one(
        f"SELECT * FROM actions WHERE chat_id = ? AND source_prompt_id = ?{tx.FOR_UPDATE}",
        (user_id, prompt_id))
    return None if row is None else build(Action, row)


async def _commitment(tx: Tx, action_id: int, user_id: int) -> Commitment:
    action = build(Action, await tx.fetch_one("SELECT * FROM actions WHERE id = ?", (action_id,)))
    row = await tx.fetch_one(
        "SELECT * FROM action_owners WHERE action_id = ? AND user_id = ?", (action_id, user_id))
    return commitment_of(action, None if row is None else build(Owner, row))
