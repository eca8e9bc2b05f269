"""The one owner of the SQLite connection.

One connection, used from the event loop's own thread. A statement of this
bot takes SQLite microseconds (indexed reads and writes, commits in WAL mode
without an fsync), far less than handing it to a worker thread and waking
the loop for its result, which is what aiosqlite does for every call: the
benchmarks in tests/bench/ measured some 36 such hops a tap and 68 a question
sent, and the bot spent its time on them. Every transaction goes through this
object under one asyncio lock, so two handlers can never interleave inside
each other's transaction.

Long reads (exports, /mydata, backups, migrate-db) do not use it: they go
through a second, read-only connection in aiosqlite's thread
(bot/store/reader.py), one hop per query. This connection waits at most a
quarter second for another process's write lock; past that a transaction
keeps trying without holding the loop (bot/store/lock_wait.py). A statement or a
transaction that takes long is logged (slow_work), by its first words and
the repository's method, never its parameters.

Repositories see only `Tx` (bot/store/transactions.py), a handle with a
few verbs (execute, fetch_one, fetch_all, fetch_value), asynchronous so that
a backend that does talk over a network (PostgreSQL) fits the same
repositories; its SQL is kept portable: `?` or `:name` placeholders,
`ON CONFLICT` upserts, `RETURNING` for new ids, no SQLite-only functions.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

from bot.domain.clock import Clock, utc_now
from bot.store.checkpoints import WalCheckpoints
from bot.store.lock_wait import LOCK_WAIT_MS
from bot.store.reader import LongReads, LoopLongReads, SqliteLongReads
from bot.store.slow import SLOW_SECONDS, slow_work
from bot.store.transactions import Params, Row, Transaction, Tx
from bot.store.upgrades import UPGRADES, UpgradeStep
from bot.store.writes import CHANGES_TOO

if TYPE_CHECKING:
    from bot.store.kept import Kept

log = logging.getLogger(__name__)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class StoreError(Exception):
    """The database cannot be used as it is; the message is one line for a person."""


class DatabaseTooNew(StoreError):
    pass


def to_db_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime; use UTC")
    # The same text as strftime(_TIME_FORMAT) for every year the bot will
    # see, in half the time (several times on the path of every answer).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def from_db_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    # fromisoformat reads the trailing "Z" (Python 3.11) and is far cheaper
    # than strptime, which matters when thousands of rows are read a minute.
    return datetime.fromisoformat(text)


def session_name() -> str:
    """Who this process is, in the outbox's claims and (on PostgreSQL) as
    the connection's application_name: host, process id and a random part,
    under PostgreSQL's 63 characters."""
    return f"civic-reflect:{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Database:
    dialect = "sqlite"
    IntegrityError: type[Exception] = sqlite3.IntegrityError

    def __init__(self, path: Path | str, clock: Clock = utc_now, *, read_only: bool = False):
        self.path = str(path)
        self.label = self.path  # for messages: the PostgreSQL one has no password
        self.now = clock
        self.read_only = read_only
        self.session = session_name()
        self._connection: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self.checkpoints: WalCheckpoints | None = None
        self._epochs: dict[str, int] = {}
        self._row_writes: dict[str, int] = {}
        self._kept: dict[str, list[Kept]] = {}
        self._data_version: int | None = None
        self._elsewhere = 0  # commits seen from other connections
        self._long_reads: LongReads | None = None

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the database is not open")
        return self._connection

    async def open(self, upgrades: Sequence[UpgradeStep] = UPGRADES) -> None:
        """Open the file and bring its schema up to date (never, read-only).

        Refuses (DatabaseTooNew) a database written by a newer version of the
        bot: running old code on it could lose what the new code stored.
        """
        # isolation_level=None: the driver never opens transactions behind our
        # back; `transaction()` says BEGIN IMMEDIATE itself. check_same_thread
        # off: without chart workers a digest is read and drawn in a thread
        # (services.drawing), through this connection.
        if self.read_only:
            if not Path(self.path).exists():
                raise StoreError(f"no database at {self.path}")
            uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
            self._connection = sqlite3.connect(uri, uri=True, isolation_level=None,
                                               check_same_thread=False)
        else:
            self._connection = sqlite3.connect(self.path, isolation_level=None,
                                               check_same_thread=False)
        self._connection.row_factory = sqlite3.Row
        pragmas = ["PRAGMA foreign_keys=ON", f"PRAGMA busy_timeout={LOCK_WAIT_MS}"]
        if not self.read_only:
            # The log is copied back by WalCheckpoints, in a worker thread,
            # never by a commit on the event loop (see bot/store/checkpoints.py).
            pragmas[:0] = ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                           "PRAGMA wal_autocheckpoint=0",
                           f"PRAGMA journal_size_limit={64 * 1024 * 1024}"]
        for pragma in pragmas:
            self._connection.execute(pragma)
        await self._settle_schema(upgrades)
        if not self.read_only:
            self.checkpoints = WalCheckpoints(self.path)
            self.checkpoints.start()

    async def _settle_schema(self, upgrades: Sequence[UpgradeStep]) -> None:
        """Refuse a newer database, upgrade an older one (never when read-only)."""
        try:
            known = max((step.version for step in upgrades), default=0)
            current = await self.schema_version()
            if current > known:
                raise DatabaseTooNew(
                    f"the database {self.label} is at schema version {current}, newer than "
                    f"this version of civic-reflect knows ({known}): upgrade civic-reflect "
                    "or restore a backup made before the upgrade"
                )
            if self.read_only:
                if current < known:
                    raise StoreError(
                        f"the database {self.label} is at schema version {current} and needs "
                        f"upgrading to {known}: start the bot once (`civic-reflect run`) first"
                    )
            else:
                await self.upgrade(upgrades)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._long_reads is not None:
            reads, self._long_reads = self._long_reads, None
            await reads.close()
        if self.checkpoints is not None:
            await self.checkpoints.stop()
            self.checkpoints = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def long_reads(self) -> LongReads:
        """The read-only connection for long reads (bot/store/reader.py),
        opened at the first; a database in memory has no second connection,
        and reads there on this one."""
        if self._long_reads is None:
            if self.path == ":memory:" or self.path.startswith("file:"):
                self._long_reads = LoopLongReads(self)
            else:
                self._long_reads = SqliteLongReads(self.path)
        return self._long_reads

    def written(self, table: str, row: object = None) -> None:
        """A statement of this process writes `table`: the one row with id
        `row` (bot/store/writes.py), or any of its rows when None."""
        table = table.lower()
        if row is None:
            for changed in (table, *CHANGES_TOO.get(table, ())):
                self._epochs[changed] = self._epochs.get(changed, 0) + 1
            return
        self._row_writes[table] = self._row_writes.get(table, 0) + 1
        for kept in self._kept.get(table, ()):
            kept.forget(row)

    def keeps(self, table: str, kept: Kept) -> None:
        """Tell `kept` of every write of one row of `table`."""
        self._kept.setdefault(table, []).append(kept)

    def epoch(self, table: str) -> tuple[int, int, int] | None:
        """A value that changes whenever a row of `table` may have changed
        since it was last asked: a statement of this process wrote to it,
        or another process (a command run beside the bot) committed
        anything. Its first two parts change only when any row may have
        (the last counts writes of one row). None when rows must not be
        kept in memory at all."""
        # data_version changes with every commit by another connection.
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._elsewhere += 1
        return self._elsewhere, self._epochs.get(table, 0), self._row_writes.get(table, 0)

    async def live_sessions(self) -> set[str]:
        """The sessions (see session_name) of processes using this database
        now: one process owns a SQLite file, so only this one."""
        return {self.session}

    async def tables(self) -> list[str]:
        """The names of the bot's tables (schema_version among them), sorted."""
        rows = await self.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'"
                                    " AND name NOT LIKE 'sqlite_%' ORDER BY name")
        return [row[0] for row in rows]

    async def schema_version(self) -> int:
        async with self.read() as tx:
            if await tx.fetch_one("SELECT name FROM sqlite_master"
                                  " WHERE type='table' AND name='schema_version'") is None:
                return 0
            return int(await tx.fetch_value(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    async def upgrade(self, upgrades: Sequence[UpgradeStep] = UPGRADES) -> list[int]:
        """Apply every step newer than the database, each in its own
        transaction with its version record; return the versions applied."""
        current = await self.schema_version()
        applied = []
        for step in sorted(upgrades, key=lambda s: s.version):
            if step.version <= current:
                continue
            async with self.transaction() as tx:
                await tx.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                await step.apply(tx, self.now())
                await tx.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.name, to_db_time(self.now())),
                )
            log.info("database upgraded to version %d (%s)", step.version, step.name)
            applied.append(step.version)
        return applied

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """`async with db.transaction() as tx:` one transaction, committed
        at the end of the block, rolled back if it raises."""
        return Transaction(self)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self._lock:
            yield Tx(self._conn, self)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        if not self._lock.locked():
            # What read() would do when no transaction is open, without its
            # context manager: the one-row reads of every update add up.
            started = perf_counter()
            row = Tx(self._conn, self)._run(sql, params).fetchone()
            if perf_counter() - started > SLOW_SECONDS:
                slow_work("statement", started, sql)
            return row
        async with self.read() as tx:
            return await tx.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self.read() as tx:
            return await tx.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        async with self.read() as tx:
            return await tx.fetch_value(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement in its own transaction; return rows changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)


async def backup_file(source: Path | str, target: Path | str) -> int:
    """Back up a database file another process may be writing; return its page count.

    The online backup API copies a consistent snapshot while the bot keeps
    running (WAL mode lets it write meanwhile), read through a read-only
    connection in aiosqlite's thread, as every long read.
    """
    reads = SqliteLongReads(source)
    try:
        return await reads.backup(target)
    finally:
        await reads.close()
