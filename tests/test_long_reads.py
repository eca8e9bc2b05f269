"""Long reads off the event loop, a loop that never waits long for another
process's lock, and the slow-statement log line (issue 25, items 7 and 6)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, ask, make_group, press, run_setup
from helpers.personal import ROSA, onboard
from helpers.processes import ROOT, until
from helpers.rows import make_group as make_group_row
from helpers.rows import make_prompt

SECRET = "what a member wrote, never logged"


def slow_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == "bot.store.slow" and record.levelno == logging.WARNING]


# --- long reads ----------------------------------------------------------------------


async def test_a_long_read_never_waits_for_the_connection_of_updates(store):
    """Exports, /mydata and journal exports read on a connection of their own:
    a transaction holding the connection every update uses does not hold
    them up (on SQLite the loop's connection and its lock; on PostgreSQL the
    process's one pooled connection)."""
    await make_group_row(store, GROUP_ID)
    prompt = await make_prompt(store, GROUP_ID)
    await store.answers.record(prompt.id, 602, scale=4, text="we listen")
    await store.chats.ensure(ROSA, kind="private", title=None, timezone="UTC", language="en")
    journal_prompt = await make_prompt(store, ROSA)
    await store.answers.record(journal_prompt.id, ROSA, text="my own words",
                               visibility="private")
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE chats SET title = 'Renamed' WHERE id = ?", (GROUP_ID,))
        rows = await asyncio.wait_for(store.exports.answers_for_chat(GROUP_ID), 30)
        pairs = await asyncio.wait_for(
            store.answers.member_answers_with_prompts(GROUP_ID, 602), 30)
        entries = await asyncio.wait_for(store.journal.all(ROSA), 30)
    assert [(row.user_id, row.scale, row.text) for row in rows] == [(602, 4, "we listen")]
    assert [(p.id, a.text) for p, a in pairs] == [(prompt.id, "we listen")]
    assert [entry.text for entry in entries] == ["my own words"]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_exports_and_mydata_are_read_off_the_loops_connection(harness):
    """Every statement the loop's own SQLite connection runs while a group's
    /export, a member's /mydata and a journal's /export are answered: none
    reads the answers they send; the read-only connection does."""
    group = make_group(harness)
    u = harness.updates
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    for person, rating in ((group.bruno, 4), (group.carla, 2)):
        await press(harness, group.chat, person, question, f"1|r|{prompt.id}|{rating}")
    rosa = u.user(ROSA, "Rosa")
    rosa_chat = u.private_chat(rosa)
    await onboard(harness, rosa, rosa_chat)
    await harness.send(u.command(rosa_chat, rosa, "/skip"))
    await harness.send(u.message(rosa_chat, rosa, "a journal entry"))
    for person in (group.ana, group.bruno):
        await harness.send(u.command(u.private_chat(person), person, "/start"))

    db = harness.store.db
    await db.long_reads.fetch_all("SELECT 1")  # opened, to watch it too
    off_the_loop: list[str] = []
    await db.long_reads._connection.set_trace_callback(off_the_loop.append)
    on_the_loop: list[str] = []
    db._conn.set_trace_callback(on_the_loop.append)
    try:
        await harness.send(u.command(group.chat, group.ana, "/export"))
        await harness.send(u.command(group.chat, group.bruno, "/mydata"))
        await harness.send(u.command(rosa_chat, rosa, "/export"))
    finally:
        db._conn.set_trace_callback(None)
        await db.long_reads._connection.set_trace_callback(None)

    csv = harness.telegram.last("sendDocument", chat_id=group.ana["id"])
    assert len(next(iter(csv.files.values())).content.decode().splitlines()) == 3
    mine = visible_text(harness.telegram.last("sendMessage", chat_id=group.bruno["id"])
                        .params["text"])
    assert "4" in mine
    journal = harness.telegram.calls_to("sendDocument", chat_id=ROSA)
    assert b"a journal entry" in next(iter(journal[0].files.values())).content
    reads_of_answers = [sql for sql in on_the_loop if "FROM answers" in sql]
    assert reads_of_answers == []
    assert sum("FROM answers" in sql for sql in off_the_loop) >= 3


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_stray_writer_holding_the_lock_never_freezes_the_loop(harness, caplog):
    """An operator's sqlite3 shell holds the database's write lock. The bot's
    write waits for it without holding the event loop (which goes on turning
    meanwhile), other chats' updates and an export wait their turn, and when
    the lock goes the write is made: nothing lost, nobody told of an error."""
    group = make_group(harness)
    u = harness.updates
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    await press(harness, group.chat, group.carla, question, f"1|r|{prompt.id}|2")
    await harness.send(u.command(u.private_chat(group.ana), group.ana, "/start"))

    held, release = threading.Event(), threading.Event()

    def stray_writer() -> None:
        shell = sqlite3.connect(harness.settings.database_path, isolation_level=None)
        try:
            shell.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(60)
            shell.execute("COMMIT")
        finally:
            shell.close()

    writer = threading.Thread(target=stray_writer)
    writer.start()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    ticking = asyncio.create_task(tick())
    try:
        await until(held.is_set, what="the stray writer's lock")
        strangers = [u.user(800 + n, f"Visitor {n}") for n in range(5)]
        tap = asyncio.create_task(harness.send(
            u.callback(group.chat, group.bruno, question, f"1|r|{prompt.id}|4")))
        others = [asyncio.create_task(harness.send(u.command(u.private_chat(s), s, "/help")))
                  for s in strangers]
        export = asyncio.create_task(harness.send(u.command(group.chat, group.ana, "/export")))
        await until(lambda: ticks >= 1, what="a first tick")
        first = ticks
        # The loop turns many times while the tap's write is still waiting.
        await until(lambda: ticks - first >= 200 and not tap.done(), seconds=20,
                    what=lambda: f"{ticks - first} ticks, tap done: {tap.done()}")
    finally:
        release.set()
        writer.join(30)
        ticking.cancel()
    await asyncio.wait_for(asyncio.gather(tap, *others, export), 30)

    saved = await harness.store.answers.get(prompt.id, group.bruno["id"])
    assert saved is not None and saved.scale == 4
    assert harness.telegram.last("answerCallbackQuery").params["text"] == "Saved, thank you!"
    for stranger in strangers:
        assert harness.telegram.calls_to("sendMessage", chat_id=stranger["id"])
    assert harness.telegram.calls_to("sendDocument", chat_id=group.ana["id"])
    said = [visible_text(call.params.get("text", "")) for call in harness.telegram.calls
            if call.method == "sendMessage"]
    assert not [text for text in said if "went wrong" in text]
    assert any("for the database's write lock" in record.getMessage()
               for record in caplog.records)


# --- the slow-statement log line -------------------------------------------------------


async def test_a_slow_statement_is_logged_once_without_its_parameters(store, caplog):
    if store.db.dialect == "sqlite":
        store.db._conn.create_function(
            "slowly", 1, lambda value: time.sleep(0.2) or value)
        sql = "SELECT slowly(?)"
    else:
        sql = "SELECT CAST(? AS TEXT) FROM pg_sleep(0.2)"

    async def read_slowly():
        return await store.db.fetch_value(sql, (SECRET,))

    with caplog.at_level(logging.WARNING, logger="bot.store.slow"):
        assert await read_slowly() == SECRET
    (line,) = slow_lines(caplog)
    assert line.startswith("slow statement: ")
    assert "read_slowly" in line and sql in line
    assert SECRET not in caplog.text


async def test_a_slow_statement_in_a_transaction_makes_one_line(store, caplog):
    if store.db.dialect == "sqlite":
        store.db._conn.create_function(
            "slowly", 1, lambda value: time.sleep(0.2) or value)
        sql = "SELECT slowly(?)"
    else:
        sql = "SELECT CAST(? AS TEXT) FROM pg_sleep(0.2)"

    async def write_after_a_slow_read():
        async with store.db.transaction() as tx:
            await tx.fetch_value(sql, (SECRET,))
            await tx.execute("UPDATE chats SET title = ? WHERE id = 0", (SECRET,))

    with caplog.at_level(logging.WARNING, logger="bot.store.slow"):
        await write_after_a_slow_read()
    (line,) = slow_lines(caplog)
    assert line.startswith("slow statement: ") and "write_after_a_slow_read" in line
    assert SECRET not in caplog.text


async def test_a_slow_transaction_is_logged_once_with_who_ran_it(store, caplog):
    await make_group_row(store, GROUP_ID)

    async def rename_slowly():
        async with store.db.transaction() as tx:
            await tx.execute("UPDATE chats SET title = ? WHERE id = ?", (SECRET, GROUP_ID))
            await asyncio.sleep(0.2)  # whatever kept it open: a slow step between statements

    with caplog.at_level(logging.WARNING, logger="bot.store.slow"):
        await rename_slowly()
    (line,) = slow_lines(caplog)
    assert line.startswith("slow transaction: ") and "rename_slowly" in line
    assert SECRET not in caplog.text
    assert (await store.chats.get(GROUP_ID)).title == SECRET


_LEFT_OPEN = """
import asyncio, sys
from bot.store import Store

async def main():
    store = await Store.open(sys.argv[1])
    await store.exports.answers_for_chat(-100)  # the long-read connection opens
    # ...and the process ends on an error path, never closing the database.

asyncio.run(main())
print("done")
"""


@pytest.mark.slow
def test_a_process_that_never_closes_its_database_still_exits(tmp_path):
    """The long-read connection's thread never keeps a process alive."""
    done = subprocess.run([sys.executable, "-c", _LEFT_OPEN, str(tmp_path / "bot.sqlite3")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "done\n"), done.stderr
