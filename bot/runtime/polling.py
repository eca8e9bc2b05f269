"""Long polling that confirms an update to Telegram only once it was handled.

python-telegram-bot's own polling moves getUpdates' offset past each batch
as soon as it is queued, so updates fetched and not yet handled vanish when
the process dies. Here the offset never passes an update still being
handled: after a crash Telegram sends those again, and the handlers, being
idempotent (an answer saved twice is saved once, /ask names its slot by its
message), change nothing twice.

Updates are handled side by side, each chat's in the order they came
(bot.runtime.ordering), so a slow chat never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.runtime.context import BotApplication
from bot.runtime.lifecycle import running
from bot.runtime.ordering import InChatOrder, process

log = logging.getLogger(__name__)
LONG_POLL_SECONDS = 30
_FIRST_RETRY = 1.0
_LONGEST_RETRY = 60.0


class ConfirmingPoller:
    def __init__(self, application: BotApplication, *, most_at_once: int = 256,
                 poll_seconds: int = LONG_POLL_SECONDS):
        self.application = application
        self.poll_seconds = poll_seconds
        self._slots = asyncio.Semaphore(most_at_once)
        self._running: dict[int, asyncio.Task] = {}  # update id -> its handling
        self._finished: set[int] = set()  # handled, not yet confirmed to Telegram
        self._order = InChatOrder()
        self._next_offset: int | None = None

    @property
    def offset(self) -> int | None:
        """What getUpdates is asked for next: everything below is confirmed."""
        if self._running:
            return min(self._running)
        return self._next_offset

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let what is being handled finish."""
        delay = _FIRST_RETRY
        while not stop.is_set():
            try:
                updates = await self._fetch(stop)
            except (InvalidToken, asyncio.CancelledError):
                raise
            except Conflict as error:
                log.error("another instance is polling with this token (%s); waiting", error)
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, _LONGEST_RETRY)
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("cannot reach Telegram while polling (%s); retrying in %.0f s",
                            type(error).__name__, delay)
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, _LONGEST_RETRY)
                continue
            delay = _FIRST_RETRY
            fresh = self._take_new(updates)
            if not fresh and self._running:
                # Telegram sent again what is still being handled: wait for
                # some of it to finish rather than asking again at once.
                await asyncio.wait(list(self._running.values()), timeout=1,
                                   return_when=asyncio.FIRST_COMPLETED)
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        await self._confirm()

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        # Only a short poll while work is in flight, so the offset keeps up.
        timeout = 1 if self._running else self.poll_seconds
        fetch = asyncio.ensure_future(self.application.bot.get_updates(
            offset=self.offset, timeout=timeout, allowed_updates=Update.ALL_TYPES))
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return ()
        stopping.cancel()
        return fetch.result()

    def _take_new(self, updates: Iterable[Update]) -> list[Update]:
        fresh = []
        for update in updates:
            number = update.update_id
            # Sent again because not yet confirmed: running, finished, or
            # (Telegram sends them in order) below the first one not taken yet,
            # which covers a finished one a fetch still under way brings back.
            if number in self._running or number in self._finished or (
                    self._next_offset is not None and number < self._next_offset):
                continue
            fresh.append(update)
            self._next_offset = max(self._next_offset or 0, number + 1)
            self._running[number] = asyncio.ensure_future(self._handle(update))
        return fresh

    async def _handle(self, update: Update) -> None:
        try:
            await self._order.handle(update, self._process)
        finally:
            self._running.pop(update.update_id, None)
            self._finished.add(update.update_id)
            floor = self.offset
            if floor is not None:
                self._finished = {n for n in self._finished if n >= floor}

    async def _process(self, update: Update) -> None:
        # A slot only once the chat's turn has come: a chat waiting on its
        # earlier update holds none.
        async with self._slots:
            await process(self.application, update, via="polling")

    async def _confirm(self) -> None:
        """Tell Telegram everything handled is done (a last, non-waiting poll)."""
        if self._next_offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self.application.bot.get_updates(offset=self._next_offset, timeout=0,
                                                   limit=1)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(application: BotApplication) -> None:
    """What run_polling does, with the confirming poller: start everything,
    poll until SIGINT or SIGTERM, then stop everything in order."""
    async with running(application, before_start=lambda: application.bot.delete_webhook(
            drop_pending_updates=False)) as stop:
        await ConfirmingPoller(application).run(stop)
