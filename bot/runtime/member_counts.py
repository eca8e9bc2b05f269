"""How many people a group has, asked of Telegram once for a whole round.

A group's summary and each of its coordinators' digests say how many of the
group's members took part, and each used to ask Telegram
(getChatMemberCount). In a large round summaries go before digests, minutes
apart, so a group was asked twice or more: a request to Telegram, and its
cost in the bot's process, for a number that had not changed. The first
sender to need a group's count asks; the others take the answer until it is
`keep_seconds` old or someone joins or leaves the group (the bot hears
of it and forgets the count). A failed question is not kept: the next sender
asks again.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

# Longer than the largest round takes to send its summaries and digests.
KEEP_SECONDS = 3600.0
# Groups whose count is kept at once, the oldest dropped first (an entry,
# a number and when it was asked, is about a hundred bytes).
KEPT = 20_000


class MemberCounts:
    def __init__(self, keep_seconds: float = KEEP_SECONDS, kept: int = KEPT,
                 clock: Callable[[], float] = time.monotonic):
        self.keep_seconds = keep_seconds
        self.kept = kept
        self._clock = clock
        self._counts: OrderedDict[int, tuple[float, int]] = OrderedDict()
        # Questions on their way; only the answer is kept (a finished task
        # weighs some 800 bytes, ten times the number).
        self._asking: dict[int, asyncio.Task[int | None]] = {}

    async def get(self, chat_id: int, ask: Callable[[], Awaitable[int | None]], *,
                  fresh: bool = False) -> int | None:
        """The group's count, from `ask()` unless it was asked lately (or is
        being asked now) and not `fresh` (a command someone just gave, who
        may have just added people); None, never kept, when Telegram did
        not say."""
        now = self._clock()
        task = None
        if not fresh:
            kept = self._counts.get(chat_id)
            if kept is not None and now - kept[0] <= self.keep_seconds:
                self._counts.move_to_end(chat_id)
                return kept[1]
            task = self._asking.get(chat_id)
        if task is None:
            task = asyncio.ensure_future(ask())
            self._asking[chat_id] = task
            task.add_done_callback(lambda done: self._answered(chat_id, done, now))
        # Shielded: one sender cancelled does not cancel the others' question.
        return await asyncio.shield(task)

    def _answered(self, chat_id: int, task: asyncio.Task[int | None], asked_at: float) -> None:
        if self._asking.get(chat_id) is not task:
            return  # someone joined or left meanwhile, or a fresher question went
        del self._asking[chat_id]
        if task.cancelled() or task.exception() is not None or task.result() is None:
            return  # not kept: the next sender asks again
        self._counts[chat_id] = (asked_at, task.result())
        self._counts.move_to_end(chat_id)
        while len(self._counts) > self.kept:
            self._counts.popitem(last=False)

    def changed(self, chat_id: int) -> None:
        """Someone joined or left the group: its count is asked again (an
        answer on its way now may predate the change, and is not kept)."""
        self._counts.pop(chat_id, None)
        self._asking.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._counts)
