"""Shared fixtures: the real Application on a temporary database, wired to the
in-process fake Telegram, with a clock the tests move by hand.

Every test built on `settings` (the end-to-end `harness`) or on a store
fixture that takes `database_target` runs twice: on a SQLite file and on
PostgreSQL (a schema of its own in the server named by
CIVIC_REFLECT_TEST_POSTGRES, or in a throwaway server started for the
session when that is not set; see tests/helpers/postgres.py).

Every test on PostgreSQL is marked `slow` here, as are the suites that
start processes, a browser or a server (in their own files, or in SLOW_IN
below):
`python -m pytest -m "not slow"` runs every other test once, on SQLite, in
a couple of minutes; `python -m pytest` runs everything."""

from __future__ import annotations

import dataclasses
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from telegram import Bot

from bot import app as application_module
from bot.config import Settings, default_content_dir
from bot.content.locales import LOCALE_DIR, Catalog
from bot.content.packs import PackLibrary, load_library
from bot.sandbox.telegram import BotApiSpec, FakeTelegram
from bot.store import Store

from helpers.app import TEST_TOKEN, Clock, running
from helpers.group import make_group, run_setup
from helpers.postgres import ENVIRONMENT_VARIABLE, NO_POSTGRES, ThrowawayPostgres, server_programs

_read: dict[tuple, object] = {}


def _read_once(load, folder: Path):
    """`load(folder)`, read again only when a file in the folder has changed."""
    files = tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns)
                  for path in sorted(Path(folder).glob("*.toml")))
    key = (load.__qualname__, Path(folder), files)
    if key not in _read:
        _read[key] = load(folder)
    return _read[key]


class _CatalogReadOnce(Catalog):
    @classmethod
    def load(cls, directory: Path = LOCALE_DIR) -> Catalog:
        return _read_once(Catalog.load, directory)


@pytest.fixture(scope="session", autouse=True)
def content_read_once():
    """The application reads its content packs and strings as it starts
    (about 75 ms of TOML), and the tests start it some thousand times: each
    folder is read once, and again whenever one of its files changes. What is
    read is never changed (frozen packs, a catalog without setters); the
    content's own tests, and the processes, read it from disk each time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(application_module, "load_library",
                      lambda folder: _read_once(load_library, folder))
        patch.setattr(application_module, "Catalog", _CatalogReadOnce)
        yield


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def packs() -> PackLibrary:
    return load_library(default_content_dir())


@pytest.fixture
def spec() -> BotApiSpec:
    return BotApiSpec.load()


@pytest.fixture
def fake():
    """A bare fake Telegram for tests of the fake itself; any unexpected
    violation fails the test, as with the application's."""
    telegram = FakeTelegram()
    yield telegram
    telegram.assert_clean()


@pytest.fixture
async def bot(fake):
    async with Bot("123:ABC", request=fake, get_updates_request=fake) as bot:
        yield bot


@pytest.fixture
def clock() -> Clock:
    # A Monday morning, so weekly schedules are easy to reason about.
    return Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server():
    """The address of a PostgreSQL server for the tests, or None without one."""
    url = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if url:
        yield url
    elif server_programs() is None:
        yield None
    else:
        server = ThrowawayPostgres()
        try:
            yield server.start()
        finally:
            server.stop()


def with_setting(url: str, name: str, value: str) -> str:
    """A PostgreSQL URL whose connections also set `name` (asyncpg passes
    unknown query parameters on as server settings)."""
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def on_postgresql(item: pytest.Item) -> bool:
    """Runs on PostgreSQL: its backend parameter (the fixture's, or a test's
    own parametrization) or a direct use of the server."""
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("backend") if callspec is not None else None
    return backend == "postgresql" or "postgres_server" in getattr(item, "fixturenames", ())


# Slow tests in modules that do not mark themselves: the storm of failures over
# three weeks (about two seconds a seed), and the two tests that start the bot
# as a process beside the HTTP stand-in's own (None: the whole module).
SLOW_IN = {
    "test_faults.py": None,
    "test_http_api.py": {"test_a_real_bot_process_starts_answers_an_update_and_stops",
                         "test_the_server_outlives_a_killed_bot_and_serves_the_next_one"},
}


def named_slow(item: pytest.Item) -> bool:
    if item.path.name not in SLOW_IN:
        return False
    names = SLOW_IN[item.path.name]
    if names is None:
        return True
    missing = sorted(name for name in names if not hasattr(item.module, name))
    if missing:
        raise pytest.UsageError(f"conftest.SLOW_IN names tests {item.path.name} no longer "
                                f"has: {', '.join(missing)}")
    return item.originalname in names


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if on_postgresql(item) or named_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
async def database_target(backend, tmp_path, request) -> Path | str:
    """A new, empty database of the test's backend: a SQLite file, or a
    PostgreSQL URL whose search_path is a schema of the test's own."""
    if backend == "sqlite":
        yield tmp_path / "bot.sqlite3"
        return
    server = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip(NO_POSTGRES)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
    finally:
        await connection.close()
    yield with_setting(server, "search_path", schema)
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await connection.close()


@pytest.fixture
async def store(database_target, clock):
    """The store alone, on a fresh database of each backend, on the test's clock."""
    opened = await Store.open(database_target, clock)
    yield opened
    await opened.close()


@pytest.fixture
def settings(tmp_path, database_target) -> Settings:
    return Settings(
        token=TEST_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        database_url=database_target if isinstance(database_target, str) else None,
        # Jobs are run by hand in tests, and Telegram's flood limits would make
        # them wait in real time (the overall pace spaces every request by
        # 1/29 s): both are off here. tests/test_ratelimit.py and the crash
        # and replica suites run with them on.
        count_refresh_seconds=3600,
        group_max_rate=0,
        overall_max_rate=0,
        dispatch_interval_seconds=0,
        send_retry_base_seconds=0,
        # Hundreds of small charts: drawn in a thread here; tests/test_drawing.py
        # draws in worker processes, as the bot does.
        chart_workers=0,
    )


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def harness(settings, telegram, clock):
    async for started in running(settings, telegram, clock):
        yield started


@pytest.fixture
async def unpaced(settings, telegram, clock):
    """A harness without Telegram's overall pace (29 a second), for suites that
    send hundreds of messages and are about something else; a 429 goes
    straight to the outbox, which waits in the test's time."""
    quick = dataclasses.replace(settings, overall_max_rate=0, rate_limit_retries=0)
    async for started in running(quick, telegram, clock):
        yield started


@pytest.fixture
async def group(harness):
    """Riverside CSO's five, the bot added and /setup run to the end (the civil-
    society checklist, weekly on Monday 09:00 Europe/Madrid, counts only).
    Modules that need a different group define their own."""
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    return group
