"""Transactions on the loop's own SQLite connection (bot/store/db.py).

`Tx` is all a repository sees inside one transaction or one read: a few
asynchronous verbs whose statements run at once on the connection, each
noted (bot/store/writes.py) so that rows kept in memory are forgotten when
their table is written. `Transaction` opens and closes one, under the
database's one asyncio lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from time import perf_counter
from typing import TYPE_CHECKING, Any

from bot.store.lock_wait import begin_when_free, is_busy
from bot.store.slow import SLOW_SECONDS, slow_work
from bot.store.writes import written_by

if TYPE_CHECKING:
    from bot.store.db import Database

Params = Iterable[Any] | Mapping[str, Any]
Row = sqlite3.Row


def bind(params: Params) -> tuple | Mapping[str, Any]:
    return params if isinstance(params, Mapping) else tuple(params)


class Tx:
    """What a repository may do inside one transaction (or one read)."""

    # A statement of this transaction was logged as slow: the transaction
    # itself then is not (one line says it).
    reported = False
    # What a read that a write follows adds to lock the rows it reads, and
    # to pass over rows another transaction holds: nothing here, where
    # BEGIN IMMEDIATE already holds the file's one write lock (PostgresTx
    # says FOR UPDATE).
    FOR_UPDATE = ""
    SKIP_LOCKED = ""

    async def lock_chats(self, *chat_ids: int) -> None:
        """Wait for, then hold until the end of the transaction, the chats'
        own locks (PostgreSQL's), for a step that reads a chat's programme
        or questions and then writes them. Nothing on SQLite (see above)."""

    async def lock_chat_of(self, table: str, row_id: int) -> None:
        """lock_chats for the chat of one enrolment or prompt (`table`)."""

    def __init__(self, connection: sqlite3.Connection, database: Database | None = None):
        self._connection = connection
        self._database = database

    def _slow(self, sql: str, started: float) -> None:
        self.reported = True
        slow_work("statement", started, sql)

    def _note_writes(self, sql: str, params: Params = ()) -> None:
        if self._database is None or (written := written_by(sql)) is None:
            return
        row = None
        if written.row_parameter is not None and not isinstance(params, Mapping):
            row = tuple(params)[written.row_parameter]
            if not isinstance(row, int):  # kept rows are found by integer ids
                row = None
        self._database.written(written.table, row)

    def _run(self, sql: str, params: Params) -> sqlite3.Cursor:
        self._note_writes(sql, params)
        return self._connection.execute(sql, bind(params))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a writing statement; return how many rows it changed."""
        started = perf_counter()
        changed = self._run(sql, params).rowcount
        if perf_counter() - started > SLOW_SECONDS:
            self._slow(sql, started)
        return changed

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        started = perf_counter()
        row = self._run(sql, params).fetchone()
        if perf_counter() - started > SLOW_SECONDS:
            self._slow(sql, started)
        return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        started = perf_counter()
        rows = self._run(sql, params).fetchall()
        if perf_counter() - started > SLOW_SECONDS:
            self._slow(sql, started)
        return rows

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one writing statement for each set of parameters (bulk copies)."""
        self._note_writes(sql)
        self._connection.executemany(sql, [bind(params) for params in rows])

    async def copy_rows(self, table: str, columns: Sequence[str],
                        rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows given with every one of `columns` (migrate-db's copy)."""
        self._note_writes(f"INSERT INTO {table}")
        self._connection.executemany(f"INSERT INTO {table} ({', '.join(columns)})"
                                     f" VALUES ({', '.join('?' * len(columns))})", rows)


class Transaction:
    """Database.transaction's context manager, written out: it opens every
    answer's transaction, and a generator-based one costs several times more.

    BEGIN IMMEDIATE takes SQLite's write lock, waiting at most LOCK_WAIT_MS
    on the loop; past that, bot/store/lock_wait.py keeps asking for it
    without holding the loop."""

    __slots__ = ("_database", "_started", "_tx")

    def __init__(self, database: Database):
        self._database = database
        self._started = 0.0
        self._tx: Tx | None = None

    async def __aenter__(self) -> Tx:
        database = self._database
        await database._lock.acquire()
        try:
            try:
                database._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                await begin_when_free(database._conn)
        except BaseException:
            database._lock.release()
            raise
        self._started = perf_counter()
        self._tx = Tx(database._conn, database)
        return self._tx

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        database = self._database
        try:
            connection = database._conn
            if kind is not None:
                connection.execute("ROLLBACK")
            else:
                try:
                    connection.execute("COMMIT")
                except BaseException:
                    # A commit that fails must not leave the transaction
                    # open for the next one to trip over.
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
        finally:
            database._lock.release()
        # Its commit included; named after the block that opened it.
        if perf_counter() - self._started > SLOW_SECONDS and not self._tx.reported:
            slow_work("transaction", self._started)
