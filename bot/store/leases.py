"""The leader's lease: which process runs the scheduled work.

On PostgreSQL, replicas share one database and only one of them may run the
tick (open due questions, send the outbox). The lease is a session-level
advisory lock held on a connection of its own: PostgreSQL frees it the
moment that connection ends, so a leader that dies (even by SIGKILL) is
replaced at the next try of another replica. A leader whose machine or
network vanishes without closing the connection is noticed by the server's
TCP keepalives (about 25 seconds), and the leader itself steps down as soon
as its connection ends (asyncpg tells it at once) or stops answering.

On SQLite one process owns the file: it is always the leader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.store.db import Database


class Lease(Protocol):
    shared: bool  # whether other processes may lead instead

    async def hold(self) -> bool: ...

    async def release(self) -> None: ...

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call `callback` as soon as a held lease is known to be gone."""


class SoleLease:
    """One process, one SQLite file: always the leader."""

    shared = False

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        """Nothing to give up."""

    def on_lost(self, callback: Callable[[], None]) -> None:
        """A file's lease is never lost."""


def leader_lease(db: Database) -> Lease:
    if db.dialect == "postgresql":
        from bot.store.advisory import AdvisoryLease

        return AdvisoryLease(db)
    return SoleLease()
