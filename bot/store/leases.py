"""The leader's lease: which process runs the scheduled work.

On PostgreSQL, replicas share one database and only one of them may run the
tick (open due questions, send the outbox). The lease is a session-level
advisory lock held on a connection of its own: PostgreSQL frees it the
moment that connection ends, so a leader that dies (even by SIGKILL) is
replaced at the next try of another replica. A leader whose machine or
network vanishes without closing the connection is noticed by the server's
TCP keepalives (about 25 seconds), and the leader itself steps down as soon
as its connection stops answering.

On SQLite one process owns the file: it is always the leader.
"""

from __future__ import annotations

from typing import Protocol

from bot.store.db import Database


class Lease(Protocol):
    shared: bool  # whether other processes may lead instead

    async def hold(self) -> bool: ...

    async def release(self) -> None: ...


class SoleLease:
    """One process, one SQLite file: always the leader."""

    shared = False

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        """Nothing to give up."""


def leader_lease(db: Database) -> Lease:
    if db.dialect == "postgresql":
        from bot.store.advisory import AdvisoryLease

        return AdvisoryLease(db)
    return SoleLease()
