"""The sandbox cannot touch anything real (a promise: docs, the promise register).

`civic-reflect try` once read DATABASE_URL and ran against the production
database: it wrote its demo group there and "sent" real groups' due questions
to its pretend Telegram, marking them sent. Here every way in is tried: the
environment, the settings, a --db file, and a whole session against a live
PostgreSQL and a real SQLite file, which must come out unchanged row for row
and byte for byte."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from bot.cli import REAL_BOT_SETTINGS, main, sandbox_environment
from bot.config import ConfigError, Settings
from bot.sandbox.cast import GROUP_ID as SANDBOX_GROUP
from bot.sandbox.runner import check_database_file, sandbox_settings
from bot.sandbox.session import SANDBOX_TOKEN, Sandbox, SandboxError
from bot.store import Store
from bot.store.sandbox_file import FileKind, kind_of

from helpers.app import TEST_TOKEN
from helpers.group import GROUP_ID
from helpers.sandbox import AMARA, TryProcess, frozen_sandbox

REAL_URL = "postgresql://bot:secret-password@db.example.org/civic"


def test_the_sandbox_reads_none_of_the_real_bots_settings():
    environ = {name: "set" for name in REAL_BOT_SETTINGS} | {
        "DEFAULT_TIMEZONE": "Europe/Madrid", "DATABASE_URL": REAL_URL, "WEBHOOK_SECRET": " "}
    kept, ignored = sandbox_environment(environ)
    assert kept == {"DEFAULT_TIMEZONE": "Europe/Madrid"}
    # Named when set (a blank one is not set), in a fixed order.
    assert ignored == [name for name in REAL_BOT_SETTINGS if name != "WEBHOOK_SECRET"]


def test_the_sandboxs_settings_clear_everything_real(tmp_path):
    real = Settings(token=TEST_TOKEN, database_url=REAL_URL, api_base_url="http://api.local",
                    webhook_url="https://bot.example.org/hook", webhook_secret="s3cret",
                    port=8443, replicas=2, default_timezone="Europe/Madrid")
    settings = sandbox_settings(real, tmp_path / "sandbox.sqlite3")
    assert (settings.token, settings.database_url, settings.api_base_url, settings.webhook_url,
            settings.webhook_secret, settings.port, settings.replicas) == (
        SANDBOX_TOKEN, None, None, None, None, None, 1)
    assert settings.database == tmp_path / "sandbox.sqlite3"
    assert settings.default_timezone == "Europe/Madrid"  # the operator's choices stay


@pytest.mark.parametrize("real", [
    {"database_url": REAL_URL}, {"webhook_url": "https://bot.example.org/hook"},
    {"api_base_url": "http://api.local"}, {"token": TEST_TOKEN}])
def test_a_sandbox_given_anything_real_refuses_to_start(tmp_path, real):
    settings = replace(sandbox_settings(Settings(), tmp_path / "sandbox.sqlite3"), **real)
    with pytest.raises(SandboxError, match="never uses a real bot's"):
        Sandbox(settings)


async def test_the_sandbox_leads_only_its_own_file(tmp_path):
    sandbox = frozen_sandbox(tmp_path)
    await sandbox.start()
    try:
        data = sandbox.app.bot_data
        assert data.leadership.shared is False  # no lease anyone else could want
        assert Path(data.store.db.path) == tmp_path / "sandbox.sqlite3"
    finally:
        await sandbox.stop()


async def real_bot_file(path: Path) -> Path:
    """A real bot's SQLite file with a group in it."""
    store = await Store.open(path)
    try:
        await store.chats.ensure(GROUP_ID, kind="group", title="Riverside CSO",
                                 timezone="Europe/Madrid", language="en")
    finally:
        await store.close()
    return path


