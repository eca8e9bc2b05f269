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
# Groups whose count is kept at once, the oldest dropped first (an entry
# is about 200 bytes).
KEPT = 20_000


class MemberCounts:
    def __init__(self, keep_seconds: float = KEEP_SECONDS, kept: int = KEPT,
                 clock: Callable[[], float] = time.monotonic):
        self.keep_seconds = keep_seconds
        self.kept = kept
        self._clock = clock
        self._entries: OrderedDict[int, tuple[float, asyncio.Task[int | None]]] = OrderedDict()

    async def get(self, chat_id: int, ask: Callable[[], Awaitable[int | None]], *,
                  fresh: bool = False) -> int | None:
        """The group's count, from `ask()` unless it was asked lately (or is
        being asked now) and not `fresh` (a command someone just gave, who
        may have just added people); None, never kept, when Telegram did
        not say."""
        now = self._clock()
        entry = self._entries.get(chat_id)
        if entry is not None and not fresh and now - entry[0] <= self.keep_seconds:
            task = entry[1]
        else:
            task = asyncio.ensure_future(ask())
            self._entries[chat_id] = (now, task)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
        self._entries.move_to_end(chat_id)
        try:
            # Shielded: one sender cancelled does not cancel the others' question.
            count = await asyncio.shield(task)
        except BaseException:
            self._drop(chat_id, task)
            raise
        if count is None:
            self._drop(chat_id, task)
        return count

    def changed(self, chat_id: int) -> None:
        """Someone joined or left the group: its count is asked again."""
        self._entries.pop(chat_id, None)

    def _drop(self, chat_id: int, task: asyncio.Task) -> None:
        if self._entries.get(chat_id, (None, None))[1] is task:
            del self._entries[chat_id]

    def __len__(self) -> int:
        return len(self._entries)
