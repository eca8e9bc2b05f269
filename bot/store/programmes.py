"""A chat's programme and the settings it runs by, changed together.

A command that changes when things happen (a time zone, the summary's day,
/resume, the last press of a wizard) writes several rows: the chat's
settings, the moments that follow from them (its next summary or recap), its
programme, the wizard's draft. Each such command is one transaction here,
and what it computes is read inside it: the scheduled round, which moves
the same rows, never sees half a change, and a change never rests on a row
the round moved meanwhile.

What follows from what is the services' business (and the domain's): they
pass it in as plain functions, called inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.records import Chat, Enrolment
from bot.store.chats import read_chat, write_chat
from bot.store.db import Database
from bot.store.drafts import take_draft
from bot.store.enrolments import (
    active_enrolment,
    start_enrolment,
    write_next_due,
    write_paused,
)
from bot.store.members import add_coordinator
from bot.store.prompts import last_opened

# The settings that follow from a chat's changed ones (its next summary or recap).
Follow = Callable[[Chat], Mapping[str, object]]
# A running programme's next question time, from the programme, its chat and
# when its last question was opened; None leaves it as it is.
Plan = Callable[[Enrolment, Chat, datetime | None], datetime | None]


@dataclass(frozen=True)
class Changed:
    chat: Chat | None
    next_due: datetime | None = None  # when planned again


class ProgrammeRepository:
    def __init__(self, db: Database):
        self.db = db

    async def change(self, chat_id: int, settings: Mapping[str, object] | None = None, *,
                     follow: Follow | None = None, paused: bool | None = None,
                     plan: Plan | None = None) -> Changed:
        """Change a chat's settings, then what follows from them, then (with
        `paused`) pause or resume its running programme, then (with `plan`)
        plan its next question again: one transaction."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            # Planned from the last question asked: not beside the tick's step.
            await tx.lock_chats(chat_id)
            if settings:
                await write_chat(tx, chat_id, settings, now)
            chat = await read_chat(tx, chat_id)
            if chat is not None and follow is not None and (following := follow(chat)):
                await write_chat(tx, chat_id, following, now)
                chat = await read_chat(tx, chat_id)
            if paused is None and plan is None:
                return Changed(chat)
            enrolment = await active_enrolment(tx, chat_id)
            if enrolment is None:
                return Changed(chat)
            if paused is not None:
                await write_paused(tx, enrolment.id, paused, now)
                enrolment = replace(enrolment, paused=paused)
            next_due = None
            if plan is not None and chat is not None:
                next_due = plan(enrolment, chat, await last_opened(tx, enrolment.id))
                if next_due is not None:
                    await write_next_due(tx, enrolment.id, next_due, now)
            return Changed(chat, next_due)

    async def start(
        self, chat_id: int, *, draft_message_id: int, settings: Mapping[str, object],
        follow: Follow, pack_id: str, cadence: str, days: Sequence[str], local_time: str,
        next_due_at: datetime | None, coordinator: int | None = None,
    ) -> Enrolment | None:
        """A wizard's last press: its draft goes, the chat takes its settings
        (and what follows from them), `coordinator` becomes one, and the
        programme starts, in one transaction. None, with nothing changed,
        when the draft was gone: another press finished the wizard first."""
        now = self.db.now()
        async with self.db.transaction() as tx:
            await tx.lock_chats(chat_id)
            if not await take_draft(tx, chat_id, draft_message_id):
                return None
            await write_chat(tx, chat_id, settings, now)
            if coordinator is not None:
                await add_coordinator(tx, chat_id, coordinator, None, now)
            chat = await read_chat(tx, chat_id)
            if chat is not None:
                await write_chat(tx, chat_id, follow(chat), now)
            return await start_enrolment(tx, chat_id, pack_id, cadence=cadence, days=days,
                                         local_time=local_time, next_due_at=next_due_at,
                                         now=now)
