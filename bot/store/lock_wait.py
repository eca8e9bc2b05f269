"""Waiting for another process's write lock without holding the event loop.

The loop's SQLite connection (bot/store/db.py) waits for a lock at most
LOCK_WAIT_MS inside SQLite, the longest the loop stalls. When another
connection holds the write lock longer (an operator's sqlite3 shell left in
a transaction, a command run beside the bot), BEGIN IMMEDIATE is asked again
without SQLite's own wait, between pauses on the loop, which meanwhile
serves everything that does not need the connection. Nothing of the
transaction has run yet, so asking again repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from time import monotonic

log = logging.getLogger("bot.store.db")

# SQLite's busy_timeout on the loop's connection.
LOCK_WAIT_MS = 250
# How long a transaction then keeps trying before it fails as a database
# that cannot be used.
LOCK_PATIENCE_SECONDS = 30.0
FIRST_PAUSE_SECONDS = 0.005
LONGEST_PAUSE_SECONDS = 0.1


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked": another connection holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and code is not None and (
        code & 0xFF == sqlite3.SQLITE_BUSY)


async def begin_when_free(connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE once another connection's write lock is gone, asked
    again and again between pauses that leave the loop free; the last
    "database is locked" after LOCK_PATIENCE_SECONDS."""
    started = monotonic()
    pause = FIRST_PAUSE_SECONDS
    connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            await asyncio.sleep(pause)
            try:
                connection.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                if not is_busy(error) or monotonic() - started > LOCK_PATIENCE_SECONDS:
                    raise
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
    finally:
        connection.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    log.warning("waited %d ms for the database's write lock, held by another connection "
                "(a command or a sqlite3 shell beside the bot?)",
                (monotonic() - started) * 1000 + LOCK_WAIT_MS)
