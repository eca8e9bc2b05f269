"""Actions and their owners: who took what on, by when, and how it went.

Every change is one transaction under the group's lock, re-checking the
action's chat and state, so a button pressed twice, in another group or on
a closed action changes nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime

from bot.domain.actions import NOTE_WINDOW, Action, Owner, state_after
from bot.store.db import Database, Tx, to_db_time
from bot.store.outbox import add_to_outbox
from bot.store.rows import build, build_all

_BATCH = 500


class Change(enum.StrEnum):
    """What a press did."""

    DONE = "done"  # it changed the action
    SAME = "same"  # it was so already: nothing changed
    GONE = "gone"  # no such action in this chat
    CLOSED = "closed"  # the action is done or dropped
    NOT_OWNER = "not_owner"  # only an owner may answer (or step back)


class ActionRepository:
    def __init__(self, db: Database):
        self.db = db

    async def create(self, chat_id: int, text: str, created_by: int, *,
                     from_prompt: int | None = None, from_week: str | None = None) -> Action:
        """A new open action: from the question or the week's summary it was
        made in reply to, else from the group's open question (else its last
        one), if it has any."""
        now = to_db_time(self.db.now())
        async with self.db.transaction() as tx:
            await tx.lock_chats(chat_id)
            if from_week is not None:
                source = None
            elif from_prompt is not None:
                source = await tx.fetch_value(
                    "SELECT id FROM prompts WHERE id = ? AND chat_id = ?", (from_prompt, chat_id))
            else:
                source = await tx.fetch_value(
                    "SELECT id FROM prompts WHERE chat_id = ?"
                    " ORDER BY (closed_at IS NULL) DESC, opened_at DESC, id DESC LIMIT 1",
                    (chat_id,))
            row = await tx.fetch_one(
                "INSERT INTO actions (chat_id, text, created_by, created_at, source_prompt_id,"
                " source_week) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (chat_id, text, created_by, now, source, from_week))
        return build(Action, row)

    async def summary_week(self, chat_id: int, message_id: int) -> str | None:
        """The week ("2026-W11") of the group's weekly summary whose last
        message this is (the one that says how to reply with an action)."""
        return await self.db.fetch_value(
            "SELECT period FROM outbox WHERE chat_id = ? AND kind = 'summary'"
            " AND message_id = ?", (chat_id, message_id))

    async def get(self, action_id: int) -> Action | None:
        row = await self.db.fetch_one("SELECT * FROM actions WHERE id = ?", (action_id,))
        return None if row is None else build(Action, row)

    async def set_message(self, action_id: int, message_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE actions SET message_id = ? WHERE id = ?",
                             (message_id, action_id))

    async def owners(self, action_id: int) -> list[Owner]:
        rows = await self.db.fetch_all(
            "SELECT * FROM action_owners WHERE action_id = ? ORDER BY joined_at, user_id",
            (action_id,))
        return build_all(Owner, rows)

    async def owner(self, action_id: int, user_id: int) -> Owner | None:
        row = await self.db.fetch_one(
            "SELECT * FROM action_owners WHERE action_id = ? AND user_id = ?",
            (action_id, user_id))
        return None if row is None else build(Owner, row)

    async def open_for_chat(self, chat_id: int, limit: int = 20) -> list[Action]:
        rows = await self.db.fetch_all(
            "SELECT * FROM actions WHERE chat_id = ? AND state = 'open'"
            " ORDER BY created_at, id LIMIT ?", (chat_id, limit))
        return build_all(Action, rows)

    async def volunteer(self, action_id: int, chat_id: int, user_id: int) -> Change:
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, chat_id)
            if refused is not None:
                return refused
            added = await tx.execute(
                "INSERT INTO action_owners (action_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT (action_id, user_id) DO NOTHING",
                (action_id, user_id, to_db_time(self.db.now())))
        return Change.DONE if added else Change.SAME

    async def step_back(self, action_id: int, chat_id: int, user_id: int) -> Change:
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, chat_id)
            if refused is not None:
                return refused
            removed = await tx.execute(
                "DELETE FROM action_owners WHERE action_id = ? AND user_id = ?",
                (action_id, user_id))
            if removed:
                await _settle(tx, action_id, self.db.now())
        return Change.DONE if removed else Change.NOT_OWNER

    async def set_due(self, action_id: int, chat_id: int, due_at: datetime) -> Change:
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, chat_id)
            if refused is not None:
                return refused
            # The first date chosen stays: a second choice, pressed at the same
            # moment or later, changes nothing.
            changed = await tx.execute(
                "UPDATE actions SET due_at = ? WHERE id = ? AND due_at IS NULL",
                (to_db_time(due_at), action_id))
        return Change.DONE if changed else Change.SAME

    async def plan_checkins(self, now: datetime) -> list[int]:
        """Record a check-in for each owner whose date has come (and who has
        a private chat to hear it in), once each: the owner is marked asked
        in the same step. Returns the outbox rows to send."""
        made: list[int] = []
        for _ in range(1_000):
            due = await self.db.fetch_all(
                "SELECT o.action_id, o.user_id, o.rounds, a.chat_id FROM action_owners o"
                " JOIN actions a ON a.id = o.action_id"
                " JOIN chats g ON g.id = a.chat_id AND g.active = 1"
                " JOIN chats p ON p.id = o.user_id AND p.active = 1"
                " WHERE o.state IN ('on', 'on_way') AND a.state = 'open'"
                " AND COALESCE(o.checkin_at, a.due_at) <= ?"
                " ORDER BY a.due_at, o.action_id, o.user_id LIMIT ?",
                (to_db_time(now), _BATCH))
            if not due:
                break
            for row in due:
                async with self.db.transaction() as tx:
                    await tx.lock_chats(row["chat_id"])
                    asked = await tx.execute(
                        "UPDATE action_owners SET state = 'asked', rounds = rounds + 1,"
                        " checkin_at = NULL WHERE action_id = ? AND user_id = ? AND rounds = ?"
                        " AND state IN ('on', 'on_way')",
                        (row["action_id"], row["user_id"], row["rounds"]))
                    if asked:
                        key = f"checkin:{row['action_id']}:{row['user_id']}:{row['rounds'] + 1}"
                        item = await add_to_outbox(tx, key, "checkin", row["user_id"], now,
                                                   subject_id=row["action_id"])
                        if item is not None:
                            made.append(item)
            if len(due) < _BATCH:
                break
        return made

    async def answer(self, action_id: int, user_id: int, state: str,
                     next_checkin: datetime | None) -> tuple[Change, Action | None]:
        """An owner's answer to a check-in: "done", "on_way" (next check-in
        at `next_checkin`), "stuck", or "let_go" (no longer an owner). The
        action is done once every owner is. The owner is then asked for a
        note (their next private message)."""
        action = await self.get(action_id)
        if action is None:
            return Change.GONE, None
        now = self.db.now()
        async with self.db.transaction() as tx:
            refused = await open_in(tx, action_id, action.chat_id)
            if refused is not None:
                return refused, action
            current = await tx.fetch_value(
                "SELECT state FROM action_owners WHERE action_id = ? AND user_id = ?",
                (action_id, user_id))
            if current is None:
                return Change.NOT_OWNER, action
            if state == "let_go":
                await tx.execute("DELETE FROM action_owners WHERE action_id = ? AND user_id = ?",
                                 (action_id, user_id))
                if action.chat_id == user_id:
                    # A personal commitment (bot/store/commitments.py) has
                    # nobody else to take it on: letting it go closes it.
                    await tx.execute(
                        "UPDATE actions SET state = 'dropped', closed_at = ? WHERE id = ?",
                        (to_db_time(now), action_id))
            elif current == state:
                return Change.SAME, action
            else:
                await tx.execute(
                    "UPDATE action_owners SET state = ?, answered_at = ?, checkin_at = ?,"
                    " note_wanted_at = ? WHERE action_id = ? AND user_id = ?",
                    (state, to_db_time(now), to_db_time(next_checkin), to_db_time(now),
                     action_id, user_id))
            await _settle(tx, action_id, now)
        return Change.DONE, await self.get(action_id)

    async def take_note(self, user_id: int, text: str) -> int | None:
        """The owner's next private message after a check-in answer, kept as
        its note (private until they share it); the action's id, or None
        when no note was asked for lately."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT action_id FROM action_owners WHERE user_id = ?"
                " AND note_wanted_at >= ? ORDER BY note_wanted_at DESC LIMIT 1",
                (user_id, to_db_time(now - NOTE_WINDOW)))
            if row is None:
                return None
            await tx.execute(
                "UPDATE action_owners SET note = ?, note_shared = 0, note_wanted_at = NULL"
                " WHERE action_id = ? AND user_id = ?", (text, row["action_id"], user_id))
            return row["action_id"]

    async def share_note(self, action_id: int, user_id: int, shared: bool) -> Change:
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE action_owners SET note_shared = ? WHERE action_id = ? AND user_id = ?"
                " AND note IS NOT NULL AND note_shared <> ?",
                (int(shared), action_id, user_id, int(shared)))
            if changed:
                return Change.DONE
            exists = await tx.fetch_value(
                "SELECT 1 FROM action_owners WHERE action_id = ? AND user_id = ?"
                " AND note IS NOT NULL", (action_id, user_id))
        return Change.SAME if exists else Change.NOT_OWNER

    async def of_week(self, chat_id: int, start: datetime) -> tuple[list[Action],
                                                                     dict[int, list[Owner]]]:
        """A group's open actions and those closed since `start`, with owners."""
        actions = build_all(Action, await self.db.fetch_all(
            "SELECT * FROM actions WHERE chat_id = ? AND (state = 'open' OR closed_at >= ?"
            " OR created_at >= ?) ORDER BY created_at, id",
            (chat_id, to_db_time(start), to_db_time(start))))
        return actions, await self._owners_of([a.id for a in actions])

    async def stuck(self, chat_id: int) -> list[tuple[Action, list[str]]]:
        """Open actions some owner is stuck on, each with the notes its stuck
        owners chose to share (never the others)."""
        actions = build_all(Action, await self.db.fetch_all(
            "SELECT * FROM actions a WHERE a.chat_id = ? AND a.state = 'open' AND EXISTS"
            " (SELECT 1 FROM action_owners o WHERE o.action_id = a.id AND o.state = 'stuck')"
            " ORDER BY a.created_at, a.id", (chat_id,)))
        owners = await self._owners_of([a.id for a in actions])
        return [(action, [o.note for o in owners.get(action.id, [])
                          if o.state == "stuck" and o.note_shared and o.note])
                for action in actions]

    async def _owners_of(self, action_ids: list[int]) -> dict[int, list[Owner]]:
        found: dict[int, list[Owner]] = {}
        if not action_ids:
            return found
        marks = ", ".join(str(int(i)) for i in action_ids)
        for owner in build_all(Owner, await self.db.fetch_all(
                f"SELECT * FROM action_owners WHERE action_id IN ({marks})"
                " ORDER BY joined_at, user_id")):
            found.setdefault(owner.action_id, []).append(owner)
        return found


