"""Telling a sandbox's own database file from a real bot's.

`civic-reflect try --db FILE` keeps the sandbox's database in a file. The
sandbox writes its demo group there and "sends" whatever is due to its
stand-in Telegram, marking it sent: pointed at a real bot's file, it would
take real groups' questions away from them. So a file the sandbox makes is
stamped in SQLite's header (`application_id`, which the bot never sets), and
any other file with data in it is refused unless the operator says it is a
copy they mean to try things on.
"""

from __future__ import annotations

import sqlite3
from enum import Enum
from pathlib import Path

# "CRtr": civic-reflect try.
SANDBOX_APPLICATION_ID = 0x43527472


class FileKind(Enum):
    NEW = "new"  # no file yet, or an empty one
    SANDBOX = "sandbox"  # made by the sandbox
    OTHER = "other"  # anything else: a real bot's database, or not a database at all


def kind_of(path: Path) -> FileKind:
    if not path.exists() or path.stat().st_size == 0:
        return FileKind.NEW
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            stamp = connection.execute("PRAGMA application_id").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return FileKind.OTHER
    return FileKind.SANDBOX if stamp == SANDBOX_APPLICATION_ID else FileKind.OTHER


def stamp_as_sandbox(path: Path) -> None:
    """Make `path` (new or empty) a sandbox's file, before the bot opens it."""
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA application_id = {SANDBOX_APPLICATION_ID}")
        connection.commit()
    finally:
        connection.close()
