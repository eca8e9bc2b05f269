"""Long polling that confirms an update to Telegram only once it was handled
or safely kept.

python-telegram-bot's own polling moves getUpdates' offset past each batch
as soon as it is queued, so updates fetched and not yet handled vanish when
the process dies. Here the offset passes an update only once it is handled,
or once it is kept in the database (bot/store/parked.py): after a crash
Telegram sends again what was neither, a start takes up what was kept, and
the handlers, being idempotent (an answer saved twice is saved once, /ask
names its slot by its message), change nothing twice.

Updates are handled side by side, each chat's in the order they came
(bot.runtime.ordering). Telegram returns at most a page of updates from the
offset, so an update still being handled would, once a page of handled ones
piled up behind it, freeze every poll: a slow chat's update is kept in the
database instead and the offset moves past it. A chat with more than
`chat_backlog` updates in hand has its next ones kept in the database only,
and taken up, in order, as it catches up (one log line, with its id); at
most `most_in_hand` updates are in memory at once.

When the database cannot be reached, the update is not confirmed: it is
tried again with growing waits, its chat's later updates waiting behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.runtime.context import BotApplication
from bot.runtime.lifecycle import running
from bot.runtime.ordering import InChatOrder, chat_key, process
from bot.store.outage import is_unavailable
from bot.store.parked import ParkedUpdate, ParkedUpdates

log = logging.getLogger(__name__)
LONG_POLL_SECONDS = 30
_FIRST_RETRY = 1.0
_LONGEST_RETRY = 60.0
_LONGEST_STORE_RETRY = 30.0
# Telegram returns at most 100 updates a poll: the offset is kept within
# this many of the newest update taken, so each page has room for new ones.
_ROOM = 50
# How long updates still in hand may hold the offset when Telegram has
# nothing new, before they are kept in the database and passed.
_GRACE_SECONDS = 0.25
# How long a stop lets kept updates finish before leaving them to the next start.
_STOP_GRACE_SECONDS = 3.0


class _GaveUp(Exception):
    """Stopping while the database is away: the update stays unconfirmed."""


class ConfirmingPoller:
    def __init__(self, application: BotApplication, *, most_at_once: int = 256,
                 poll_seconds: int = LONG_POLL_SECONDS, most_in_hand: int = 1000,
                 chat_backlog: int = 100):
        self.application = application
        self.poll_seconds = poll_seconds
        self.most_in_hand = most_in_hand
        self.chat_backlog = chat_backlog
        self._slots = asyncio.Semaphore(most_at_once)
        self._running: dict[int, asyncio.Task] = {}  # update id -> its handling
        self._updates: dict[int, Update] = {}  # the running updates themselves
        self._in_chat: Counter[int] = Counter()  # chat -> its updates running
        self._last_started: dict[int, int] = {}  # chat -> its latest update started
        self._parked: set[int] = set()  # running, and kept in the database
        self._to_park: dict[int, Update] = {}  # to be kept before the offset passes them
        self._deferred: set[int] = set()  # of those, the ones not running (a chat's overflow)
        self._overflowing: set[int] = set()  # chats with later updates kept, not running
        self._unhandled: set[int] = set()  # given up at a stop: never confirmed
        self._to_forget: set[int] = set()  # kept, since handled: rows to delete
        self._taken_up = False  # what a previous run kept is known
        self._store_away = False  # the last try to keep or take up failed
        self._order = InChatOrder()
        self._next_offset: int | None = None
        self._stopping = asyncio.Event()

    @property
    def offset(self) -> int | None:
        """What getUpdates is asked for next: everything below is confirmed
        (handled, or kept in the database)."""
        holding = self._holding()
        if holding:
            return min(holding)
        return self._next_offset

    def _holding(self) -> list[int]:
        return [*(n for n in self._running if n not in self._parked),
                *self._deferred, *self._unhandled]

    @property
    def parked(self) -> ParkedUpdates:
        return ParkedUpdates(self.application.bot_data.store.db)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let what is being handled finish."""
        delay, store_delay = _FIRST_RETRY, _FIRST_RETRY
        while not stop.is_set():
            if not await self._maintain():
                # The database is away: what is to be kept holds the offset.
                await self._wait_for_some(stop, timeout=store_delay)
                store_delay = min(store_delay * 2, _LONGEST_STORE_RETRY)
                if not self._taken_up:
                    continue  # what an earlier run kept must be known first
            else:
                store_delay = _FIRST_RETRY
            if len(self._running) >= self.most_in_hand:
                await self._wait_for_some(stop, timeout=1)
                continue
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
            if not fresh and self._holding():
                # Telegram sent again only what is still in hand: give it a
                # moment to finish, then keep what is still running and pass it.
                held = [task for n, task in self._running.items() if n not in self._parked]
                if held:
                    await asyncio.wait(held, timeout=_GRACE_SECONDS)
                else:
                    await self._wait_for_some(stop, timeout=_GRACE_SECONDS)
                self._pass(n for n in self._running if n not in self._parked)
        self._stopping.set()
        if self._running:
            await asyncio.wait(list(self._running.values()), timeout=_STOP_GRACE_SECONDS)
            # Those kept in the database need not hold up the stop: the next
            # start handles them (a send cut short goes again, as after a crash).
            for number, task in list(self._running.items()):
                if number in self._parked:
                    task.cancel()
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        await self._maintain()
        await self._confirm()

    async def _wait_for_some(self, stop: asyncio.Event, *, timeout: float) -> None:
        waiting = [*self._running.values(), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting[-1].cancel()

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        # Only a short poll while work is in flight, so the offset keeps up.
        busy = self._running or self._overflowing or self._to_forget
        timeout = 1 if busy else self.poll_seconds
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
            # Telegram sends updates in order: one below the first not taken
            # yet was taken (and is running, kept or handled).
            if self._next_offset is not None and number < self._next_offset:
                continue
            fresh.append(update)
            self._next_offset = number + 1
            key = chat_key(update)
            if key in self._overflowing or self._in_chat[key] >= self.chat_backlog:
                self._defer(key, update)
            else:
                self._start(key, update, parked=False)
        if self._next_offset is not None:
            # Keep the offset within a page's room of the newest update.
            self._pass(n for n in self._running
                       if n < self._next_offset - _ROOM and n not in self._parked)
        return fresh

    def _start(self, key: int, update: Update, *, parked: bool) -> None:
        number = update.update_id
        self._in_chat[key] += 1
        self._last_started[key] = max(number, self._last_started.get(key, number))
        self._updates[number] = update
        if parked:
            self._parked.add(number)
        self._running[number] = asyncio.ensure_future(self._handle(key, update))

    def _defer(self, key: int, update: Update) -> None:
        if key not in self._overflowing:
            self._overflowing.add(key)
            log.warning("chat %s has %d updates in hand; its next ones, from update %s, are "
                        "kept in the database until it catches up", key, self._in_chat[key],
                        update.update_id)
        self._to_park[update.update_id] = update
        self._deferred.add(update.update_id)

    def _pass(self, numbers: Iterable[int]) -> None:
        """Keep these running updates in the database before the offset passes them."""
        for number in numbers:
            if number not in self._to_park and number in self._updates:
                self._to_park[number] = self._updates[number]

    async def _handle(self, key: int, update: Update) -> None:
        number = update.update_id
        handled = False
        try:
            await self._order.handle(update, self._process)
            handled = True
        except _GaveUp:
            pass
        finally:
            self._running.pop(number, None)
            self._updates.pop(number, None)
            self._in_chat[key] -= 1
            if self._in_chat[key] <= 0:
                del self._in_chat[key]
                if key not in self._overflowing:
                    self._last_started.pop(key, None)
            if number in self._parked:
                self._parked.discard(number)
                if handled:
                    self._to_forget.add(number)  # unhandled: its row waits for the next start
            else:
                self._to_park.pop(number, None)
                if not handled:
                    self._unhandled.add(number)

    async def _process(self, update: Update) -> None:
        delay, first = _FIRST_RETRY, True
        while True:
            # A slot only once the chat's turn has come: a chat waiting on its
            # earlier update holds none, nor one waiting for the database.
            async with self._slots:
                if await process(self.application, update, via="polling", first_attempt=first):
                    return
            if first:
                log.warning("update %s waits for the database; trying again", update.update_id)
            first = False
            await _sleep_or_stop(self._stopping, delay)
            if self._stopping.is_set():
                raise _GaveUp
            delay = min(delay * 2, _LONGEST_STORE_RETRY)

    async def _maintain(self) -> bool:
        """Keep what is to be passed, forget what was handled, take up the
        chats that caught up; False when the database is away (all waits)."""
        try:
            if not self._taken_up:
                self._overflowing.update(await self.parked.chats())
                self._taken_up = True
            await self._keep()
            if self._to_forget:
                done = sorted(self._to_forget)
                await self.parked.handled(done)
                self._to_forget.difference_update(done)
            if not self._stopping.is_set():
                await self._take_up()
        except Exception as error:
            if not is_unavailable(error):
                # Not the database away: a bug; polling goes on, the offset waits.
                log.error("could not keep or take up updates (%s)", type(error).__name__,
                          exc_info=error)
                return False
            if not self._store_away:
                log.warning("cannot reach the database to keep or take up updates (%s); "
                            "the offset waits for it", type(error).__name__)
            self._store_away = True
            return False
        if self._store_away:
            log.info("the database answers again; keeping and taking up updates")
        self._store_away = False
        return True

    async def _keep(self) -> None:
        if not self._to_park:
            return
        batch = dict(self._to_park)
        await self.parked.park([ParkedUpdate(n, chat_key(u), u.to_dict())
                                for n, u in sorted(batch.items())],
                               self.application.bot_data.now())
        for number in batch:
            self._to_park.pop(number, None)
            if number in self._deferred:
                self._deferred.discard(number)
            elif number in self._running:
                self._parked.add(number)
            elif number in self._unhandled:
                self._unhandled.discard(number)  # given up meanwhile: kept for the next start
            else:
                self._to_forget.add(number)  # handled meanwhile

    async def _take_up(self) -> None:
        """Start, in order, the kept updates of chats with none running."""
        for key in sorted(self._overflowing):
            if self._in_chat.get(key) or len(self._running) >= self.most_in_hand:
                continue
            rows = await self.parked.next_for_chat(key, self._last_started.get(key, -1),
                                                   self.chat_backlog)
            if not rows:
                self._overflowing.discard(key)
                self._last_started.pop(key, None)
                log.info("chat %s caught up with its kept updates", key)
                continue
            for row in rows:
                self._start(key, Update.de_json(row.body, self.application.bot), parked=True)

    async def _confirm(self) -> None:
        """Tell Telegram everything handled or kept is done (a last,
        non-waiting poll)."""
        offset = self.offset
        if offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self.application.bot.get_updates(offset=offset, timeout=0, limit=1)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(application: BotApplication) -> None:
    """What run_polling does, with the confirming poller: start everything,
    poll until SIGINT or SIGTERM, then stop everything in order."""
    async with running(application, before_start=lambda: application.bot.delete_webhook(
            drop_pending_updates=False)) as stop:
        await ConfirmingPoller(application).run(stop)
