"""Rows read lately, kept in memory until anything may have changed them.

Every update reads its chat's settings and the question it answers, rows
that change far less often than they are read. A repository keeps the
records it built, by id, for as long as Database.epoch says its table is
unchanged: any statement of this process that writes the table (or a table
whose deletes and updates cascade into it), or any commit by another
process, forgets them all; an update of one row by its id forgets that row
only (bot/store/writes.py). On PostgreSQL nothing is kept (epoch is None):
replicas share the data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from bot.store.db import Database

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, db: Database, table: str, limit: int = 4096):
        self.db = db
        self.table = table
        self.limit = limit
        self._records: OrderedDict[Hashable, T] = OrderedDict()
        self._epoch: object = None
        # How often a find was answered from memory, and how often it had to
        # forget everything first (tests/bench/digest.py prints the shares).
        self.hits = self.misses = self.forgotten = 0
        db.keeps(table, self)

    def find(self, key: Hashable) -> tuple[object, T | None]:
        """(the table's epoch now, the record kept for `key` or None)."""
        epoch = self.db.epoch(self.table)
        if epoch is None:
            return None, None
        if epoch[:2] != self._epoch:  # any row may have changed
            if self._records:
                self.forgotten += 1
            self._records.clear()
            self._epoch = epoch[:2]
        record = self._records.get(key)
        if record is None:
            self.misses += 1
        else:
            self.hits += 1
            self._records.move_to_end(key)
        return epoch, record

    def keep(self, key: Hashable, record: T, epoch: object) -> None:
        """Keep a record read at `epoch`, unless something was written since
        (a read may have waited its turn behind a transaction), even another
        row: which one is not remembered."""
        if epoch is None or self.db.epoch(self.table) != epoch:
            return
        self._records[key] = record
        if len(self._records) > self.limit:
            self._records.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        self._records.pop(key, None)

    def __len__(self) -> int:
        return len(self._records)
