"""Typed access to the bot's dependencies from every handler and job.

Settings are set when the application is built; the store, the packs and the
catalog are filled in by post_init and closed by post_shutdown.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.services.counts import CountRefresher

from bot.config import Settings
from bot.domain.clock import Clock
from bot.locales import Catalog
from bot.packs import PackLibrary
from bot.store import Store


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
    counts: CountRefresher | None = None
    # Senders of the outbox's rows, by kind (filled by the composition root).
    senders: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    # One edit of a question's message at a time (see services.questions).
    edit_locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    # matplotlib is not made for several threads drawing at once: one chart at a time.
    drawing: asyncio.Lock = field(default_factory=asyncio.Lock)

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
        _ready(self.bot_data.counts, "counts").soon(self.job_queue, prompt_id)

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


def _ready(value, name: str):
    if value is None:
        raise RuntimeError(f"{name} is not ready: post_init has not run")
    return value
