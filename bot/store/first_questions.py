"""When a group's questions began: what a weekly summary needs to know so
that it never reports on a question just out (see services.summaries)."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database, from_db_time, to_db_time

# A week holds a handful of questions (seven for a daily programme, and a
# few /asks); the first ones opened are enough to know when the week began.
_FIRST = 20


async def questions_of_week(db: Database, chat_id: int, start: datetime,
                            end: datetime) -> tuple[bool, list[tuple[str, datetime]]]:
    """(whether the chat had been asked anything before `end`, the (slot,
    opened at) of the first questions opened in [start, end)). Lookups on
    the prompts_by_chat index."""
    if await db.fetch_value("SELECT 1 FROM prompts WHERE chat_id = ? AND opened_at < ? LIMIT 1",
                            (chat_id, to_db_time(end))) is None:
        return False, []
    rows = await db.fetch_all(
        "SELECT slot, opened_at FROM prompts WHERE chat_id = ? AND opened_at >= ?"
        " AND opened_at < ? ORDER BY opened_at, id LIMIT ?",
        (chat_id, to_db_time(start), to_db_time(end), _FIRST))
    return True, [(row["slot"], from_db_time(row["opened_at"])) for row in rows]
