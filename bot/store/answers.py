"""Answers: one per member per prompt, with the history of every change."""

from __future__ import annotations

import functools
from datetime import datetime

from bot.domain.records import Answer, AnswerEdit, Prompt, Sighting
from bot.store import answer_parts
from bot.store.db import Database, Tx, to_db_time
from bot.store.members import record_sighting
from bot.store.rows import build, build_all

_UNSET = object()


@functools.cache
def _history_sql(given: tuple[str, ...]) -> str:
    """Keep the content an answer is about to lose: when a part given differs
    from one it has (a first comment replaces nothing)."""
    replaced = " OR ".join(f"({name} IS NOT NULL AND {name} IS DISTINCT FROM :{name})"
                           for name in given)
    return ("INSERT INTO answer_edits (answer_id, scale, text, voice_file_id, replaced_at)"
            " SELECT id, scale, text, voice_file_id, :now FROM answers"
            f" WHERE prompt_id = :prompt AND user_id = :user AND ({replaced})")


@functools.cache
def _change_sql(given: tuple[str, ...], *, quotable: bool, private: bool,
                message: bool) -> str:
    """Change an existing answer by the parts given, if anything differs;
    RETURNING the answer (no row when nothing did)."""
    differs = [f"{name} IS DISTINCT FROM :{name}" for name in given]
    sets = [f"{name} = :{name}" for name in given]
    if given:
        sets.append(f"edited_at = CASE WHEN {' OR '.join(differs)} THEN :now"
                    " ELSE edited_at END")
    sets.append("skipped = :skipped")
    differs.append("skipped <> :skipped")
    if private:
        # A private answer stays private even if a later part comes from the
        # group, so no one is exposed by a later tap: only ever set, not reset.
        sets.append("visibility = 'private'")
        differs.append("visibility <> 'private'")
    if quotable:
        sets.append("quotable = :quotable")
        differs.append("quotable <> :quotable")
    if message:
        sets.append("message_id = :message_id")
        differs.append("message_id IS DISTINCT FROM :message_id")
    return (f"UPDATE answers SET {', '.join(sets)}"
            f" WHERE prompt_id = :prompt AND user_id = :user AND ({' OR '.join(differs)})"
            " RETURNING *")


