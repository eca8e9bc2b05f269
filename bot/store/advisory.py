"""The leader's lease on PostgreSQL: a session-level advisory lock.

Kept apart from bot/store/leases.py so that a bot on SQLite never loads the
PostgreSQL driver (memory it would not use).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from bot.store.db import Database

log = logging.getLogger(__name__)

# How long the leader waits for its connection to answer before stepping down.
_ANSWER_SECONDS = 5
# The server's side: 10 s of silence, then 3 probes 5 s apart, then the
# connection (and with it the lease) is dropped.
_KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
               "tcp_keepalives_count": "3"}


_CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError,
                      asyncpg.InternalClientError)


class AdvisoryLease:
    shared = True  # other processes may lead instead

    def __init__(self, db: Database):
        self.db = db
        self._connection: asyncpg.Connection | None = None
        self._held = False
        self._lost: Callable[[], None] | None = None

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call `callback` the moment the lease's connection ends while the
        lease is held (the server restarted, the backend was terminated, the
        network dropped it): PostgreSQL has freed the lock by then, and
        another replica may already hold it."""
        self._lost = callback

    def _ended(self, connection: asyncpg.Connection) -> None:
        if connection is not self._connection or not self._held:
            return  # a connection given up on purpose, or one that held nothing
        self._held = False
        self._connection = None
        log.warning("the leader's lease connection ended; the lease is gone with it")
        if self._lost is not None:
            self._lost()

    async def hold(self) -> bool:
        """Take the lease if it is free, or keep it; False while another
        process has it or the database does not answer."""
        try:
            if self._connection is None or self._connection.is_closed():
                self._held = False
                # The session's name marks this process as alive to the others
                # (outbox claims), for as long as the process lives.
                self._connection = await asyncpg.connect(
                    self.db.url, timeout=_ANSWER_SECONDS,
                    server_settings={"application_name": self.db.session, **_KEEPALIVES})
                self._connection.add_termination_listener(self._ended)
            if self._held:
                await self._connection.fetchval("SELECT 1", timeout=_ANSWER_SECONDS)
            else:
                self._held = bool(await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", self.db.lock_key("leader"),
                    timeout=_ANSWER_SECONDS))
        except Exception as error:
            # Whatever went wrong (a dropped connection shows as one of
            # several asyncpg errors), a leader unsure of its lease steps down.
            if self._held:
                log.warning("lost the leader's lease (%s); stepping down", type(error).__name__)
            await self._drop()
        return self._held

    async def release(self) -> None:
        """Give the lease up at once (a clean stop), for another replica to take."""
        if self._connection is not None and self._held and not self._connection.is_closed():
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await self._connection.execute("SELECT pg_advisory_unlock($1)",
                                               self.db.lock_key("leader"))
        await self._drop()

    async def _drop(self) -> None:
        self._held = False
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            # A connection that stopped answering is not waited for.
            try:
                await asyncio.wait_for(connection.close(), timeout=_ANSWER_SECONDS)
            except _CONNECTION_ERRORS:
                connection.terminate()
