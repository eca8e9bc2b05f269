"""The one owner of the SQLite connection.

aiosqlite runs a single connection in a worker thread. Every statement goes
through this object under one asyncio lock, so two handlers can never
interleave statements inside each other's transaction.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.clock import Clock, utc_now
from bot.store.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_db_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime; use UTC")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


Params = Iterable[Any] | Mapping[str, Any]


def _bind(params: Params) -> tuple | Mapping[str, Any]:
    return params if isinstance(params, Mapping) else tuple(params)


def from_db_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    # fromisoformat reads the trailing "Z" (Python 3.11) and is far cheaper
    # than strptime, which matters when thousands of rows are read a minute.
    return datetime.fromisoformat(text)


class Database:
    def __init__(self, path: Path | str, clock: Clock = utc_now):
        self.path = str(path)
        self.now = clock
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("the database is not open")
        return self._connection

    async def open(self, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        # isolation_level=None: the driver never opens transactions behind our
        # back; `transaction()` says BEGIN IMMEDIATE itself.
        self._connection = await aiosqlite.connect(self.path, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=5000",
        ):
            await self._connection.execute(pragma)
        await self.migrate(migrations)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def schema_version(self) -> int:
        async with self.read() as conn:
            cursor = await conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
            )
            if await cursor.fetchone() is None:
                return 0
            cursor = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            row = await cursor.fetchone()
            return int(row[0])

    async def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply every migration newer than the database; return the versions applied."""
        current = await self.schema_version()
        applied = []
        for migration in sorted(migrations, key=lambda m: m.version):
            if migration.version <= current:
                continue
            async with self.transaction() as conn:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, to_db_time(self.now())),
                )
            log.info("database migrated to version %d (%s)", migration.version, migration.name)
            applied.append(migration.version)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            conn = self.connection
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self.connection

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self.read() as conn:
            cursor = await conn.execute(sql, _bind(params))
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self.read() as conn:
            cursor = await conn.execute(sql, _bind(params))
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement in its own transaction; return rows changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, _bind(params))
            return cursor.rowcount

    async def backup(self, target: Path | str) -> None:
        """Copy the live database with SQLite's online backup API."""
        destination = sqlite3.connect(str(target))
        try:
            async with self.read() as conn:
                await conn.backup(destination)
        finally:
            destination.close()


def backup_file(source: Path | str, target: Path | str) -> int:
    """Back up a database file another process may be writing; return its page count.

    The online backup API copies a consistent snapshot while the bot keeps
    running (WAL mode lets it write meanwhile).
    """
    if not Path(source).exists():
        raise FileNotFoundError(f"no database at {source}")
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
        return dst.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dst.close()
        src.close()