class AnswerRepository:
    def __init__(self, db: Database):
        self.db = db

    async def record(
        self,
        prompt_id: int,
        user_id: int,
        *,
        visibility: str = "group",
        scale: object = _UNSET,
        text: object = _UNSET,
        voice_file_id: object = _UNSET,
        skipped: bool = False,
        quotable: bool | None = None,
        message_id: int | None = None,
        seen_in: Sighting | None = None,
    ) -> Answer:
        """Save or change a member's answer; replaced content goes to answer_edits.

        Only the parts given are changed: a rating tap keeps an earlier comment
        and a comment keeps an earlier rating. With `seen_in`, the person is
        recorded as a member of that group in the same transaction (one commit
        per answer, and never an answer without its member).
        """
        given = {
            name: value
            for name, value in (("scale", scale), ("text", text), ("voice_file_id", voice_file_id))
            if value is not _UNSET
        }
        async with self.db.transaction() as tx:
            created = await self._first(tx, prompt_id, user_id, given, skipped=skipped,
                                        visibility=visibility, quotable=quotable,
                                        message_id=message_id, seen_in=seen_in)
            if created is not None:
                return created
            if tx.FOR_UPDATE:  # another tap of theirs waits until this one is kept
                await _hold(tx, prompt_id, user_id)
            return await self._change(tx, prompt_id, user_id, given, skipped=skipped,
                                      visibility=visibility, quotable=quotable,
                                      message_id=message_id)

    async def add_message(self, prompt_id: int, user_id: int, *, text: str | None,
                          voice_file_id: str | None, visibility: str, message_id: int,
                          seen_in: Sighting | None = None) -> tuple[Answer, bool]:
        """A message that answers a prompt (a comment, a journal answer):
        (the answer, True if it was added to one already written).

        A first answer, a voice note or the same message again is saved as
        `record` saves it. A further written message of the same person is
        added to their answer, never in its place: people split a thought
        over several messages.
        """
        given = {name: value for name, value in (("text", text), ("voice_file_id", voice_file_id))
                 if value is not None}
        async with self.db.transaction() as tx:
            created = await self._first(tx, prompt_id, user_id, given, skipped=False,
                                        visibility=visibility, quotable=None,
                                        message_id=message_id, seen_in=seen_in)
            if created is not None:
                return created, False
            existing = await _hold(tx, prompt_id, user_id)
            added = await answer_parts.add(tx, existing, message_id, given)
            # Words added replace nothing: only a replaced voice note goes
            # to the history.
            return await self._change(
                tx, prompt_id, user_id, given, skipped=False, visibility=visibility,
                quotable=None, message_id=existing["message_id"] if added else message_id,
                replacing=tuple(name for name in given if not (added and name == "text")),
            ), added

    async def edit_message(self, prompt_id: int, user_id: int, message_id: int, *,
                           text: str | None, voice_file_id: str | None) -> Answer | None:
        """An edited message changes the answer it gave (the whole answer, or
        its part when written over several messages); what it replaces goes
        to the history. None if that message gave no answer of theirs."""
        async with self.db.transaction() as tx:
            existing = await _hold(tx, prompt_id, user_id)
            if existing is None:
                return None
            given = await answer_parts.edit(tx, existing, message_id, text)
            if given is None:
                if existing["message_id"] != message_id:
                    return None
                given = {"text": text, "voice_file_id": voice_file_id}
            return await self._change(tx, prompt_id, user_id, given, skipped=False,
                                      visibility=existing["visibility"], quotable=None,
                                      message_id=existing["message_id"])

    async def _first(self, tx: Tx, prompt_id: int, user_id: int, given: dict, *,
                     skipped: bool, visibility: str, quotable: bool | None,
                     message_id: int | None, seen_in: Sighting | None) -> Answer | None:
        """A first answer (the usual case) as one statement; None if the
        person had answered already. With `seen_in`, the person is recorded
        as a member of that group in the same transaction."""
        moment = self.db.now()
        if seen_in is not None:
            await record_sighting(tx, user_id, seen_in, moment)
        created = await tx.fetch_one(
            "INSERT INTO answers (prompt_id, user_id, scale, skipped, text, voice_file_id,"
            " visibility, quotable, message_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (prompt_id, user_id) DO NOTHING RETURNING *",
            (prompt_id, user_id, given.get("scale"), int(skipped), given.get("text"),
             given.get("voice_file_id"), visibility, int(bool(quotable)), message_id,
             to_db_time(moment)),
        )
        return None if created is None else build(Answer, created)

    async def _change(self, tx: Tx, prompt_id: int, user_id: int, given: dict, *,
                      skipped: bool, visibility: str, quotable: bool | None,
                      message_id: int | None, replacing: tuple[str, ...] | None = None,
                      ) -> Answer:
        """A change: what it replaces (of the parts given, or of `replacing`)
        goes to the history, then the answer is changed, each statement
        reading the row for itself."""
        params = {"prompt": prompt_id, "user": user_id, "now": to_db_time(self.db.now()),
                  "skipped": int(skipped), "quotable": int(bool(quotable)),
                  "message_id": message_id, **given}
        replacing = tuple(given) if replacing is None else replacing
        if replacing:
            await tx.execute(_history_sql(replacing), params)
        changed = await tx.fetch_one(_change_sql(
            tuple(given), quotable=quotable is not None, private=visibility == "private",
            message=message_id is not None), params)
        if changed is None:  # the same tap again: nothing to write
            changed = await tx.fetch_one(
                "SELECT * FROM answers WHERE prompt_id = ? AND user_id = ?",
                (prompt_id, user_id))
        return build(Answer, changed)

    async def get(self, prompt_id: int, user_id: int) -> Answer | None:
        row = await self.db.fetch_one(
            "SELECT * FROM answers WHERE prompt_id = ? AND user_id = ?", (prompt_id, user_id)
        )
        return None if row is None else build(Answer, row)

    async def by_message(self, prompt_id: int, message_id: int) -> Answer | None:
        """The answer a message gave: all of it, or one of its parts."""
        row = await self.db.fetch_one(
            "SELECT * FROM answers WHERE prompt_id = ? AND message_id = ?"
            " UNION SELECT a.* FROM answer_parts ap JOIN answers a ON a.id = ap.answer_id"
            " WHERE ap.message_id = ? AND a.prompt_id = ?",
            (prompt_id, message_id, message_id, prompt_id))
        return None if row is None else build(Answer, row)

    async def for_prompt(self, prompt_id: int) -> list[Answer]:
        rows = await self.db.fetch_all(
            "SELECT * FROM answers WHERE prompt_id = ? ORDER BY created_at, id", (prompt_id,)
        )
        return build_all(Answer, rows)

    async def count_for_prompt(self, prompt_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT COUNT(*) FROM answers WHERE prompt_id = ? AND skipped = 0"
            " AND (scale IS NOT NULL OR text IS NOT NULL OR voice_file_id IS NOT NULL)",
            (prompt_id,),
        )
        return int(row[0])

    async def history(self, answer_id: int) -> list[AnswerEdit]:
        rows = await self.db.fetch_all(
            "SELECT * FROM answer_edits WHERE answer_id = ? ORDER BY replaced_at, id",
            (answer_id,),
        )
        return build_all(AnswerEdit, rows)

    async def for_member_in_chat(self, chat_id: int, user_id: int) -> list[Answer]:
        rows = await self.db.fetch_all(
            "SELECT a.* FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE p.chat_id = ? AND a.user_id = ? ORDER BY p.opened_at, a.id",
            (chat_id, user_id),
        )
        return build_all(Answer, rows)

    async def member_answers_with_prompts(self, chat_id: int,
                                          user_id: int) -> list[tuple[Prompt, Answer]]:
        """A member's answers in a chat with their questions (/mydata), read
        on the long-read connection, off the event loop: two queries, one
        hop each."""
        answers = build_all(Answer, await self.db.long_reads.fetch_all(
            "SELECT a.* FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            " WHERE p.chat_id = ? AND a.user_id = ? ORDER BY p.opened_at, a.id",
            (chat_id, user_id)))
        prompts = {prompt.id: prompt for prompt in build_all(
            Prompt, await self.db.long_reads.fetch_all(
                "SELECT * FROM prompts WHERE chat_id = ? AND id IN"
                " (SELECT prompt_id FROM answers WHERE user_id = ?)", (chat_id, user_id)))}
        # An answer whose question went between the two reads is left out.
        return [(prompts[a.prompt_id], a) for a in answers if a.prompt_id in prompts]


async def _hold(tx: Tx, prompt_id: int, user_id: int):
    """The person's answer to the prompt, held until the transaction ends:
    another message or tap of theirs waits until this one is kept."""
    return await tx.fetch_one(
        f"SELECT * FROM answers WHERE prompt_id = ? AND user_id = ?{tx.FOR_UPDATE}",
        (prompt_id, user_id))


async def skip_unanswered(tx: Tx, prompt_id: int, user_id: int, now: datetime) -> bool:
    """Mark a prompt passed over by someone who has not answered it, inside
    the caller's transaction; an existing answer is left exactly as it is.
    True if marked."""
    return bool(await tx.execute(
        "INSERT INTO answers (prompt_id, user_id, skipped, visibility, created_at)"
        " VALUES (?, ?, 1, 'private', ?) ON CONFLICT (prompt_id, user_id) DO NOTHING",
        (prompt_id, user_id, to_db_time(now))))
