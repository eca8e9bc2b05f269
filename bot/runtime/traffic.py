"""People first: the weekly round's sends make way while updates come in.

A tap, a comment or a command is someone waiting for the bot; the round's
summaries, digests and questions are not, and they are paced by Telegram's
limits anyway (about 30 messages a second), so they have slack. The
application notes every update it handles (`began` / `ended`). Before each
row the outbox's scheduled sender is given an allotment (`allot`); it waits
for a pause in the updates before reading and rendering the row, and its
requests wait again in the rate limiter, all within `longest` seconds
together. So a burst of taps is answered at full speed and the round
carries on in the gaps.

This helps with bursts. Under updates that never pause, every row still
goes after `longest`: the round keeps Telegram's pace (32 chats served at
once, half a second each, is more than 30 a second), and then takes its
usual share of the process.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from contextvars import ContextVar

# In a task that sends scheduled work (see services.outbox): until when its
# current send may still wait for updates. Unset in every other task, so a
# reply someone awaits never waits.
_allotted_until: ContextVar[float | None] = ContextVar("civic_reflect_make_way_until",
                                                       default=None)


class Traffic:
    """Whether updates are being handled now or were a moment ago."""

    GAP = 0.005  # seconds without an update that count as a pause
    LONGEST = 0.5  # seconds a row of the scheduled round waits at most, in all

    def __init__(self, gap: float = GAP, longest: float = LONGEST) -> None:
        self.gap = gap
        self.longest = longest
        self._in_hand = 0
        self._last_ended = float("-inf")
        self._pause: asyncio.Future | None = None  # resolved at the next pause
        self.waits = 0  # times a scheduled send waited

    def began(self) -> None:
        self._in_hand += 1

    def ended(self) -> None:
        self._in_hand -= 1
        self._last_ended = asyncio.get_running_loop().time()

    def allot(self) -> None:
        """The current task is about to send a piece of scheduled work: its
        waits for updates from now on (`make_way`) take `longest` at most,
        all together."""
        _allotted_until.set(asyncio.get_running_loop().time() + self.longest)

    def busy(self) -> bool:
        if self._in_hand > 0:
            return True
        return asyncio.get_running_loop().time() - self._last_ended < self.gap

    async def make_way(self) -> None:
        """In a task given an allotment (`allot`), return at the next pause
        in the updates (at once if there is one now), or when the allotment
        ends, whichever comes first; elsewhere, return at once."""
        until = _allotted_until.get()
        if until is None or not self.busy():
            return
        left = until - asyncio.get_running_loop().time()
        if left <= 0:
            return
        self.waits += 1
        if self._pause is None or self._pause.done():
            loop = asyncio.get_running_loop()
            self._pause = loop.create_future()
            loop.call_later(self.gap, self._watch, self._pause)
        # Every waiting send shares one watch of the updates, not a timer each.
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._pause), left)

    def _watch(self, pause: asyncio.Future) -> None:
        if pause.done():
            return
        loop = asyncio.get_running_loop()
        if self.busy():
            since = loop.time() - self._last_ended
            loop.call_later(self.gap if self._in_hand else max(self.gap - since, 0.001),
                            self._watch, pause)
        else:
            pause.set_result(None)
