"""An answer written over several messages: its parts, inside the caller's
transaction (bot/store/answers.py holds the answer's row meanwhile)."""

from __future__ import annotations

from typing import Any

from bot.store.db import Tx

# Between the parts of one answer, as a reader would space two messages.
PART_SEPARATOR = "\n\n"
# The part of a text saved before its message was known.
NO_MESSAGE = 0


async def add(tx: Tx, answer: Any, message_id: int, given: dict) -> bool:
    """Make `given` (the parts of a new message: text, voice) add its text to
    the answer instead of replacing it, when the answer already has words
    from another message. True if added. The same message again (Telegram
    delivering it twice) adds nothing: its text is left out of `given`."""
    text = given.get("text")
    if text is None or answer["text"] is None:
        return False
    parts = await _parts(tx, answer["id"])
    if not parts:
        if answer["message_id"] == message_id:
            given.pop("text")  # the same message again: its words are saved
            return False
        parts = {answer["message_id"] or NO_MESSAGE: answer["text"]}
        await _insert(tx, answer["id"], *next(iter(parts.items())))
    if message_id in parts:
        given.pop("text")  # the same message again
        return True
    await _insert(tx, answer["id"], message_id, text)
    parts[message_id] = text
    given["text"] = joined(parts)
    return True


async def edit(tx: Tx, answer: Any, message_id: int, text: str | None) -> dict | None:
    """The change an edited message makes when it gave one part of an
    answer: that part is replaced (or dropped, when the edit left it no
    words: a voice note's caption taken off), the others kept. None if the
    message is not one of the answer's parts."""
    parts = await _parts(tx, answer["id"])
    if message_id not in parts:
        return None
    if text is None:
        await tx.execute("DELETE FROM answer_parts WHERE answer_id = ? AND message_id = ?",
                         (answer["id"], message_id))
        del parts[message_id]
    else:
        await tx.execute("UPDATE answer_parts SET text = ? WHERE answer_id = ? AND message_id = ?",
                         (text, answer["id"], message_id))
        parts[message_id] = text
    return {"text": joined(parts) if parts else None}


def joined(parts: dict[int, str]) -> str:
    """The answer's text: its parts in the order they were sent."""
    return PART_SEPARATOR.join(parts[message] for message in sorted(parts))


async def _parts(tx: Tx, answer_id: int) -> dict[int, str]:
    rows = await tx.fetch_all(
        "SELECT message_id, text FROM answer_parts WHERE answer_id = ?", (answer_id,))
    return {row[0]: row[1] for row in rows}


async def _insert(tx: Tx, answer_id: int, message_id: int, text: str) -> None:
    await tx.execute(
        "INSERT INTO answer_parts (answer_id, message_id, text) VALUES (?, ?, ?)"
        " ON CONFLICT (answer_id, message_id) DO NOTHING", (answer_id, message_id, text))
