"""How many of the outbox's sends may be on their way at once.

A send is on its way from the moment its request leaves until the database
holds its outcome: if the process dies in between, Telegram may have the
message and the outbox does not know it, so it is sent again. Bounding these
bounds what a crash can repeat: with the setting `sends_in_flight` at 1 (the
default), at most one message a crash.

The outbox gives each row a Ticket (`carrying`); the rate limiter takes a
place for it just before the row's first request goes (after any wait for
the group's limit, so a chat waiting on its own limit holds no place), and
the outbox gives the place back once the outcome is written. The cost is
throughput: the outbox sends at most one message a round trip (plus a
write), so about 1/latency a second when Telegram answers slower than the
pace (29 a second).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Stopped(Exception):
    """A row's request was not sent: its round ended first (the process is
    stopping, or another replica leads now)."""


class Ticket:
    """One outbox row's claim on a place among the sends on their way."""

    def __init__(self, may_start: Callable[[], bool] | None = None):
        self._may_start = may_start
        # The row's own task: a task it starts inherits the ticket with the
        # context, and must neither take a place nor keep one.
        self._owner = asyncio.current_task()
        self._place: asyncio.Semaphore | None = None
        self.started = False  # a request of this row has left

    @property
    def holding(self) -> bool:
        return self._place is not None

    async def take(self, places: asyncio.Semaphore) -> None:
        """Hold a place (once per row); Stopped if the round ended meanwhile."""
        if self._place is not None or asyncio.current_task() is not self._owner:
            return
        self._check()
        await places.acquire()
        try:
            self._check()
        except Stopped:
            places.release()
            raise
        self._place = places
        self.started = True

    def give_back(self) -> None:
        """The row's outcome is written (or its request never went): the
        place is free for another send."""
        place, self._place = self._place, None
        if place is not None:
            place.release()

    def _check(self) -> None:
        if self._may_start is not None and not self._may_start():
            raise Stopped()


# In a task sending an outbox row (services.outbox): the row's ticket. Unset
# in every other task: a reply to someone is not an outbox send.
_ticket: ContextVar[Ticket | None] = ContextVar("civic_reflect_ticket", default=None)


@contextmanager
def carrying(ticket: Ticket) -> Iterator[Ticket]:
    """The current task sends `ticket`'s row until the block ends; its
    place is given back then, whatever happened."""
    token = _ticket.set(ticket)
    try:
        yield ticket
    finally:
        _ticket.reset(token)
        ticket.give_back()


def current() -> Ticket | None:
    return _ticket.get()
