"""Which replica runs the scheduled work, and what changes when that moves.

Every process handles the updates that reach it, but only the leader runs
the tick (opening due questions, planning summaries, sending the outbox). On
PostgreSQL the leader holds a lease (bot.store.leases) that every replica
tries to take every LEASE_CHECK_SECONDS; on SQLite the one process always
leads. A replica that becomes the leader first frees the outbox claims of
processes that are gone (a leader killed mid-send), takes the leader's share
of Telegram's rate, and runs a tick at once rather than at its next minute.

A leader stops leading the moment it learns it may not be the only one: its
lease's connection ended (the lease says so at once, not at the next check),
or the process is stopping. A round under way watches `stepped_down` and
ends between two sends.
"""

from __future__ import annotations

import asyncio
import logging

from bot.runtime.metrics import Metrics
from bot.runtime.ratelimit import SharedRateLimiter
from bot.store.leases import Lease

log = logging.getLogger(__name__)

# How often a replica tries to take (or confirms it holds) the lease: a dead
# leader's work moves to another replica within about this long.
LEASE_CHECK_SECONDS = 10.0


class Leadership:
    def __init__(self, lease: Lease, limiter: SharedRateLimiter | None,
                 metrics: Metrics):
        self.lease = lease
        self.limiter = limiter
        self.metrics = metrics
        self.leading = False
        # The process is stopping: it leads no more, whatever the lease says.
        self.stopping = False
        # Set while this process may not send the scheduled work (not the
        # leader, or stopping): a round under way waits on it to end early.
        self.stepped_down = asyncio.Event()
        self.stepped_down.set()
        # Outbox rows this process claimed, did not send, and could not give
        # back at once (the database was away): given back at the next tick.
        self.unreleased: set[int] = set()
        watch = getattr(lease, "on_lost", None)
        if watch is not None:
            watch(self._lost)

    @property
    def shared(self) -> bool:
        """Whether other processes may lead instead (PostgreSQL)."""
        return self.lease.shared

    async def check(self) -> bool:
        """Take or keep the lease; True if this process has just become the leader."""
        if self.stopping:
            return False
        leading = await self.lease.hold()
        if self.stopping:  # stopped while the lease was being asked
            return False
        became = leading and not self.leading
        if leading != self.leading and self.shared:
            log.info("this process %s", "now runs the scheduled work" if leading
                     else "no longer runs the scheduled work; another replica does")
        self._lead(leading)
        return became

    def stop(self) -> None:
        """The process is stopping: no scheduled work from now on (a round
        under way ends between two sends); the lease is given up by `release`."""
        if not self.stopping:
            self.stopping = True
            self._lead(False)

    async def release(self) -> None:
        if self.leading and self.shared:
            log.info("handing the scheduled work over")
        self._lead(False)
        await self.lease.release()

    def _lost(self) -> None:
        """The lease's connection ended: another replica may take the lease
        at once, so this one stops sending now rather than at its next check."""
        if self.leading and self.shared:
            log.warning("the leader's lease connection ended; stepping down at once")
        self._lead(False)

    def _lead(self, leading: bool) -> None:
        self.leading = leading
        if leading:
            self.stepped_down.clear()
        else:
            self.stepped_down.set()
        if self.limiter is not None:
            self.limiter.lead(leading)
        self.metrics.leader.set(1 if leading else 0)
