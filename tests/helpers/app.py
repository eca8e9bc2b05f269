"""The real Application on the in-process stand-in Telegram, with a clock the
tests move by hand: what the `harness` fixture and the suites that start
their own bot share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.runtime.context import BotApplication
from bot.sandbox.telegram import FakeTelegram, UpdateFactory
from bot.services import dispatch
from bot.services.dispatch import TickReport
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


async def start_app(settings: Settings, telegram: FakeTelegram, clock: Clock) -> BotApplication:
    """What run_polling does before it polls: initialize, post_init, start."""
    app = build_application(settings, request=telegram, clock=clock)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    return app


async def stop_app(app: BotApplication) -> None:
    await app.stop()
    await app.post_stop(app)
    await app.post_shutdown(app)
    await app.shutdown()


@dataclass
class Harness:
    app: BotApplication
    telegram: FakeTelegram
    updates: UpdateFactory
    clock: Clock
    settings: Settings

    @property
    def store(self) -> Store:
        return self.app.bot_data.store

    async def send(self, update: dict) -> None:
        """Deliver one update as Telegram would, and wait for the handlers
        (and the sends they left running in the background)."""
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await self.app.bot_data.settle()

    async def tick(self) -> TickReport:
        """One run of the scheduler's tick at the clock's current time."""
        return await dispatch.tick(self.app.bot, self.app.bot_data)

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database, as after a
        crash or a deploy: nothing survives but the database."""
        await stop_app(self.app)
        self.app = await start_app(self.settings, self.telegram, self.clock)

    async def run_jobs(self, prefix: str = "") -> int:
        """Run the JobQueue's pending one-off jobs now (no real waiting)."""
        ran = 0
        for job in self.app.job_queue.jobs():
            if job.name and job.name.startswith(prefix):
                job.schedule_removal()
                await job.run(self.app)
                ran += 1
        return ran

    async def refresh_counts(self) -> int:
        """Edit the questions' live counts now rather than after the delay."""
        return await self.app.bot_data.counts.now(self.app.bot, self.app.bot_data)


async def running(settings: Settings, telegram: FakeTelegram, clock: Clock):
    """A started bot as a Harness for as long as the generator is open; the
    stand-in must have seen nothing Telegram would refuse."""
    harness = Harness(await start_app(settings, telegram, clock), telegram,
                      UpdateFactory(telegram), clock, settings)
    try:
        yield harness
    finally:
        await stop_app(harness.app)
    telegram.assert_clean()
