"""Long reads, off the event loop: a second, read-only SQLite connection
through aiosqlite.

The loop's own connection (bot/store/db.py) serves the hot path: taps,
answers and sends, each a few indexed statements that take SQLite
microseconds. A read that walks a whole chat's answers (an export, /mydata,
a journal export), a backup or migrate-db's copy of every table would keep
the loop from every other chat's updates while it runs; here each query is
one hop to aiosqlite's thread, which steps through the rows and hands them
back all at once (or a batch of thousands at a time), never one hop per row.

The connection opens the file with `mode=ro`: it cannot write, and a reader
beside the bot never takes the write lock. In WAL mode it never waits for
the bot's writes either, and sees every committed transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.transactions import Params, bind

# Rows handed back by one hop when a query is read in batches.
BATCH_ROWS = 5000
# Off the loop a reader may wait for a lock as long as it takes; only a
# database being restored or recovered makes it wait at all.
_READER_BUSY_TIMEOUT_MS = 30_000


def read_only_uri(path: Path | str) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


class LongReads:
    """What a long read may do: every row of a query in one call, or in
    batches; reads that must agree with each other in one snapshot."""

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        raise NotImplementedError

    def batches(self, sql: str, params: Params = (),
                size: int = BATCH_ROWS) -> AsyncIterator[list[Any]]:
        raise NotImplementedError

    def snapshot(self) -> AbstractAsyncContextManager[LongReads]:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class SqliteLongReads(LongReads):
    """A read-only aiosqlite connection to the database file, opened at the
    first long read and kept until the database closes."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._connection: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        if not self.path.exists():
            raise FileNotFoundError(f"no database at {self.path}")
        # isolation_level=None: no transaction is opened behind our back, so
        # a read ends with its statement and never holds the log back.
        connection = aiosqlite.connect(read_only_uri(self.path), uri=True,
                                       isolation_level=None)
        # A daemon: a process that ends without closing its database (an
        # error on the way out) must not wait forever for a reader's thread,
        # and a read-only connection has nothing to finish.
        getattr(connection, "_thread", connection).daemon = True
        await connection
        try:
            connection.row_factory = sqlite3.Row
            await connection.execute(f"PRAGMA busy_timeout={_READER_BUSY_TIMEOUT_MS}")
            await connection.execute("PRAGMA query_only=1")
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _open(self) -> aiosqlite.Connection:
        if self._connection is None:
            async with self._opening:
                if self._connection is None:
                    self._connection = await self._connect()
        return self._connection

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        connection = await self._open()
        return list(await connection.execute_fetchall(sql, bind(params)))

    async def batches(self, sql: str, params: Params = (),
                      size: int = BATCH_ROWS) -> AsyncIterator[list[sqlite3.Row]]:
        connection = await self._open()
        async for batch in _batches(connection, sql, params, size):
            yield batch

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[LongReads]:
        """Reads that see one moment of the database (migrate-db's copy of
        every table): a connection of their own, in one read transaction."""
        connection = await self._connect()
        try:
            await connection.execute("BEGIN")
            try:
                yield _SqliteSnapshot(connection)
            finally:
                await connection.execute("COMMIT")
        finally:
            await connection.close()

    async def backup(self, target: Path | str) -> int:
        """Copy the database to a new file, in aiosqlite's thread; return its
        page count. One step: a consistent copy, whatever the bot writes."""
        connection = await self._open()
        copy = sqlite3.connect(str(target), check_same_thread=False)
        try:
            await connection.backup(copy)
            return copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()


class _SqliteSnapshot(LongReads):
    def __init__(self, connection: aiosqlite.Connection):
        self._connection = connection

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._connection.execute_fetchall(sql, bind(params)))

    async def batches(self, sql: str, params: Params = (),
                      size: int = BATCH_ROWS) -> AsyncIterator[list[sqlite3.Row]]:
        async for batch in _batches(self._connection, sql, params, size):
            yield batch


async def _batches(connection: aiosqlite.Connection, sql: str, params: Params,
                   size: int) -> AsyncIterator[list[sqlite3.Row]]:
    cursor = await connection.execute(sql, bind(params))
    try:
        while batch := await cursor.fetchmany(size):
            yield list(batch)
    finally:
        await cursor.close()


class LoopLongReads(LongReads):
    """Long reads on the loop's own connection, for a database only that
    connection can see (`:memory:`, in tests and tools): no second
    connection could open it."""

    def __init__(self, database: Any):
        self._database = database

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        return await self._database.fetch_all(sql, params)

    async def batches(self, sql: str, params: Params = (),
                      size: int = BATCH_ROWS) -> AsyncIterator[list[Any]]:
        rows = await self._database.fetch_all(sql, params)
        for start in range(0, len(rows), size):
            yield rows[start:start + size]

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[LongReads]:
        yield self
