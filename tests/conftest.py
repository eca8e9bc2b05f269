"""Shared fixtures: the real Application on a temporary database, wired to the
in-process fake Telegram, with a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fake_telegram import FakeTelegram, UpdateFactory
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.store import Store

TEST_TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtest01"


class Clock:
    """Stands in for "now" everywhere the bot asks the store for the time."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Harness:
    app: BotApplication
    telegram: FakeTelegram
    updates: UpdateFactory
    clock: Clock

    @property
    def store(self) -> Store:
        return self.app.bot_data.store

    async def send(self, update: dict) -> None:
        """Deliver one update as Telegram would, and wait for the handlers."""
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def run_jobs(self, prefix: str = "") -> int:
        """Run the JobQueue's pending one-off jobs now (no real waiting)."""
        ran = 0
        for job in self.app.job_queue.jobs():
            if job.name and job.name.startswith(prefix):
                job.schedule_removal()
                await job.run(self.app)
                ran += 1
        return ran


@pytest.fixture
def clock() -> Clock:
    # A Monday morning, so weekly schedules are easy to reason about.
    return Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        token=TEST_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        # Jobs are run by hand in tests; the group flood limit would make the
        # tests wait real minutes, so only the overall limit stays on.
        count_refresh_seconds=3600,
        group_max_rate=0,
    )


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def harness(settings, telegram, clock):
    app = build_application(settings, request=telegram, clock=clock)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    try:
        yield Harness(app, telegram, UpdateFactory(telegram), clock)
    finally:
        await app.stop()
        await app.post_shutdown(app)
        await app.shutdown()
    telegram.assert_clean()

