"""`migrate-db` in constant memory (issue 25, item 7): each table streams
from the source in batches, so moving four times the answers takes no more
memory. Measured in a process of its own (its peak resident size), on
SQLite to SQLite and on SQLite to PostgreSQL and back.

It once read every table whole: 239 MB at 400,000 answers. A million
answers, measured by hand the same way, are in docs/running/postgresql.md.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.store import Store

from helpers.postgres import NO_POSTGRES
from helpers.processes import ROOT, on_server

pytestmark = pytest.mark.slow

# Small enough for every CI run; the code before streaming grew by some 27 MB
# between these two (0.45 kB an answer), the margin below is 12.
SMALL, LARGE = 20_000, 80_000
PEAK_LIMIT_MB = 100
# Four times the answers may cost a little more (a bigger count to print, the
# allocator's moods), never a share of the rows.
FLAT_MARGIN_MB = 12
PROMPTS = 500
GROUP = -1001234

# The peak is the process's own high-water mark (VmHWM), which starts afresh
# at exec: getrusage's ru_maxrss is kept across fork and exec, so a child of
# a test run grown to 160 MB read 160 MB whatever it did itself.
_MIGRATE = """
import json, sys
from bot.cli import main
status = main(["migrate-db", "--from", sys.argv[1], "--to", sys.argv[2]])
with open("/proc/self/status") as status_file:
    peak_kb = next(int(line.split()[1]) for line in status_file if line.startswith("VmHWM:"))
print(json.dumps({"status": status, "peak_mb": peak_kb / 1024}))
"""


@dataclass(frozen=True)
class Move:
    status: int
    peak_mb: float
    counts: dict[str, tuple[int, int]]


def installation(path, answers: int) -> None:
    """A group of `answers` answers (with comments) to PROMPTS questions,
    every chat a group."""

    async def schema() -> None:
        store = await Store.open(path)
        try:
            for number in range(3):
                await store.chats.ensure(GROUP - number, kind="group", title=f"Group {number}",
                                         timezone="UTC", language="en")
            await store.enrolments.start(GROUP, "checklist-cso", cadence="weekly",
                                         days=["mon"], local_time="09:00",
                                         next_due_at=datetime(2026, 3, 2, tzinfo=UTC))
        finally:
            await store.close()

    asyncio.run(schema())
    conn = sqlite3.connect(path)
    try:
        enrolment = conn.execute("SELECT id FROM enrolments").fetchone()[0]
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO prompts (enrolment_id, slot, chat_id, pack_id, item_id, opened_at)"
            " SELECT ?, 'slot-' || i, ?, 'checklist-cso', 'cso-01', '2026-03-02T08:00:00Z'"
            " FROM n", (PROMPTS, enrolment, GROUP))
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
            " WHERE i < :answers - 1)"
            " INSERT INTO answers (prompt_id, user_id, scale, text, created_at)"
            " SELECT 1 + i % :prompts, 1 + i / :prompts, 1 + i % 5,"
            " 'a comment of some forty characters, ' || i, '2026-03-02T09:00:00Z' FROM n",
            {"answers": answers, "prompts": PROMPTS})
        conn.commit()
    finally:
        conn.close()


def migrate(source: str, target: str) -> Move:
    """`civic-reflect migrate-db` in a new process: its status, its peak
    resident memory and the counts it printed."""
    done = subprocess.run([sys.executable, "-c", _MIGRATE, source, target], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    result = json.loads(lines[-1])
    counts = {}
    for line in lines[1:-2]:
        table, before, after = line.split()
        counts[table] = (int(before), int(after))
    return Move(result["status"], result["peak_mb"], counts)


def assert_flat(small: Move, large: Move) -> None:
    assert small.status == large.status == 0
    assert small.counts["answers"] == (SMALL, SMALL)
    assert large.counts["answers"] == (LARGE, LARGE)
    assert large.peak_mb < PEAK_LIMIT_MB
    assert large.peak_mb - small.peak_mb < FLAT_MARGIN_MB, (small.peak_mb, large.peak_mb)


def test_a_bigger_installation_moves_in_the_same_memory(tmp_path):
    moves = []
    for size in (SMALL, LARGE):
        source = tmp_path / f"source-{size}.sqlite3"
        installation(source, size)
        moves.append(migrate(f"sqlite:///{source}", f"sqlite:///{tmp_path / f'{size}.sqlite3'}"))
    assert_flat(*moves)


def test_a_bigger_installation_moves_to_postgresql_and_back_in_the_same_memory(
    tmp_path, postgres_server
):
    if postgres_server is None:
        pytest.skip(NO_POSTGRES)
    there, back = [], []
    made = []
    try:
        for size in (SMALL, LARGE):
            source = tmp_path / f"source-{size}.sqlite3"
            installation(source, size)
            name = f"scale_{uuid.uuid4().hex[:12]}"
            asyncio.run(on_server(postgres_server, f"CREATE DATABASE {name} TEMPLATE template0"))
            made.append(name)
            url = urlunsplit(urlsplit(postgres_server)._replace(path=f"/{name}"))
            there.append(migrate(f"sqlite:///{source}", url))
            back.append(migrate(url, f"sqlite:///{tmp_path / f'back-{size}.sqlite3'}"))
    finally:
        for name in made:
            asyncio.run(on_server(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    assert_flat(*there)
    assert_flat(*back)