async def test_a_db_file_that_is_not_the_sandboxs_is_refused(tmp_path):
    real = await real_bot_file(tmp_path / "real.sqlite3")
    before = real.read_bytes()
    with pytest.raises(ConfigError, match="not a sandbox's database"):
        check_database_file(real, allow_real_data=False)
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("shopping list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a sandbox's database"):
        check_database_file(not_a_database, allow_real_data=False)
    # Allowed, it is used as it is: not stamped as the sandbox's.
    check_database_file(real, allow_real_data=True)
    assert real.read_bytes() == before
    assert kind_of(real) is FileKind.OTHER


def test_a_new_db_file_becomes_the_sandboxs_own(tmp_path):
    path = tmp_path / "kept.sqlite3"
    assert kind_of(path) is FileKind.NEW
    check_database_file(path, allow_real_data=False)
    assert kind_of(path) is FileKind.SANDBOX
    check_database_file(path, allow_real_data=False)  # and is taken again next time


async def test_try_refuses_a_real_bots_file_in_one_line(tmp_path, capsys):
    real = await real_bot_file(tmp_path / "real.sqlite3")
    before = real.read_bytes()
    assert main(["try", "--port", "0", "--db", str(real)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("civic-reflect: ") and "--allow-real-data" in error
    assert len(error.splitlines()) == 1
    assert real.read_bytes() == before


async def rows_of(url: str) -> dict[str, list[tuple]]:
    """Every row of every table the URL's search path shows, in a fixed order."""
    connection = await asyncpg.connect(url)
    try:
        tables = [row["table_name"] for row in await connection.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() ORDER BY table_name")]
        found = {}
        for table in tables:
            rows = await connection.fetch(f"SELECT * FROM {table}")
            found[table] = sorted((tuple(row.values()) for row in rows), key=repr)
        return found
    finally:
        await connection.close()


def post(url: str, path: str, **body) -> dict:
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_sandbox_session_leaves_the_real_databases_untouched(harness, group, tmp_path):
    """A real bot's PostgreSQL holds a group whose first question is due, and a
    real SQLite file sits where CIVIC_REFLECT_DB points; the operator's shell has
    the production settings when they run `civic-reflect try`."""
    url = harness.settings.database_url
    due = await harness.store.enrolments.due(harness.clock.now.replace(year=2100), 10)
    assert [enrolment.chat_id for enrolment in due] == [GROUP_ID]
    sqlite_file = await real_bot_file(tmp_path / "real.sqlite3")
    rows_before, bytes_before = await rows_of(url), sqlite_file.read_bytes()
    assert rows_before["chats"] and rows_before["enrolments"]

    environment = {"DATABASE_URL": url, "CIVIC_REFLECT_DB": str(sqlite_file),
                   "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "WEBHOOK_URL": "https://bot.example.org/h",
                   "WEBHOOK_SECRET": "s3cret-value"}
    session = await asyncio.to_thread(TryProcess, env=environment)
    try:
        # The sandbox writes (its coordinator starts a setup), then runs weeks of
        # its schedule: every tick would have sent the real group's question had it
        # opened the real database.
        assert (await asyncio.to_thread(post, session.url, "/api/send", user_id=AMARA,
                                        chat_id=SANDBOX_GROUP, text="/setup"))["ok"]
        for _ in range(2):
            assert (await asyncio.to_thread(post, session.url, "/api/time/week-later"))["ok"]
    finally:
        status, _, errors = await asyncio.to_thread(session.stop)
    assert status == 0, errors
    assert await rows_of(url) == rows_before
    assert sqlite_file.read_bytes() == bytes_before

    ignoring = [line for line in session.greeting.splitlines() if "ignoring" in line]
    assert ignoring == ["civic-reflect sandbox: ignoring TELEGRAM_BOT_TOKEN, CIVIC_REFLECT_DB, "
                        "DATABASE_URL, WEBHOOK_URL, WEBHOOK_SECRET: the sandbox never uses the "
                        "real bot's database, webhook, token or Telegram."]
    assert "secret" not in session.greeting + errors  # names only, never values
    assert "Database: a temporary file" in session.greeting
