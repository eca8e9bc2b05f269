"""Whether a failure means the database could not be reached, in one place.

Such a failure is not the update's fault and will pass: an update that met
it must not be confirmed to Telegram, so that it comes again (or is tried
again) once the database answers. Every other failure is a bug or a bad
update, and trying again would only fail again.

Only errors raised on the way through the store count: an OSError of a
chart's font file is not the database being away.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

_STORE = str(Path(__file__).resolve().parent)
_ASYNCPG = f"{os.sep}asyncpg{os.sep}"
# SQLite's primary result codes that say "not now" rather than "never":
# busy, locked, I/O error, disk full, cannot open, lock protocol.
_SQLITE_AWAY = {5, 6, 10, 13, 14, 15}
_CLOSED_WORDS = ("closed", "closing", "not connected")
_SQLITE_AWAY_WORDS = ("locked", "busy", "disk i/o", "unable to open", "disk is full")


def is_unavailable(error: BaseException | None) -> bool:
    """True when `error` (or what caused it) is the database being out of
    reach: busy or failing SQLite, a PostgreSQL server gone, refusing or
    restarting, a pool that timed out."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _away(error) and _through_the_store(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _away(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_AWAY
        return any(words in str(error).lower() for words in _SQLITE_AWAY_WORDS)
    if isinstance(error, OSError):  # refused, reset, timed out, no socket file
        return True
    asyncpg = sys.modules.get("asyncpg")  # not loaded: no PostgreSQL error can exist
    if asyncpg is None:
        return False
    errors = asyncpg.exceptions
    if isinstance(error, errors.InterfaceError):
        # A closed connection or pool is the server gone; "another operation
        # is in progress" and the like are bugs, and would only fail again.
        return any(words in str(error) for words in _CLOSED_WORDS)
    return isinstance(error, errors.PostgresConnectionError | errors.CannotConnectNowError
                      | errors.AdminShutdownError | errors.CrashShutdownError
                      | errors.TooManyConnectionsError)


def _through_the_store(error: BaseException) -> bool:
    """Raised in, or on its way out through, the store or the drivers."""
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.startswith(_STORE) or _ASYNCPG in filename:
            return True
        trace = trace.tb_next
    # sqlite3's errors are raised in C: no frame of their own, but only the store uses it.
    return isinstance(error, sqlite3.Error)
