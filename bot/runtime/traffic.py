"""People first: the weekly round's sends make way while updates come in.

A tap, a comment or a command is someone waiting for the bot; the round's
summaries, digests and questions are not, and they are paced by Telegram's
limits anyway, so they have slack. The application notes every update it
handles (`began` / `ended`). Before each row the outbox's scheduled sender is
given an allotment (`allot`); it waits for a pause in the updates before
reading and rendering the row, and each of its requests waits again in the
rate limiter, `longest` seconds of waiting at most, all together. The time
the row spends working (a digest's drawing, a request on its way) is not
taken from that: a digest's later parts make way as its first did. So a
burst of taps is answered at full speed and the round carries on in the
gaps.

This helps with bursts. Under updates that never pause, every row still goes
after `longest`: with dispatch_concurrency chats served at once, a short
`longest` still lets the round keep Telegram's pace, and then it takes its
usual share of the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar


class Allotment:
    """The seconds a piece of scheduled work may still spend waiting for
    updates, all its waits together."""

    __slots__ = ("left",)

    def __init__(self, seconds: float) -> None:
        self.left = seconds


# In a task that sends scheduled work (see services.outbox): what its current
# send may still wait for updates. Unset in every other task, so a reply
# someone awaits never waits. Shared, not copied, by the tasks it starts.
_allotment: ContextVar[Allotment | None] = ContextVar("civic_reflect_make_way_allotment",
                                                      default=None)


class Traffic:
    """Whether updates are being handled now or were a moment ago.

    `clock` and `sleep` are the event loop's unless given (as for
    bot.runtime.ratelimit.Pace): tests drive a clock of their own."""

    GAP = 0.005  # seconds without an update that count as a pause
    LONGEST = 0.5  # seconds a row of the scheduled round waits at most, in all

    def __init__(self, gap: float = GAP, longest: float = LONGEST, *,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.gap = gap
        self.longest = longest
        self.clock = clock
        self.sleep = sleep
        self._in_hand = 0
        self._last_ended = float("-inf")
        self._pause: asyncio.Task | None = None  # the watch: it ends at the next pause
        self._waiting = 0  # sends waiting in make_way now
        self.waits = 0  # times a scheduled send waited

    def now(self) -> float:
        return self.clock() if self.clock else asyncio.get_running_loop().time()

    def began(self) -> None:
        self._in_hand += 1

    def ended(self) -> None:
        self._in_hand -= 1
        self._last_ended = self.now()

    def allot(self) -> None:
        """The current task is about to send a piece of scheduled work: its
        waits for updates from now on (`make_way`) take `longest` at most,
        all together."""
        _allotment.set(Allotment(self.longest))

    def busy(self) -> bool:
        if self._in_hand > 0:
            return True
        return self.now() - self._last_ended < self.gap

    async def make_way(self) -> None:
        """In a task given an allotment (`allot`), return at the next pause
        in the updates (at once if there is one now), or when the allotment
        is used up, whichever comes first; elsewhere, return at once."""
        allotment = _allotment.get()
        if allotment is None or allotment.left <= 0 or not self.busy():
            return
        left = allotment.left
        began = self.now()
        self.waits += 1
        self._waiting += 1
        try:
            if self._pause is None or self._pause.done():
                # Every waiting send shares one watch of the updates.
                self._pause = asyncio.ensure_future(self._watch())
            budget = asyncio.ensure_future(self.sleep(left))
            try:
                await asyncio.wait((self._pause, budget),
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                budget.cancel()
        finally:
            self._waiting -= 1
            allotment.left = left - (self.now() - began)

    async def _watch(self) -> None:
        """End at the next pause in the updates, or once no send waits for one."""
        while self.busy() and self._waiting:
            if self._in_hand:
                await self.sleep(self.gap)
            else:
                # Until the gap after the last update ends (never a spin of
                # zero-length sleeps).
                await self.sleep(max(self.gap - (self.now() - self._last_ended), 0.001))
