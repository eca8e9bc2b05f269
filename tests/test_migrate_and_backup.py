"""Moving an installation between SQLite and PostgreSQL (`migrate-db`), and
backups restored as the README says, on both backends."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.cli import main
from bot.store import Store
from bot.store.transfer import TABLES

from helpers.app import Clock
from helpers.postgres import NO_POSTGRES
from helpers.processes import on_server
from helpers.upgrades import ANA, GROUP, ROSA, UPGRADED_AT, load

_SETTINGS = ("DATABASE_URL", "CIVIC_REFLECT_DB", "WEBHOOK_URL", "WEBHOOK_SECRET", "REPLICAS",
             "PORT", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server(postgres_server):
    if postgres_server is None:
        pytest.skip(NO_POSTGRES)
    return postgres_server


@pytest.fixture
def new_database(server):
    """Make empty PostgreSQL databases; each is dropped at the end."""
    made: list[str] = []

    def make() -> str:
        name = f"move_{uuid.uuid4().hex[:12]}"
        asyncio.run(on_server(server, f"CREATE DATABASE {name} TEMPLATE template0"))
        made.append(name)
        return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))

    yield make
    for name in made:
        asyncio.run(on_server(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def installation(tmp_path):
    """A SQLite installation with rows in every table (the v8 fixture, upgraded)."""
    path = tmp_path / "bot.sqlite3"
    load(8, path)

    async def upgrade() -> None:
        await (await Store.open(path, Clock(UPGRADED_AT))).close()

    asyncio.run(upgrade())
    # An update the poller kept, still to be handled, moves with the rest.
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO parked_updates (update_id, chat_key, body, parked_at)"
                 " VALUES (900001, ?, '{\"update_id\": 900001}', '2026-03-02T08:00:00Z')",
                 (GROUP,))
    # An action the group took on, with its owner (note kept private).
    conn.execute("INSERT INTO actions (id, chat_id, text, created_by, created_at, due_at,"
                 " source_prompt_id) VALUES (1, ?, 'Ask the library', ?, '2026-03-02T08:00:00Z',"
                 " '2026-03-09T09:00:00Z', 1)", (GROUP, ANA))
    conn.execute("INSERT INTO action_owners (action_id, user_id, joined_at, state, note)"
                 " VALUES (1, ?, '2026-03-02T08:05:00Z', 'stuck', 'need a key')", (ANA,))
    # Its plan put to the design tests: one rating.
    conn.execute("UPDATE actions SET design_asked_at = '2026-03-02T08:10:00Z' WHERE id = 1")
    conn.execute("INSERT INTO design_ratings (action_id, user_id, test, value, rated_at)"
                 " VALUES (1, ?, 'dem', 4, '2026-03-02T08:11:00Z')", (ANA,))
    # A joint action of the partnership (-300 and the group): an action each.
    conn.execute("INSERT INTO actions (id, chat_id, text, created_at) VALUES"
                 " (2, -300, 'Ask the library', '2026-03-02T08:00:00Z')")
    conn.execute("INSERT INTO joint_actions (partnership_id, pair_number, la_action_id,"
                 " cso_action_id, proposed_by, created_at)"
                 " VALUES (1, 4, 2, 1, 'cso', '2026-03-02T08:00:00Z')")
    # A coordinator asked, in private, for a joint action's line.
    conn.execute("INSERT INTO joint_drafts (user_id, partnership_id, side, pair_number,"
                 " asked_at) VALUES (?, 1, 'cso', 4, '2026-03-02T08:00:00Z')", (ROSA,))
    # An answer written over two messages keeps its parts.
    conn.execute("INSERT INTO answer_parts (answer_id, message_id, text)"
                 " SELECT id, 9001, 'and one more thing' FROM answers ORDER BY id LIMIT 1")
    conn.commit()
    conn.close()
    return path


def every_row(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in TABLES}
    finally:
        conn.close()


def test_an_installation_moves_to_postgresql_and_back_row_for_row(
    tmp_path, new_database, capsys
):
    source = installation(tmp_path)
    original = every_row(source)
    assert all(original[table] for table in TABLES)  # every table has rows to move
    target = new_database()
    assert main(["migrate-db", "--from", f"sqlite:///{source}", "--to", target]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["table", "from", "to"]
    assert [line.split() for line in out[1:-1]] == [
        [table, str(len(original[table])), str(len(original[table]))] for table in TABLES]
    assert out[-1].endswith("every table's count matches")

    async def use_it() -> None:
        store = await Store.open(target, Clock(UPGRADED_AT))
        try:
            assert (await store.chats.get(GROUP)).title == "Riverside CSO"
            assert [a.text for a in await store.answers.for_prompt(1)] == [
                "We listen <well>", None]
            # New rows carry on after the copied ids.
            answer = await store.answers.record(2, ANA, scale=5)
            assert answer.id == max(row[0] for row in original["answers"]) + 1
        finally:
            await store.close()

    asyncio.run(use_it())
    # A second move into the same database is refused, leaving it as it was.
    assert main(["migrate-db", "--from", f"sqlite:///{source}", "--to", target]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "already holds data" in error
    # And back to a new SQLite file: the same rows, the new answer besides.
    back = tmp_path / "back.sqlite3"
    assert main(["migrate-db", "--from", target, "--to", f"sqlite:///{back}"]) == 0
    returned = every_row(back)
    assert {t: rows for t, rows in returned.items() if t != "answers"} == {
        t: rows for t, rows in original.items() if t != "answers"}
    assert set(original["answers"]) < set(returned["answers"])
    assert len(returned["answers"]) == len(original["answers"]) + 1


def test_migrate_db_explains_its_arguments(tmp_path, capsys):
    assert main(["migrate-db", "--from", "mysql://x", "--to", "postgresql://h/d"]) == 2
    assert capsys.readouterr().err == (
        "civic-reflect: --from must be sqlite:///path/to/file.sqlite3 or "
        "postgresql://user:password@host/database\n")
    missing = tmp_path / "missing.sqlite3"
    assert main(["migrate-db", "--from", f"sqlite:///{missing}", "--to",
                 f"sqlite:///{tmp_path / 'new.sqlite3'}"]) == 1
    assert capsys.readouterr().err == f"civic-reflect: no database at {missing}\n"


def test_a_sqlite_backup_restores_by_putting_the_file_back(tmp_path, monkeypatch, capsys):
    live = installation(tmp_path)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(live))
    backup = tmp_path / "backup.sqlite3"
    assert main(["backup", str(backup)]) == 0
    assert capsys.readouterr().out.startswith(f"backed up {live} to {backup} (")
    before = every_row(live)
    # Things go wrong afterwards...
    conn = sqlite3.connect(live)
    conn.execute("DELETE FROM answers")
    conn.commit()
    conn.close()
    # ...so the bot is stopped and the copy put back (README, Backups).
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, live)
    assert every_row(live) == before

    async def start_on_it() -> None:
        store = await Store.open(live, Clock(UPGRADED_AT))
        try:
            assert len(await store.answers.for_prompt(1)) == 2
        finally:
            await store.close()

    asyncio.run(start_on_it())


def test_a_postgresql_backup_restores_with_pg_restore(tmp_path, new_database, monkeypatch,
                                                      capsys):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (Debian: postgresql-client)")
    live = new_database()
    assert main(["migrate-db", "--from", f"sqlite:///{installation(tmp_path)}",
                 "--to", live]) == 0
    capsys.readouterr()
    monkeypatch.setenv("DATABASE_URL", live)
    backup = tmp_path / "civic.dump"
    assert main(["backup", str(backup)]) == 0
    assert capsys.readouterr().out == (
        f"backed up {live} to {backup} (pg_dump's custom format; restore with pg_restore)\n")
    assert main(["backup", str(backup)]) == 1  # never overwritten
    assert "already exists" in capsys.readouterr().err
    restored = new_database()
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored}", str(backup)],
                   check=True, capture_output=True)

    async def compare() -> None:
        stores = [await Store.open(url, Clock(UPGRADED_AT)) for url in (live, restored)]
        try:
            for table in (*TABLES, "schema_version"):
                rows = [sorted(tuple(r) for r in await s.db.fetch_all(f"SELECT * FROM {table}"))
                        for s in stores]
                assert rows[0] == rows[1], table
            # The restored database goes on numbering rows after the restored ones.
            answer = await stores[1].answers.record(2, ANA, scale=5)
            assert answer.id == 1 + await stores[0].db.fetch_value("SELECT MAX(id) FROM answers")
        finally:
            for store in stores:
                await store.close()

    asyncio.run(compare())


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://civic:pw@db.example.org/civic")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["backup", str(tmp_path / "civic.dump")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("civic-reflect: pg_dump is not installed here: install ")
    assert error.count("\n") == 1 and "pw" not in error


def test_an_installation_of_groups_only_moves_to_postgresql_and_back(tmp_path, new_database,
                                                                    capsys):
    """Every chat a group: every chat id is negative, below where PostgreSQL's
    id sequences start, and the move still works (it once stopped with
    "setval: value -100200 is out of bounds")."""
    source = installation(tmp_path)
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("DELETE FROM chats WHERE id > 0")  # the private chats, and their rows
    conn.commit()
    conn.close()
    original = every_row(source)
    assert original["chats"] and all(row[0] < 0 for row in original["chats"])
    target = new_database()
    assert main(["migrate-db", "--from", f"sqlite:///{source}", "--to", target]) == 0
    capsys.readouterr()

    async def use_it() -> None:
        store = await Store.open(target, Clock(UPGRADED_AT))
        try:
            # A new group keeps its own (Telegram's) id; new rows of the
            # numbered tables go on after the copied ones.
            await store.chats.ensure(-100999, kind="group", title="New", timezone="UTC",
                                     language="en")
            answer = await store.answers.record(2, ANA, scale=5)
            assert answer.id == max(row[0] for row in original["answers"]) + 1
            # A private chat whose id is the sequence's start is no conflict either.
            await store.chats.ensure(1, kind="private", title=None, timezone="UTC",
                                     language="en")
        finally:
            await store.close()

    asyncio.run(use_it())
    back = tmp_path / "back.sqlite3"
    assert main(["migrate-db", "--from", target, "--to", f"sqlite:///{back}"]) == 0
    returned = every_row(back)
    assert {row[0] for row in returned["chats"]} == {
        row[0] for row in original["chats"]} | {-100999, 1}
    assert {t: rows for t, rows in returned.items() if t not in ("answers", "chats")} == {
        t: rows for t, rows in original.items() if t not in ("answers", "chats")}
