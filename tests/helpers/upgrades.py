"""Databases of earlier versions, loaded from their dumps, for the upgrade suites."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

# The fixtures' rows are of early February 2026; the upgrade runs a week later.
UPGRADED_AT = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


def load(version: int, path: Path) -> dict[str, int]:
    """Write the fixture of `version` to `path`; return its row counts."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / f"v{version}.sql").read_text(encoding="utf-8"))
    counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in tables(conn) if table != "schema_version"}
    conn.close()
    return counts


# Who and what the old databases hold.
GROUP, OTHER_GROUP, ANA, ROSA = -100200, -300, 601, 701


FIXTURES = Path(__file__).resolve().parents[1] / "data" / "schemas"


def tables(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
