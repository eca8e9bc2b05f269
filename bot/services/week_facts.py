"""A group's facts of one week, read once for its summary and every digest.

The weekly round sends, for each group, the summary to the group and a
digest to each coordinator; each sender used to read the group's week from
the database (and ask Telegram for its member count) again. Here the first
sender to need a week reads it, and the others that go out within a short
while take the same facts, which then describe the same moment. Senders
that go out later (a retry after a failure) read the database again.

Who shares: a group's coordinators' digests (recorded, claimed and sent
together), and its summary with them when they go out close together. In
a large round they do not: summaries go before digests (the outbox's
priorities), minutes apart. On SQLite with chart workers the digests are
made in a worker anyway (services.digest_worker), and only this fallback
(PostgreSQL, charts drawn in the bot's process) shares.

Only the outbox's senders share: /summary and /digest always read afresh.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import date

from bot.domain.summary_facts import GroupFacts

# How long a week's facts are shared: long enough for a group's summary and
# its digests to go out, short enough that a later retry reads afresh.
SHARE_SECONDS = 60.0
# Groups whose facts are kept at once (a few kB each), the oldest dropped
# first: the outbox claims 200 rows at a time.
KEPT = 256

Key = tuple[int, date]


class WeekFacts:
    def __init__(self, share_seconds: float = SHARE_SECONDS, kept: int = KEPT,
                 clock: Callable[[], float] = time.monotonic):
        self.share_seconds = share_seconds
        self.kept = kept
        self._clock = clock
        self._entries: OrderedDict[Key, tuple[float, asyncio.Task[GroupFacts]]] = OrderedDict()
        self.reads = 0  # how many times the facts were read (for tests and metrics)

    async def get(self, chat_id: int, week: date,
                  read: Callable[[], Awaitable[GroupFacts]]) -> GroupFacts:
        """The facts of `chat_id`'s `week`, from `read()` unless another
        sender read them moments ago (or is reading them now)."""
        now = self._clock()
        key = (chat_id, week)
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] <= self.share_seconds:
            task = entry[1]
        else:
            self.reads += 1
            task = asyncio.ensure_future(read())
            self._entries[key] = (now, task)
            self._entries.move_to_end(key)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
        try:
            # Shielded: one sender cancelled does not cancel the others' read.
            return await asyncio.shield(task)
        except Exception:
            # A failed read is not shared: the next sender tries again.
            if self._entries.get(key, (None, None))[1] is task:
                del self._entries[key]
            raise

    def forget(self) -> None:
        self._entries.clear()
