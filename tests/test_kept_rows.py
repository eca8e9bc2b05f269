"""Chats and questions kept in memory (bot/store/kept.py): read once, never stale.

Every update reads its chat's settings and the question it answers, so a
SQLite bot keeps those it read lately; any statement that may change one
(from any repository, in a transaction that commits or not, or by a
cascade from another table) or a commit by another process makes it read
them again. On PostgreSQL nothing is kept: replicas share the data.
"""

from __future__ import annotations

import ast
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.count_edits import CountEdits
from bot.store.writes import CHANGES_TOO, WRITES, written_by

from helpers.app import Clock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path):
    opened = await Store.open(tmp_path / "memory.sqlite3", Clock(NOW))
    yield opened
    await opened.close()


def chat_reads(store: Store) -> list[str]:
    """Every statement reading the chats table, from now on."""
    seen: list[str] = []
    store.db._conn.set_trace_callback(
        lambda sql: seen.append(sql) if sql.startswith("SELECT * FROM chats") else None)
    return seen


def prompt_reads(store: Store) -> list[str]:
    seen: list[str] = []
    store.db._conn.set_trace_callback(
        lambda sql: seen.append(sql) if sql.startswith("SELECT * FROM prompts WHERE id") else None)
    return seen


async def group(store: Store, chat_id: int = -100) -> None:
    await store.chats.ensure(chat_id, kind="group", title="Riverside", timezone="UTC",
                             language="en")


async def test_a_chat_read_again_comes_from_memory(store):
    await group(store)
    reads = chat_reads(store)
    first = await store.chats.get(-100)
    again = await store.chats.get(-100)
    assert again == first and again.language == "en"
    assert len(reads) == 1


async def test_a_change_through_the_repository_is_seen_at_once(store):
    await group(store)
    await store.chats.get(-100)
    await store.chats.update(-100, language="es", quiet_start="22:00")
    chat = await store.chats.get(-100)
    assert (chat.language, chat.quiet_start) == ("es", "22:00")
    await store.chats.set_active(-100, False)
    assert (await store.chats.get(-100)).active is False


async def test_a_change_made_by_another_repository_is_seen(store):
    """The weekly planning moves a group's summary time in its own statement."""
    await group(store)
    due = NOW - timedelta(minutes=1)
    await store.chats.update(-100, next_summary_at=due)
    assert (await store.chats.get(-100)).next_summary_at == due
    await store.weekly.plan_summary(-100, due, NOW + timedelta(weeks=1), None)
    assert (await store.chats.get(-100)).next_summary_at == NOW + timedelta(weeks=1)
    await store.weekly.hold_summary(-100, NOW + timedelta(hours=2))
    assert (await store.chats.get(-100)).summary_hold_until == NOW + timedelta(hours=2)


async def test_a_change_by_another_process_is_seen(store, tmp_path):
    """A command run beside the bot writes through its own connection."""
    await group(store)
    assert (await store.chats.get(-100)).title == "Riverside"
    other = sqlite3.connect(tmp_path / "memory.sqlite3")
    with other:
        other.execute("UPDATE chats SET title = 'Hillside' WHERE id = -100")
    other.close()
    assert (await store.chats.get(-100)).title == "Hillside"


async def test_a_rolled_back_change_leaves_the_stored_chat(store):
    await group(store)
    await store.chats.get(-100)
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute("UPDATE chats SET language = 'es' WHERE id = -100")
            # A read waiting meanwhile must not keep what it sees before the end.
            raise RuntimeError("changed my mind")
    assert (await store.chats.get(-100)).language == "en"


async def test_a_read_waiting_behind_a_change_keeps_nothing_stale(store):
    """A read that waits for a transaction to end sees its result, and what
    it read is only kept if nothing was written meanwhile."""
    import asyncio

    await group(store)
    await store.chats.get(-100)
    writing = asyncio.Event()
    release = asyncio.Event()

    async def change() -> None:
        async with store.db.transaction() as tx:
            await tx.execute("UPDATE chats SET language = 'es' WHERE id = -100")
            writing.set()
            await release.wait()

    task = asyncio.create_task(change())
    await writing.wait()
    reader = asyncio.create_task(store.chats.get(-100))
    await asyncio.sleep(0)
    release.set()
    await task
    assert (await reader).language == "es"
    assert (await store.chats.get(-100)).language == "es"


