"""People first: the weekly round's sends make way while updates come in.

A tap, a comment or a command is someone waiting for the bot; the round's
summaries, digests and questions are not, and they are paced by Telegram's
limits anyway (about 30 messages a second), so they have slack. The
application notes every update it handles (`began` / `ended`); the outbox's
scheduled sends call `make_way` before each piece of work and wait while
updates keep coming, at most `longest` seconds a time, so a burst of taps is
answered at full speed and the round carries on in the gaps.

This helps with bursts. Under updates that never pause, every scheduled
send still goes after `longest`: the round is never starved, and then takes
its usual share of the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

# Set in the tasks that send the scheduled round (see services.outbox): the
# rate limiter makes way only for them, never for a reply someone awaits.
_scheduled: ContextVar[bool] = ContextVar("civic_reflect_scheduled_send", default=False)


def mark_scheduled() -> None:
    """The current task sends scheduled work: its requests make way for updates."""
    _scheduled.set(True)


def is_scheduled() -> bool:
    return _scheduled.get()


class Traffic:
    """Whether updates are being handled now or were a moment ago."""

    GAP = 0.005  # seconds without an update that count as a pause
    LONGEST = 0.5  # seconds a scheduled send waits at most, each time

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

    @contextmanager
    def handling(self) -> Iterator[None]:
        self.began()
        try:
            yield
        finally:
            self.ended()

    def busy(self) -> bool:
        if self._in_hand > 0:
            return True
        return asyncio.get_running_loop().time() - self._last_ended < self.gap

    async def make_way(self) -> None:
        """Return at the next pause in the updates (at once if there is one
        now), or after `longest` seconds, whichever comes first."""
        if not self.busy():
            return
        self.waits += 1
        if self._pause is None or self._pause.done():
            loop = asyncio.get_running_loop()
            self._pause = loop.create_future()
            loop.call_later(self.gap, self._watch, self._pause)
        # Every waiting send shares one watch of the updates, not a timer each.
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._pause), self.longest)

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
