"""Reading a chat's answers out in one pass, for export files: one query on
the long-read connection (off the event loop, bot/store/reader.py), its rows
made records in a worker thread."""

from __future__ import annotations

import asyncio

from bot.domain.actions import Action, Owner
from bot.domain.design_tests import Rating
from bot.domain.records import ExportOwner, ExportRow
from bot.store.db import Database
from bot.store.rows import build_all


class ExportRepository:
    def __init__(self, db: Database):
        self.db = db

    async def answers_for_chat(self, chat_id: int) -> list[ExportRow]:
        """Every answer given to the chat's questions, oldest question first.

        display_name is filled only when the chat lets coordinators see names.
        """
        rows = await self.db.long_reads.fetch_all(
            "SELECT p.chat_id, a.prompt_id, p.pack_id, p.item_id, p.opened_at AS asked_at,"
            " a.user_id,"
            " CASE WHEN c.names_visible = 1 THEN m.display_name END AS display_name,"
            " a.scale, a.skipped, a.text, a.voice_file_id, a.visibility, a.quotable,"
            " a.created_at AS answered_at, a.edited_at"
            " FROM answers a"
            " JOIN prompts p ON p.id = a.prompt_id"
            " JOIN chats c ON c.id = p.chat_id"
            " LEFT JOIN members m ON m.chat_id = p.chat_id AND m.user_id = a.user_id"
            " WHERE p.chat_id = ? ORDER BY p.opened_at, p.id, a.created_at, a.id",
            (chat_id,),
        )
        return await asyncio.to_thread(build_all, ExportRow, rows)

    async def actions_for_chat(self, chat_id: int) -> tuple[list[Action], list[ExportOwner]]:
        """The chat's actions, oldest first, and their owners. A note leaves
        the store only when its owner shared it; a name only when the chat
        lets coordinators see names."""
        actions = await self.db.long_reads.fetch_all(
            "SELECT * FROM actions WHERE chat_id = ? ORDER BY created_at, id", (chat_id,))
        owners = await self.db.long_reads.fetch_all(
            "SELECT o.action_id, o.user_id,"
            " CASE WHEN c.names_visible = 1 THEN m.display_name END AS display_name,"
            " o.state, o.rounds, o.answered_at,"
            " CASE WHEN o.note_shared = 1 THEN o.note END AS shared_note"
            " FROM action_owners o"
            " JOIN actions a ON a.id = o.action_id"
            " JOIN chats c ON c.id = a.chat_id"
            " LEFT JOIN members m ON m.chat_id = a.chat_id AND m.user_id = o.user_id"
            " WHERE a.chat_id = ? ORDER BY o.action_id, o.joined_at, o.user_id",
            (chat_id,))
        return (await asyncio.to_thread(build_all, Action, actions),
                await asyncio.to_thread(build_all, ExportOwner, owners))

    async def design_ratings_for_chat(self, chat_id: int) -> list[Rating]:
        """Every design-test rating of the chat's actions: the export shows
        only the averages made of them (bot/render/export_actions.py)."""
        rows = await self.db.long_reads.fetch_all(
            "SELECT r.action_id, r.user_id, r.test, r.value FROM design_ratings r"
            " JOIN actions a ON a.id = r.action_id WHERE a.chat_id = ?"
            " ORDER BY r.action_id, r.test, r.user_id", (chat_id,))
        return await asyncio.to_thread(build_all, Rating, rows)

    async def design_ratings_of_member(self, chat_id: int, user_id: int
                                       ) -> list[tuple[Action, list[Rating]]]:
        """For /mydata: a person's own design-test ratings in the chat, by action."""
        ratings = build_all(Rating, await self.db.long_reads.fetch_all(
            "SELECT r.action_id, r.user_id, r.test, r.value FROM design_ratings r"
            " JOIN actions a ON a.id = r.action_id WHERE a.chat_id = ? AND r.user_id = ?"
            " ORDER BY a.created_at, r.action_id", (chat_id, user_id)))
        rated = build_all(Action, await self.db.long_reads.fetch_all(
            "SELECT * FROM actions a WHERE a.chat_id = ? AND EXISTS (SELECT 1 FROM"
            " design_ratings r WHERE r.action_id = a.id AND r.user_id = ?)"
            " ORDER BY a.created_at, a.id", (chat_id, user_id)))
        return [(action, [r for r in ratings if r.action_id == action.id]) for action in rated]

    async def actions_of_member(self, chat_id: int, user_id: int
                                ) -> tuple[list[Action], list[tuple[Action, Owner]]]:
        """For /mydata: the actions a person started in the chat, and those
        they are taking on with their own check-in (their note too, shared
        or not: it is theirs)."""
        made = await self.db.long_reads.fetch_all(
            "SELECT * FROM actions WHERE chat_id = ? AND created_by = ?"
            " ORDER BY created_at, id", (chat_id, user_id))
        owners = build_all(Owner, await self.db.long_reads.fetch_all(
            "SELECT o.* FROM action_owners o JOIN actions a ON a.id = o.action_id"
            " WHERE a.chat_id = ? AND o.user_id = ? ORDER BY a.created_at, a.id",
            (chat_id, user_id)))
        taken_rows = await self.db.long_reads.fetch_all(
            "SELECT a.* FROM actions a JOIN action_owners o ON o.action_id = a.id"
            " WHERE a.chat_id = ? AND o.user_id = ?", (chat_id, user_id))
        taken = {action.id: action for action in build_all(Action, taken_rows)}
        return (build_all(Action, made),
                [(taken[owner.action_id], owner) for owner in owners
                 if owner.action_id in taken])
