"""Moving an installation between databases (`civic-reflect migrate-db`):
every row of every table, in one transaction on the target, with a count
check per table before it commits. The source is only read.

The usual move is from the SQLite file to PostgreSQL; the way back works
the same. Both sides must be at the schema version of this code: the source
is opened read-only (start the bot on it once to upgrade it), the target is
created or upgraded, and must hold no rows yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database, StoreError, Tx

# Every table, parents before children, so each reference finds its row.
TABLES = ("chats", "members", "coordinators", "enrolments", "prompts", "answers",
          "answer_edits", "nudges", "setup_drafts", "private_prompt_messages", "outbox",
          "partner_codes", "partnerships")
_BATCH = 1000


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
    tables = set(await source.tables()) - {"schema_version"}
    unknown = tables - set(TABLES)
    if unknown:
        raise TransferError(f"no rule to copy table(s) {', '.join(sorted(unknown))}")
    async with target.transaction() as tx:
        for table in TABLES:
            held = await tx.fetch_value(f"SELECT COUNT(*) FROM {table}")
            if held:
                raise TransferError(f"{target.label} already holds data ({held} rows in "
                                    f"{table}); migrate-db fills an empty database only")
        for table in TABLES:
            await _copy(source, tx, table)
        if target.dialect == "postgresql":
            from bot.store.postgres import reset_identities

            await reset_identities(tx)
        counts = [TableCount(table, int(await source.fetch_value(f"SELECT COUNT(*) FROM {table}")),
                             int(await tx.fetch_value(f"SELECT COUNT(*) FROM {table}")))
                  for table in TABLES]
        wrong = [count for count in counts if not count.ok]
        if wrong:
            raise TransferError("row counts differ, nothing was kept: " + ", ".join(
                f"{c.table} {c.source} -> {c.target}" for c in wrong))
    return counts


async def _copy(source: Database, tx: Tx, table: str) -> None:
    rows = await source.fetch_all(f"SELECT * FROM {table}")
    if not rows:
        return
    columns = list(rows[0].keys())
    insert = (f"INSERT INTO {table} ({', '.join(columns)})"
              f" VALUES ({', '.join('?' * len(columns))})")
    for start in range(0, len(rows), _BATCH):
        await tx.execute_many(insert, [tuple(row) for row in rows[start:start + _BATCH]])
