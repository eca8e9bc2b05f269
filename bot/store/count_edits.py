"""Whose turn it is to edit a question's live count, across replicas.

Each replica edits the "N people have answered" line once for a burst of
taps it handled; two replicas handling taps in one group would each do so,
and together pass Telegram's 20 messages a minute per group. The question's
row holds when its count was last edited, and an edit takes its turn with
one conditional update: only one replica edits in any `gap`, and a closed
question's count is never edited again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.db import Database, from_db_time, to_db_time


class CountEdits:
    def __init__(self, db: Database):
        self.db = db

    async def take_turn(self, prompt_id: int, now: datetime, gap: timedelta,
                        *, paced: bool = True) -> float | None:
        """Take the question's turn to edit its count: 0.0 if taken, the
        seconds until the next turn if another edit came less than `gap`
        ago (unless not `paced`: the turn is taken anyway), None if the
        question is closed or gone."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                f"SELECT closed_at, count_edited_at FROM prompts WHERE id = ?{tx.FOR_UPDATE}",
                (prompt_id,))
            if row is None or row[0] is not None:
                return None
            last = from_db_time(row[1])
            if paced and last is not None and now < last + gap:
                return max((last + gap - now).total_seconds(), 0.5)
            await tx.execute("UPDATE prompts SET count_edited_at = ? WHERE id = ?",
                             (to_db_time(now), prompt_id))
            return 0.0
