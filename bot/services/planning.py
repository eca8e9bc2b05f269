"""Recording a round's rows while the outbox already sends them (the tick
records its questions and sends them side by side)."""

from __future__ import annotations

import asyncio


class Planning:
    """Rows still being recorded while a flush sends (the tick records its
    questions and sends them side by side).

    Until `finish`, the flush claims only rows at least as urgent as `first`
    (a kind): a question recorded later must not find the sender busy with
    closing edits. Whoever records rows calls `added`, then `finish` once
    everything is recorded; the flush ends when nothing due is left after
    that."""

    def __init__(self, first: str = "question", *, ahead: int | None = None):
        self.first = first
        self.finished = False
        self.fresh = False  # rows were added since the last claim
        self.news = asyncio.Event()
        # With `ahead`, whoever records rows keeps at most that many more
        # than the flush has claimed: recording spread over the sending
        # holds the loop less at a time than all of it at the start.
        self.ahead = ahead
        self.recorded = 0
        self.claimed = 0
        self._room = asyncio.Event()

    def added(self) -> None:
        self.recorded += 1
        self.fresh = True
        self.news.set()

    def took(self, count: int) -> None:
        self.claimed += count
        self._room.set()

    async def keep_pace(self) -> None:
        """Wait while `ahead` rows recorded are still to be claimed (at most
        a second at a time: rows another sender claimed are never ours)."""
        while self.ahead is not None and self.recorded - self.claimed > self.ahead:
            self._room.clear()
            try:
                await asyncio.wait_for(self._room.wait(), 1.0)
            except TimeoutError:
                return

    def finish(self) -> None:
        self.finished = True
        self.news.set()
