"""Upgrading a database of every released schema version, full of rows, to
the newest: the same schema as a fresh one, every row kept, schedules due.

The fixtures (tests/data/schemas/v<N>.sql) were written by the shipped
upgrade steps of their version; see make_fixtures.py there.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.db import Database, DatabaseTooNew, StoreError
from bot.store.upgrades import UPGRADES

from helpers.app import Clock
from helpers.upgrades import ANA, FIXTURES, GROUP, ROSA, UPGRADED_AT, load

RELEASED = sorted(int(path.stem[1:]) for path in FIXTURES.glob("v*.sql"))
# Tables a later step folded into another: where their rows are now.
MOVED = {"digests": "SELECT COUNT(*) FROM outbox WHERE state = 'sent'"}






def schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                            " ORDER BY type, name").fetchall()
    finally:
        conn.close()


async def fresh(path: Path) -> None:
    db = Database(path, Clock(UPGRADED_AT))
    await db.open()
    await db.close()


def test_every_released_version_has_a_fixture():
    assert list(range(1, len(RELEASED) + 1)) == RELEASED
    assert RELEASED[-1] in {step.version for step in UPGRADES}
    # The newest step may be unreleased yet, never more than one.
    assert max(step.version for step in UPGRADES) - RELEASED[-1] <= 1


@pytest.mark.parametrize("version", RELEASED)
async def test_an_old_database_upgrades_to_exactly_the_fresh_schema(tmp_path, version):
    old = tmp_path / f"v{version}.sqlite3"
    counts = load(version, old)
    store = await Store.open(old, Clock(UPGRADED_AT))
    assert await store.db.schema_version() == UPGRADES[-1].version
    await store.close()
    await fresh(tmp_path / "fresh.sqlite3")
    assert schema(old) == schema(tmp_path / "fresh.sqlite3")
    conn = sqlite3.connect(old)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, count in counts.items():
            query = MOVED.get(table, f"SELECT COUNT(*) FROM {table}")
            assert conn.execute(query).fetchone()[0] == count, table
    finally:
        conn.close()


@pytest.mark.parametrize("version", RELEASED)
async def test_upgraded_data_reads_back_and_its_schedules_are_due(tmp_path, version):
    path = tmp_path / "old.sqlite3"
    load(version, path)
    store = await Store.open(path, Clock(UPGRADED_AT))
    try:
        group = await store.chats.get(GROUP)
        assert (group.title, group.language, group.names_visible) == ("Riverside CSO", "es", True)
        answers = await store.answers.for_prompt(1)
        assert [(a.user_id, a.scale, a.text) for a in answers] == [
            (ANA, 4, "We listen <well>"), (602, None, None)]
        assert [(e.scale, e.text) for e in await store.answers.history(answers[0].id)] == [
            (3, "We listen")]
        # The weekly question is due (held until 09:00 by quiet hours from v3 on).
        later = UPGRADED_AT + timedelta(days=7)
        assert [e.id for e in await store.enrolments.due(later) if e.chat_id == GROUP] == [1]
        # Every running group has its next summary, within a week; a group
        # set up before summaries existed got one from the upgrade.
        assert UPGRADED_AT < group.next_summary_at <= UPGRADED_AT + timedelta(days=7)
        assert [c.id for c in await store.chats.summaries_due(later)] == [GROUP]
        # No private chat borrows the summary columns any more.
        for chat_id in (ANA, ROSA):
            private = await store.chats.get(chat_id)
            if private is not None:
                assert private.next_summary_at is None
    finally:
        await store.close()


async def test_recaps_move_to_their_own_columns(tmp_path):
    path = tmp_path / "v5.sqlite3"
    load(5, path)
    store = await Store.open(path, Clock(UPGRADED_AT))
    try:
        rosa = await store.chats.get(ROSA)
        assert (rosa.recap_day, rosa.recap_time, rosa.next_recap_at) == (
            "sun", "20:00", datetime(2026, 2, 15, 19, tzinfo=UTC))
        ana = await store.chats.get(ANA)  # chose no recap: no "none" left anywhere
        assert (ana.recap_day, ana.next_recap_at, ana.summary_day) == (None, None, "fri")
        assert [c.id for c in await store.chats.recaps_due(UPGRADED_AT + timedelta(days=7))] == [
            ROSA]
    finally:
        await store.close()


async def test_a_database_newer_than_the_code_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    await fresh(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (999, 'from the future', 'x')")
    conn.commit()
    conn.close()
    before = schema(path)
    with pytest.raises(DatabaseTooNew, match="schema version 999, newer than"):
        await Store.open(path)
    assert schema(path) == before


async def test_read_only_opening_never_upgrades_or_writes(tmp_path):
    path = tmp_path / "v4.sqlite3"
    load(4, path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="needs upgrading"):
        await Store.open(path, read_only=True)
    assert path.read_bytes() == before
    store = await Store.open(path, Clock(UPGRADED_AT))
    await store.close()
    reader = await Store.open(path, read_only=True)
    try:
        assert (await reader.chats.get(GROUP)).title == "Riverside CSO"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await reader.chats.set_active(GROUP, False)
    finally:
        await reader.close()


async def test_a_claim_left_by_a_process_of_the_last_version_is_freed_at_start(tmp_path):
    """Version 8 claims named no process; the first start after the upgrade
    frees them, and new claims name their process."""
    path = tmp_path / "v8.sqlite3"
    load(8, path)
    store = await Store.open(path, Clock(UPGRADED_AT))
    try:
        digest = await store.outbox.by_key(f"digest:{GROUP}:2026-W06:{ANA}")
        assert (digest.state, digest.claimed_until) == ("pending", UPGRADED_AT + timedelta(
            minutes=10))
        assert await store.outbox.claim(UPGRADED_AT, timedelta(minutes=15)) == []
        assert await store.outbox.release_claims() == 1
        claimed = await store.outbox.claim(UPGRADED_AT, timedelta(minutes=15))
        assert [item.key for item in claimed] == [digest.key]
        assert await store.db.fetch_value(
            "SELECT claimed_by FROM outbox WHERE id = ?", (digest.id,)) == store.db.session
    finally:
        await store.close()
