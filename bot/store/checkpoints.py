"""Copying SQLite's write-ahead log back into the database file, off the
event loop.

In WAL mode SQLite checkpoints inside whichever commit takes the log past
its limit, and flushes the file to disk there. The bot commits on the event
loop's thread, so that one commit would hold up every update behind it. So
the bot's connection never checkpoints (`wal_autocheckpoint=0`); a second
connection, used only in a worker thread, does it every `every_seconds`
(SQLite leaves the GIL while it copies and flushes). Not more often: after
a copy that leaves nothing behind, the next commit starts the log afresh and
SQLite flushes the new log's header to the disk inside that commit, on the
event loop, so each copy-back costs one tap a wait for the disk:

- PASSIVE first: it copies what no reader still needs and never waits for,
  or holds up, the bot's own reads and writes.
- RESTART when the log is still longer than `restart_pages` after that:
  under a steady stream of answers a passive copy never lets the log start
  afresh, so it would only grow, and every commit would cost more. RESTART
  waits for the bot's current transaction to end and then for readers, at
  most `RESTART_WAIT_MS`, holding the bot's writes back meanwhile. A reader
  may stay for long (a backup or an export beside the bot, a digest read in
  the chart worker), so after a RESTART that could not finish the next is
  tried only `RESTART_BACKOFF_S` later.
- And not while updates are being handled (`hold_restarts_while`, given the
  bot's bot.runtime.traffic): someone tapping waits for their answer's
  write, the round does not. Held, the log may grow to
  `RESTART_ANYWAY_TIMES` its limit; under updates that never pause it then
  restarts all the same.

`journal_size_limit` trims the file back after a burst. The measurements
behind these choices are in the documentation's design notes and benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


RESTART_WAIT_MS = 50
RESTART_BACKOFF_S = 2.0
RESTART_ANYWAY_TIMES = 16


class WalCheckpoints:
    def __init__(self, path: str, every_seconds: float = 1.0, restart_pages: int = 1000):
        self.path = path
        self.every_seconds = every_seconds
        self.restart_pages = restart_pages  # 4 MB with SQLite's 4 kB pages
        self.restarts_tried = 0
        self.restarts_held = 0  # put off while updates were being handled
        self._updates_in_hand: Callable[[], bool] | None = None
        self._no_restart_until = 0.0  # time.monotonic()
        self._task: asyncio.Task | None = None
        self._connection: sqlite3.Connection | None = None  # the worker thread's
        self._in_use = threading.Lock()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_seconds)
            try:
                await self.now()
            except sqlite3.Error as error:
                # Nothing is lost: the log keeps growing until the next one works.
                log.warning("checkpoint of the database log failed (%s); trying again",
                            type(error).__name__)

    def hold_restarts_while(self, updates_in_hand: Callable[[], bool]) -> None:
        """Put RESTARTs off while `updates_in_hand()` (asked on the loop)."""
        self._updates_in_hand = updates_in_hand

    async def now(self) -> tuple[int, int, int]:
        """Checkpoint now: (1 if it could not finish, pages in the log,
        pages copied), as SQLite's wal_checkpoint reports them."""
        hold = self._updates_in_hand is not None and self._updates_in_hand()
        return await asyncio.to_thread(self._checkpoint, hold)

    def _checkpoint(self, hold_restart: bool = False) -> tuple[int, int, int]:
        with self._in_use:
            if self._connection is None:
                self._connection = sqlite3.connect(self.path, isolation_level=None,
                                                   check_same_thread=False)
                # How long a RESTART may wait for the bot's transaction, and
                # then for readers, to end (holding the bot's writes back).
                self._connection.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
            busy, pages, copied = self._connection.execute(
                "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if pages > self.restart_pages and time.monotonic() >= self._no_restart_until:
                if hold_restart and pages <= self.restart_pages * RESTART_ANYWAY_TIMES:
                    self.restarts_held += 1
                    return busy, pages, copied
                self.restarts_tried += 1
                busy, pages, copied = self._connection.execute(
                    "PRAGMA wal_checkpoint(RESTART)").fetchone()
                if busy:
                    self._no_restart_until = time.monotonic() + RESTART_BACKOFF_S
            return busy, pages, copied

    def _close(self) -> None:
        with self._in_use:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # Waits for a checkpoint still running in its thread.
        await asyncio.to_thread(self._close)
