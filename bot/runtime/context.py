"""Typed access to the bot's dependencies from every handler and job.

Settings and the services' helpers are set by the composition root
(bot.app) when the application is built; the store, the packs and the
catalog are filled in by post_init and closed by post_shutdown. The helpers
are named here by what they do (protocols), not by their classes, so that
this module, which services import, imports no service.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from telegram import Bot
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain.clock import Clock
from bot.runtime.leader import Leadership
from bot.runtime.member_counts import MemberCounts
from bot.runtime.metrics import Metrics
from bot.runtime.rate_sharing import RateSharing
from bot.runtime.traffic import Traffic
from bot.store import Store

_log = logging.getLogger(__name__)


class LiveCounts(Protocol):
    """Edits a question's live count once for a burst of answers
    (services.counts.CountRefresher)."""

    def soon(self, bot: Bot, data: BotData, prompt_id: int) -> None: ...
    async def now(self, bot: Bot, data: BotData) -> int: ...
    async def stop(self) -> None: ...


class Charts(Protocol):
    """Draws charts off the event loop (services.drawing.ChartWorkers)."""

    workers: int

    @property
    def running(self) -> bool: ...
    def share(self, *objects: Any) -> None: ...
    async def draw(self, function: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes: ...
    async def close(self) -> None: ...


class SharedReads(Protocol):
    """A group's week read once for the sends that need it together
    (services.week_facts.WeekFacts)."""

    reads: int

    async def get(self, chat_id: int, week: date,
                  read: Callable[[], Awaitable[Any]]) -> Any: ...
    def forget(self) -> None: ...


@dataclass
class BotData:
    settings: Settings | None = None
    clock: Clock | None = None
    store: Store | None = None
    packs: PackLibrary | None = None
    catalog: Catalog | None = None
    # (command, description key) pairs per chat type, from the handler registry.
    menus: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Called once per question when its "closing soon" moment comes:
    # async hook(bot, bot_data, prompt). Nudges subscribe here.
    closing_soon_hooks: list[Callable[..., Awaitable[None]]] = field(default_factory=list)
    # Questions whose live count is waiting to be edited (see services.counts).
    counts: LiveCounts | None = None
    # Senders of the outbox's rows, by kind (filled by the composition root).
    senders: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    # One edit of a question's message at a time (see services.questions).
    edit_locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    # Charts, drawn off the event loop (see services.drawing).
    charts: Charts | None = None
    # A group's week, read once for its summary and its digests (see
    # services.week_facts).
    week_facts: SharedReads | None = None
    # Counters and gauges behind /metrics (a registry of this application's own).
    metrics: Metrics = field(default_factory=Metrics)
    # When the scheduler's tick last ran (bot.services.tick), for /healthz.
    last_tick_at: datetime | None = None
    # When a running tick last made progress (a batch claimed, a send done):
    # a long weekly round is healthy while this moves (bot.runtime.health).
    tick_progress_at: datetime | None = None
    # Who runs the scheduled work when replicas share the database (bot.runtime.leader).
    leadership: Leadership | None = None
    # Replicas only: Telegram's rate shared by use (bot.runtime.rate_sharing).
    rate_sharing: RateSharing | None = None
    # Updates in hand, for the scheduled sends to make way (bot.runtime.traffic).
    traffic: Traffic = field(default_factory=Traffic)
    # Groups' member counts, asked of Telegram once a round (bot.runtime.member_counts).
    member_counts: MemberCounts = field(default_factory=MemberCounts)

    # Sends nobody waits for (reactions to comments), tracked so shutdown
    # lets them finish and tests can wait for them.
    background: set[asyncio.Task] = field(default_factory=set)

    def in_background(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run a non-essential send without holding up the update being
        handled (and so every other chat's updates behind it)."""
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            _log.error("background send failed: %s", type(error).__name__,
                       exc_info=(type(error), error, error.__traceback__))

    async def settle(self, within: float | None = None) -> int:
        """Wait for the background sends started so far; with `within`
        (a stopping bot), for that many seconds at most, then drop the rest
        (a reaction or a pop-up waiting for a group's turn at Telegram is
        not worth holding a stop for). Returns how many were dropped."""
        if within is None:
            while self.background:
                await asyncio.gather(*list(self.background), return_exceptions=True)
            return 0
        return await finish_or_drop(self.background, within)

    def now(self) -> datetime:
        """The application's clock: the one source of "now" for handlers,
        services and jobs (tests and the sandbox move it)."""
        return _ready(self.clock, "clock")()


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """CallbackContext with the dependencies as checked properties."""

    @property
    def settings(self) -> Settings:
        return _ready(self.bot_data.settings, "settings")

    def now(self) -> datetime:
        return self.bot_data.now()

    def refresh_count_soon(self, prompt_id: int) -> None:
        """Edit a question's live count shortly, once for a burst of answers."""
        _ready(self.bot_data.counts, "counts").soon(self.bot, self.bot_data, prompt_id)

    @property
    def store(self) -> Store:
        return _ready(self.bot_data.store, "store")

    @property
    def packs(self) -> PackLibrary:
        return _ready(self.bot_data.packs, "packs")

    @property
    def catalog(self) -> Catalog:
        return _ready(self.bot_data.catalog, "catalog")


BotApplication = Application[ExtBot, BotContext, dict, dict, BotData, object]


class ReflectApplication(Application):
    """python-telegram-bot's Application, noting the updates in hand (so the
    scheduled round makes way for them, see bot.runtime.traffic) and without one set
    that only grows.

    Application notes the id of every chat and person it handles an update
    for, for a persistence to save later, and only a persistence ever empties
    the notes. This bot keeps everything in its own store and has none, so
    the notes grew by every person who ever tapped a button, for the life of
    the process."""

    async def process_update(self, update: object) -> None:
        traffic = self.bot_data.traffic  # written out: it runs for every update
        traffic.began()
        try:
            await super().process_update(update)
        finally:
            traffic.ended()

    def _mark_for_persistence_update(self, *, update: object | None = None,
                                     job: Any = None) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


def _ready(value, name: str):
    if value is None:
        raise RuntimeError(f"{name} is not ready: post_init has not run")
    return value


async def finish_or_drop(tasks: set[asyncio.Task], within: float) -> int:
    """Let `tasks` (and any they start meanwhile) run for `within` seconds at
    most, then cancel those still running; how many were cancelled."""
    deadline = asyncio.get_running_loop().time() + within
    while running := [task for task in tasks if not task.done()]:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            break
        await asyncio.wait(running, timeout=left)
    running = [task for task in tasks if not task.done()]
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    return len(running)