async def _settle(tx: Tx, action_id: int, now: datetime) -> None:
    """The action done once every remaining owner says so."""
    states = [row[0] for row in await tx.fetch_all(
        "SELECT state FROM action_owners WHERE action_id = ?", (action_id,))]
    if state_after(states) == "done":
        await tx.execute(
            "UPDATE actions SET state = 'done', closed_at = ? WHERE id = ? AND state = 'open'",
            (to_db_time(now), action_id))


async def forget_owner(tx: Tx, user_id: int, chat_id: int | None = None) -> None:
    """/forget: the person no longer owns or made any action (in one group,
    or everywhere); the actions stay, unassigned."""
    only = "" if chat_id is None else " AND chat_id = ?"
    params: tuple = (user_id,) if chat_id is None else (user_id, chat_id)
    await tx.execute("DELETE FROM action_owners WHERE user_id = ? AND action_id IN"
                     f" (SELECT id FROM actions WHERE 1 = 1{only})", params)
    await tx.execute(f"UPDATE actions SET created_by = NULL WHERE created_by = ?{only}", params)


async def open_in(tx: Tx, action_id: int, chat_id: int) -> Change | None:
    """Inside the caller's transaction: None when the action is open in this
    chat (and then locked, with its chat), else why not."""
    await tx.lock_chats(chat_id)
    state = await tx.fetch_value(
        f"SELECT state FROM actions WHERE id = ? AND chat_id = ?{tx.FOR_UPDATE}",
        (action_id, chat_id))
    if state is None:
        return Change.GONE
    return None if state == "open" else Change.CLOSED
