"""Which replica runs the scheduled work, and what changes when that moves.

Every process handles the updates that reach it, but only the leader runs
the tick (opening due questions, planning summaries, sending the outbox). On
PostgreSQL the leader holds a lease (bot.store.leases) that every replica
tries to take every LEASE_CHECK_SECONDS; on SQLite the one process always
leads. A replica that becomes the leader first frees the outbox claims of
processes that are gone (a leader killed mid-send), takes the leader's share
of Telegram's rate, and runs a tick at once rather than at its next minute.
"""

from __future__ import annotations

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

    @property
    def shared(self) -> bool:
        """Whether other processes may lead instead (PostgreSQL)."""
        return self.lease.shared

    async def check(self) -> bool:
        """Take or keep the lease; True if this process has just become the leader."""
        leading = await self.lease.hold()
        became = leading and not self.leading
        if leading != self.leading and self.shared:
            log.info("this process %s", "now runs the scheduled work" if leading
                     else "no longer runs the scheduled work; another replica does")
        self.leading = leading
        if self.limiter is not None:
            self.limiter.lead(leading)
        self.metrics.leader.set(1 if leading else 0)
        return became

    async def release(self) -> None:
        if self.leading and self.shared:
            log.info("handing the scheduled work over")
        self.leading = False
        await self.lease.release()
