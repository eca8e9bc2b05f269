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

from bot.domain.joint_actions import JointAction, Round
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


