"""Moving an installation between databases (`civic-reflect migrate-db`):
every row of every table, in one transaction on the target, with a count
check per table before it commits. The source is only read.

Memory stays flat whatever the size: each table streams from the source in
batches (a cursor of the source's long-read connection, bot/store/reader.py:
aiosqlite's thread on SQLite, a server-side cursor on PostgreSQL), every
table read in one snapshot, and each batch is written (COPY on PostgreSQL)
before the next is read.

The usual move is from the SQLite file to PostgreSQL; the way back works
the same. Both sides must be at the schema version of this code: the source
is opened read-only (start the bot on it once to upgrade it), the target is
created or upgraded, and must hold no rows yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database, StoreError, Tx
from bot.store.reader import BATCH_ROWS, LongReads

# Every table, parents before children, so each reference finds its row.
TABLES = ("chats", "members", "coordinators", "enrolments", "prompts", "answers",
          "answer_edits", "nudges", "setup_drafts", "private_prompt_messages", "outbox",
          "partner_codes", "partnerships", "actions", "action_owners", "design_ratings",
          "parked_updates", "joint_actions", "joint_drafts", "answer_parts")


class TransferError(StoreError):
    pass


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


async def transfer(source: Database, target: Database) -> list[TableCount]:
    """Copy every row from `source` into the empty `target`; return the
    counts per table. Nothing is left in the target if a count differs."""
    tables = set(await source.tables()) - {"schema_version", "parked_updates",
                                                 "rate_offers"}  # not data
    unknown = tables - set(TABLES)
    if unknown:
        raise TransferError(f"no rule to copy table(s) {', '.join(sorted(unknown))}")
    async with source.long_reads.snapshot() as reads, target.transaction() as tx:
        for table in TABLES:
            held = await tx.fetch_value(f"SELECT COUNT(*) FROM {table}")
            if held:
                raise TransferError(f"{target.label} already holds data ({held} rows in "
                                    f"{table}); migrate-db fills an empty database only")
        for table in TABLES:
            await _copy(reads, tx, table)
        if target.dialect == "postgresql":
            from bot.store.postgres import reset_identities

            await reset_identities(tx)
        counts = [TableCount(table, await _count(reads, table),
                             int(await tx.fetch_value(f"SELECT COUNT(*) FROM {table}")))
                  for table in TABLES]
        wrong = [count for count in counts if not count.ok]
        if wrong:
            raise TransferError("row counts differ, nothing was kept: " + ", ".join(
                f"{c.table} {c.source} -> {c.target}" for c in wrong))
    return counts


async def _count(reads: LongReads, table: str) -> int:
    return int((await reads.fetch_all(f"SELECT COUNT(*) FROM {table}"))[0][0])


async def _copy(reads: LongReads, tx: Tx, table: str, size: int = BATCH_ROWS) -> None:
    columns: list[str] | None = None
    async for batch in reads.batches(f"SELECT * FROM {table}", size=size):
        if columns is None:
            columns = list(batch[0].keys())
        await tx.copy_rows(table, columns, [tuple(row) for row in batch])
