"""Joint actions across a partnership: an action in each of two linked
groups, tied to one pair of the checklist, and the rounds of that pair's
questions that say whether it helped (tallies only, never a rating).

Proposing is one transaction under both groups' locks, re-checking that the
two groups are still partners, so a proposal sent twice makes one joint
action and one sent after an unlink makes none.
"""

from __future__ import annotations

import enum
from datetime import datetime

from bot.domain.joint_actions import WORDS_WINDOW, JointAction, JointDraft, Round
from bot.domain.partnership import ItemTally, Side
from bot.store.db import Database, from_db_time, to_db_time
from bot.store.rows import build, build_all


class Proposal(enum.StrEnum):
    MADE = "made"
    SAME = "same"  # the same action on the same pair is open already: nothing new
    UNLINKED = "unlinked"  # the two groups are no longer partners


class JointActionRepository:
    def __init__(self, db: Database):
        self.db = db

    async def propose(self, partnership_id: int, la_chat_id: int, cso_chat_id: int,
                      pair_number: int, proposed_by: Side, text: str, created_by: int,
                      items: dict[Side, tuple[str, str]]) -> tuple[Proposal, JointAction | None]:
        """An action in each group, tied as one. `items[side]` is that side's
        (pack, item) of the pair: each action comes from the group's latest
        round of it, if any. Only the proposing side's action keeps who made
        it; the partner's has no maker (no person's id crosses)."""
        now = to_db_time(self.db.now())
        async with self.db.transaction() as tx:
            await tx.lock_chats(la_chat_id, cso_chat_id)
            linked = await tx.fetch_value(
                "SELECT id FROM partnerships WHERE id = ? AND la_chat_id = ? AND cso_chat_id = ?",
                (partnership_id, la_chat_id, cso_chat_id))
            if linked is None:
                return Proposal.UNLINKED, None
            same = await tx.fetch_one(
                "SELECT j.* FROM joint_actions j JOIN actions a ON a.id = j.la_action_id"
                " JOIN actions b ON b.id = j.cso_action_id"
                " WHERE j.partnership_id = ? AND j.pair_number = ? AND a.text = ?"
                " AND b.text = ? AND (a.state = 'open' OR b.state = 'open')",
                (partnership_id, pair_number, text, text))
            if same is not None:
                return Proposal.SAME, build(JointAction, same)
            made = {}
            for side, chat_id in ((Side.LA, la_chat_id), (Side.CSO, cso_chat_id)):
                pack_id, item_id = items[side]
                source = await tx.fetch_value(
                    "SELECT id FROM prompts WHERE chat_id = ? AND pack_id = ? AND item_id = ?"
                    " ORDER BY opened_at DESC, id DESC LIMIT 1", (chat_id, pack_id, item_id))
                maker = created_by if side is proposed_by else None
                made[side] = await tx.fetch_value(
                    "INSERT INTO actions (chat_id, text, created_by, created_at,"
                    " source_prompt_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (chat_id, text, maker, now, source))
            row = await tx.fetch_one(
                "INSERT INTO joint_actions (partnership_id, pair_number, la_action_id,"
                " cso_action_id, proposed_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " RETURNING *",
                (partnership_id, pair_number, made[Side.LA], made[Side.CSO], str(proposed_by),
                 now))
        return Proposal.MADE, build(JointAction, row)

    async def get(self, joint_id: int) -> JointAction | None:
        row = await self.db.fetch_one("SELECT * FROM joint_actions WHERE id = ?", (joint_id,))
        return None if row is None else build(JointAction, row)

    async def of_action(self, action_id: int) -> JointAction | None:
        """The joint action an action is one half of (None: a plain action,
        or its partnership has ended)."""
        row = await self.db.fetch_one(
            "SELECT * FROM joint_actions WHERE la_action_id = ? OR cso_action_id = ?",
            (action_id, action_id))
        return None if row is None else build(JointAction, row)

    async def for_chat(self, chat_id: int) -> list[JointAction]:
        """Every joint action one of whose halves is this group's, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT j.* FROM joint_actions j JOIN partnerships p ON p.id = j.partnership_id"
            " WHERE p.la_chat_id = :chat OR p.cso_chat_id = :chat"
            " ORDER BY j.created_at, j.id", {"chat": chat_id})
        return build_all(JointAction, rows)

    async def want_words(self, user_id: int, partnership_id: int, side: Side,
                         pair_number: int) -> bool:
        """Wait for this coordinator's line for a joint action on the pair;
        False when that very wait is on already (a press delivered twice)."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.lock_chats(user_id)
            same = await tx.fetch_value(
                "SELECT 1 FROM joint_drafts WHERE user_id = ? AND partnership_id = ?"
                " AND side = ? AND pair_number = ? AND asked_at >= ?",
                (user_id, partnership_id, str(side), pair_number,
                 to_db_time(now - WORDS_WINDOW)))
            if same:
                return False
            await tx.execute(
                "INSERT INTO joint_drafts (user_id, partnership_id, side, pair_number,"
                " asked_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " partnership_id = excluded.partnership_id, side = excluded.side,"
                " pair_number = excluded.pair_number, message_id = NULL,"
                " asked_at = excluded.asked_at",
                (user_id, partnership_id, str(side), pair_number, to_db_time(now)))
            return True

    async def words_asked(self, user_id: int, message_id: int) -> None:
        """The bot's question that the line may reply to."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE joint_drafts SET message_id = ? WHERE user_id = ?",
                             (message_id, user_id))

    async def take_draft(self, user_id: int,
                         replied_message_id: int | None) -> JointDraft | None:
        """The coordinator's waiting draft, taken (deleted) at once so one
        message makes one proposal: when it was asked for lately and the
        message replies to nothing, or to the bot's question."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.lock_chats(user_id)
            row = await tx.fetch_one(
                "SELECT * FROM joint_drafts WHERE user_id = ? AND asked_at >= ?",
                (user_id, to_db_time(now - WORDS_WINDOW)))
            if row is None:
                return None
            draft = build(JointDraft, row)
            if replied_message_id is not None and replied_message_id != draft.message_id:
                return None  # an answer to something else
            await tx.execute("DELETE FROM joint_drafts WHERE user_id = ?", (user_id,))
            return draft

    async def rounds(self, chat_id: int, pack_id: str, item_id: str) -> list[Round]:
        """The group's closed rounds of one question, each with how many
        people rated it and the sum of their ratings."""
        rows = await self.db.fetch_all(
            "SELECT p.opened_at, p.closed_at, COUNT(a.scale) AS respondents,"
            " COALESCE(SUM(a.scale), 0) AS total FROM prompts p"
            " LEFT JOIN answers a ON a.prompt_id = p.id AND a.scale IS NOT NULL"
            " WHERE p.chat_id = ? AND p.pack_id = ? AND p.item_id = ?"
            " AND p.closed_at IS NOT NULL GROUP BY p.id, p.opened_at, p.closed_at",
            (chat_id, pack_id, item_id))
        return [Round(_time(row["opened_at"]), _time(row["closed_at"]),
                      ItemTally(int(row["respondents"]), int(row["total"]))) for row in rows]


def _time(text: str) -> datetime:
    moment = from_db_time(text)
    assert moment is not None
    return moment