async def test_a_forgotten_person_and_a_migrated_group_are_not_remembered(store):
    await store.chats.ensure(42, kind="private", title=None, timezone="UTC", language="en")
    await group(store, -100)
    assert await store.chats.get(42) is not None and await store.chats.get(-100) is not None
    await store.forget_person(42)
    assert await store.chats.get(42) is None
    assert await store.chats.migrate(-100, -1009)
    assert await store.chats.get(-100) is None
    assert (await store.chats.get(-1009)).title == "Riverside"


async def test_memory_is_bounded(store):
    store.chats.kept.limit = 3
    for number in range(5):
        await group(store, -100 - number)
    reads = chat_reads(store)
    for number in range(5):
        await store.chats.get(-100 - number)
    assert len(store.chats.kept) == 3
    await store.chats.get(-104)  # among the three kept
    await store.chats.get(-100)  # the oldest: read again
    assert len(reads) == 6


async def test_moving_one_groups_summary_time_forgets_that_group_only(store):
    """The weekly round moves every group's summary time, one statement each,
    while members tap: the other groups stay kept."""
    due = NOW - timedelta(minutes=1)
    for chat_id in (-100, -101):
        await group(store, chat_id)
        await store.chats.update(chat_id, next_summary_at=due)
        await store.chats.get(chat_id)
    reads = chat_reads(store)
    await store.weekly.plan_summary(-100, due, NOW + timedelta(weeks=1), None)
    assert (await store.chats.get(-101)).next_summary_at == due
    assert reads == []
    assert (await store.chats.get(-100)).next_summary_at == NOW + timedelta(weeks=1)
    assert len(reads) == 1


async def test_a_live_count_marks_its_own_question_only(store):
    await group(store, -100)
    await group(store, -101)
    first, other = await open_prompt(store, -100), await open_prompt(store, -101)
    for prompt in (first, other):
        await store.prompts.get(prompt.id)
    reads = prompt_reads(store)
    assert await CountEdits(store.db).take_turn(first.id, NOW, timedelta(seconds=5)) == 0.0
    assert (await store.prompts.get(other.id)).id == other.id
    assert reads == []
    assert (await store.prompts.get(first.id)).id == first.id
    assert len(reads) == 1


async def test_a_read_waiting_behind_a_change_of_another_row_keeps_nothing(store):
    """A read that began before a change of one row, and waited for it to
    end, keeps nothing, whichever row it was: which one is not remembered."""
    import asyncio

    await group(store, -100)
    await group(store, -101)

    for changed in (-100, -101):
        began, write, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

        async def change(chat_id: int, began: asyncio.Event, write: asyncio.Event,
                         release: asyncio.Event) -> None:
            async with store.db.transaction() as tx:
                began.set()
                await write.wait()
                await tx.execute("UPDATE chats SET language = ? WHERE id = ?", ("es", chat_id))
                await release.wait()

        task = asyncio.create_task(change(changed, began, write, release))
        await began.wait()
        reader = asyncio.create_task(store.chats.get(-100))
        await asyncio.sleep(0)  # it looks in memory, then waits for the transaction
        write.set()
        await asyncio.sleep(0)
        release.set()
        await task
        assert (await reader).language == "es"
        assert len(store.chats.kept) == 0
    assert (await store.chats.get(-100)).language == "es"
    assert len(store.chats.kept) == 1


async def test_a_rolled_back_change_of_one_row_leaves_the_stored_chat(store):
    await group(store)
    await store.chats.get(-100)
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute("UPDATE chats SET language = ? WHERE id = ?", ("es", -100))
            raise RuntimeError("changed my mind")
    assert (await store.chats.get(-100)).language == "en"


@pytest.mark.parametrize(("sql", "row_parameter"), [
    ("UPDATE chats SET language = ? WHERE id = ?", 1),
    ("UPDATE chats SET next_summary_at = ?, summary_hold_until = NULL, updated_at = ?"
     " WHERE id = ? AND next_summary_at = ?", 2),
    ("UPDATE prompts SET closed_at = ? WHERE id = ? AND closed_at IS NULL", 1),
    ("\n  update Prompts set message_id = ?\n where ID = ?", 1),
    # The id moves: its questions move with it (ON UPDATE CASCADE).
    ("UPDATE chats SET id = ?, updated_at = ? WHERE id = ?", None),
    ("UPDATE chats SET updated_at = ?,id = ? WHERE id = ?", None),
    # More than one row, or not surely the row of that parameter.
    ("UPDATE chats SET language = ? WHERE id = ? OR kind = 'group'", None),
    ("UPDATE chats SET language = ? WHERE chat_id = ?", None),
    ("UPDATE chats SET language = ? WHERE id IN (SELECT id FROM chats)", None),
    ("UPDATE prompts SET closed_at = (SELECT MAX(x) FROM t WHERE id = ? AND y = 1)"
     " WHERE chat_id = ?", None),
    ("UPDATE prompts SET closed_at = :now WHERE id = :id", None),
    ("UPDATE chats SET language = 'es' WHERE id = -100", None),
    ("UPDATE chats SET language = ?", None),
    ("DELETE FROM chats WHERE id = ?", None),
    ("INSERT INTO chats (id) VALUES (?)", None),
])
def test_which_rows_a_statement_may_change(sql, row_parameter):
    table = "prompts" if "prompts" in sql.lower() else "chats"
    assert written_by(sql) == (table, row_parameter)
    assert written_by("SELECT * FROM chats WHERE id = ?") is None


async def test_a_one_row_write_with_an_id_that_is_not_a_number_forgets_the_table(store):
    """SQLite would find the row by '-100' too: the kept -100 must go."""
    await group(store)
    await store.chats.get(-100)
    await store.db.execute("UPDATE chats SET language = ? WHERE id = ?", ("es", "-100"))
    assert (await store.chats.get(-100)).language == "es"


def _strings_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append("".join(part.value for part in node.values
                                 if isinstance(part, ast.Constant)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
    return found


async def test_a_question_read_again_comes_from_memory_until_it_changes(store):
    await group(store)
    prompt = await open_prompt(store)
    reads = prompt_reads(store)
    assert (await store.prompts.get(prompt.id)).message_id is None
    assert (await store.prompts.get(prompt.id)).message_id is None
    assert len(reads) == 1
    await store.prompts.learn_message(prompt.id, 77)
    assert (await store.prompts.get(prompt.id)).message_id == 77
    await store.prompts.close(prompt.id)
    assert not (await store.prompts.get(prompt.id)).is_open
    assert len(reads) == 3


async def test_a_question_changed_by_a_cascade_is_seen(store):
    """A group becoming a supergroup moves its questions (ON UPDATE CASCADE);
    a programme deleted takes its questions with it (ON DELETE CASCADE)."""
    await group(store)
    prompt = await open_prompt(store)
    assert (await store.prompts.get(prompt.id)).chat_id == -100
    assert await store.chats.migrate(-100, -1009)
    assert (await store.prompts.get(prompt.id)).chat_id == -1009
    async with store.db.transaction() as tx:
        await tx.execute("DELETE FROM enrolments WHERE chat_id = ?", (-1009,))
    assert await store.prompts.get(prompt.id) is None


async def open_prompt(store: Store, chat_id: int = -100):
    enrolment = await store.enrolments.start(chat_id, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00", next_due_at=None)
    prompt, created = await store.prompts.open(enrolment.id, "2026-03-02T09:00Z",
                                               chat_id=chat_id, pack_id="checklist-cso",
                                               item_id="I")
    assert created
    return prompt


KEPT_TABLES = ("chats", "prompts")


def test_every_statement_that_writes_a_kept_table_is_recognised():
    """What is kept is only as good as the recognition of a write: every SQL
    string in the bot that changes a kept table, or one whose changes
    cascade into it, must be recognised, from its first word."""
    watched = {*KEPT_TABLES, *(table for table, into in CHANGES_TOO.items()
                               if set(into) & set(KEPT_TABLES))}
    root = Path(__file__).resolve().parents[1] / "bot"
    writes = []
    for path in sorted(root.rglob("*.py")):
        for text in _strings_in(path):
            upper = " ".join(text.split()).upper()
            for table in watched:
                for verb in ("UPDATE", "INSERT INTO", "DELETE FROM", "REPLACE INTO"):
                    if f"{verb} {table.upper()} " in f"{upper} ":
                        writes.append((path.name, table, text))
    assert {table for _, table, _ in writes} == watched
    for name, table, text in writes:
        found = WRITES.match(text)
        assert found and found.group(1).lower() == table, (name, text)
    assert not WRITES.match("SELECT * FROM chats WHERE id = ?")
    assert WRITES.match("UPDATE chats_archive SET x = 1").group(1) == "chats_archive"
