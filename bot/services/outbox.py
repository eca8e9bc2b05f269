"""Sending what the outbox holds: each row once, retried until it arrives (or
too many tries have failed).

Rows are claimed (so two senders never send one row), sent through the
delivery rules in services.delivery, then marked. One chat's failure never
stops the others: chats are served side by side, each chat's rows in order,
and whatever goes wrong with one row is recorded on that row.

Each kind of row has a sender (a question, a closing edit, a summary...),
registered in bot_data.senders by the composition root, that renders the
message from the database at the moment of sending and returns an Attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot

from bot.domain.records import OutboxItem
from bot.runtime.context import BotData
from bot.services.delivery import Attempt, Outcome

log = logging.getLogger(__name__)

# Long enough for any one send to finish behind the rate limiter; a claim
# older than this belongs to a sender that died.
LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 8
_FIRST_RETRY = timedelta(seconds=30)
_LONGEST_WAIT = timedelta(hours=1)
_BATCH = 200  # rows claimed at once by send_now (ids=)
# Rows claimed at once by a flush that keeps going: small, since a claim
# holds the event loop while the paced sends wait for it.
_CLAIM = 50

Sender = Callable[[Bot, BotData, OutboxItem], Awaitable[Attempt]]


@dataclass
class FlushReport:
    # Per row, what became of it. Rows of other kinds that were sent are
    # only counted: a weekly round sends tens of thousands, and a record of
    # each would weigh on the bot's memory for nothing.
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    sent_by_kind: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[Outcome] = field(default_factory=Counter)

    # Kinds whose every outcome is kept by row: the tick tells each question's
    # programme what became of it.
    FOLLOWED = frozenset({"question"})

    def count(self, item: OutboxItem, outcome: Outcome) -> None:
        # A row tried again in the same flush (after a retry's wait) counts
        # once, with its last outcome; a row once sent is never tried again.
        earlier = self.outcomes.pop(item.id, None)
        if earlier is not None:
            self.by_outcome[earlier] -= 1
        self.by_outcome[outcome] += 1
        if outcome is Outcome.SENT:
            self.sent_by_kind[item.kind] += 1
        if outcome is not Outcome.SENT or item.kind in self.FOLLOWED:
            self.outcomes[item.id] = outcome

    def total(self, outcome: Outcome) -> int:
        return self.by_outcome[outcome]


def backoff(attempts: int) -> timedelta:
    """_FIRST_RETRY after the first failure, doubling, at most _LONGEST_WAIT."""
    return min(_FIRST_RETRY * 2 ** max(attempts - 1, 0), _LONGEST_WAIT)


class Planning:
    """Rows still being recorded while a flush sends (the tick records its
    questions and sends them side by side).

    Until `finish`, the flush claims only rows at least as urgent as `first`
    (a kind): a question recorded later must not find the sender busy with
    closing edits. Whoever records rows calls `added`, then `finish` once
    everything is recorded; the flush ends when nothing due is left after
    that."""

    def __init__(self, first: str = "question", *, ahead: int | None = None):
        self.first = first
        self.finished = False
        self.fresh = False  # rows were added since the last claim
        self.news = asyncio.Event()
        # With `ahead`, whoever records rows keeps at most that many more
        # than the flush has claimed: recording spread over the sending
        # holds the loop less at a time than all of it at the start.
        self.ahead = ahead
        self.recorded = 0
        self.claimed = 0
        self._room = asyncio.Event()

    def added(self) -> None:
        self.recorded += 1
        self.fresh = True
        self.news.set()

    def took(self, count: int) -> None:
        self.claimed += count
        self._room.set()

    async def keep_pace(self) -> None:
        """Wait while `ahead` rows recorded are still to be claimed (at most
        a second at a time: rows another sender claimed are never ours)."""
        while self.ahead is not None and self.recorded - self.claimed > self.ahead:
            self._room.clear()
            try:
                await asyncio.wait_for(self._room.wait(), 1.0)
            except TimeoutError:
                return

    def finish(self) -> None:
        self.finished = True
        self.news.set()


async def flush(bot: Bot, data: BotData, *, ids: list[int] | None = None,
                planning: Planning | None = None, scheduled: bool = False) -> FlushReport:
    """Send every pending row whose time has come (or only `ids`), most
    urgent first; return what happened to each (see Flush)."""
    return await Flush(bot, data, ids=ids, planning=planning, scheduled=scheduled).run()


async def send_now(bot: Bot, data: BotData, ids: list[int | None]) -> FlushReport:
    """Send rows just added by a handler without waiting for the next tick;
    a row another sender holds is left to it."""
    return await flush(bot, data, ids=[i for i in ids if i is not None])


class Flush:
    """One pass over the outbox: claim rows, serve their chats side by side,
    and record what became of each row.

    Sending never pauses for a batch to finish: more rows are claimed as
    soon as few are left to send, so a slow request holds up only its own
    chat. Workers (at most `dispatch_concurrency`) take chats in the order
    they were claimed; a chat is served by one worker at a time, its rows in
    the order claimed (rows claimed meanwhile join its queue), and is handed
    back to wait its turn when another chat waits with a more urgent row.
    With `planning`, rows are claimed as they are recorded, until planning
    is finished. A `scheduled` flush (the tick's, which nobody is waiting
    on) makes way for the updates coming in (see bot.runtime.traffic)."""

    def __init__(self, bot: Bot, data: BotData, *, ids: list[int] | None = None,
                 planning: Planning | None = None, scheduled: bool = False):
        self.bot = bot
        self.data = data
        self.ids = ids
        self.planning = planning
        self.scheduled = scheduled
        self.report = FlushReport()
        self.width = max(1, data.settings.dispatch_concurrency)
        self.low = 2 * self.width  # claim more when no more rows than this are left to send
        self._queues: dict[int, deque[OutboxItem]] = {}  # per chat being served: rows to send
        self._ready: deque[int] = deque()  # chats waiting for a worker, in the order claimed
        self._workers: set[asyncio.Task] = set()
        # Workers still serving. Not len(_workers): a worker leaves that set a
        # moment after it stopped taking chats, and a chat claimed in between
        # needs a worker of its own.
        self._serving = 0
        self._outstanding = 0  # rows claimed and not done with yet
        self._wake = planning.news if planning is not None else asyncio.Event()
        self._drained = False  # the last claim found all there was (fewer than it asked)
        self._final = False  # the last claim came after planning finished

    async def run(self) -> FlushReport:
        if self.ids is not None and not self.ids:
            return self.report  # nothing to send (a hook that recorded nothing)
        try:
            await self._keep_claiming()
        except asyncio.CancelledError:
            for task in self._workers:
                task.cancel()
            raise
        finally:
            # Rows already claimed are sent (or released) before the flush ends.
            while self._workers:
                await asyncio.gather(*self._workers, return_exceptions=True)
        return self.report

    # -- claiming --------------------------------------------------------------------------
    async def _keep_claiming(self) -> None:
        while True:
            if self._time_to_claim():
                if await self._claim():
                    return
                continue
            self._wake.clear()
            if not self._time_to_claim():  # or what it would wait for already happened
                await self._wake.wait()

    def _planning_finished(self) -> bool:
        return self.planning is None or self.planning.finished

    def _time_to_claim(self) -> bool:
        if self._outstanding > self.low:
            return False
        if not self._drained or (self.planning is not None and self.planning.fresh):
            return True
        # The end: once planning is done, claim until nothing is left.
        return self._planning_finished() and (not self._final or self._outstanding == 0)

    async def _claim(self) -> bool:
        """Claim the next rows and hand them to workers; True once there is
        nothing more to claim."""
        finished = self._planning_finished()
        if self.planning is not None:
            self.planning.fresh = False
        limit = _BATCH if self.ids is not None else _CLAIM
        items = await self.data.store.outbox.claim(
            self.data.now(), LEASE, limit=limit, ids=self.ids,
            up_to=None if finished else self.planning.first)
        self._drained, self._final = len(items) < limit, finished
        self._take(items)
        if self.planning is not None:
            self.planning.took(len(items))
        return self.ids is not None or (not items and finished and self._outstanding == 0)

    def _take(self, items: list[OutboxItem]) -> None:
        self._outstanding += len(items)
        for item in items:
            queue = self._queues.get(item.chat_id)
            if queue is None:
                queue = self._queues[item.chat_id] = deque()
                self._ready.append(item.chat_id)
            queue.append(item)
        while self._ready and self._serving < self.width:
            self._serving += 1
            task = asyncio.create_task(self._serve())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    # -- serving ---------------------------------------------------------------------------
    async def _serve(self) -> None:
        """A worker: serve the chats waiting their turn until none is left."""
        try:
            while self._ready:
                await self._serve_chat(self._ready.popleft())
        finally:
            self._serving -= 1

    async def _serve_chat(self, chat_id: int) -> None:
        """Send the chat's rows in order, or until another chat waits with a
        more urgent row (a question before this chat's closing edit): then
        this chat waits its turn again."""
        queue = self._queues[chat_id]
        while queue:
            if self._ready and queue[0].priority > self._queues[self._ready[0]][0].priority:
                self._ready.append(chat_id)
                return
            await self._send_row(queue.popleft())
        del self._queues[chat_id]

    async def _send_row(self, item: OutboxItem) -> None:
        try:
            if self.scheduled:
                await self._make_way()
            self.report.count(item, await self._record(item, await self._attempt(item)))
        except Exception as error:
            # The store failed on this row: it stays claimed until its lease
            # ends; the other rows go on.
            log.error("outbox %s (%s) to chat %s: %s", item.id, item.kind, item.chat_id,
                      type(error).__name__, exc_info=(type(error), error, error.__traceback__))
        finally:
            self._outstanding -= 1
            if self._outstanding in (self.low, 0):  # time to claim more, or the end
                self._wake.set()

    async def _make_way(self) -> None:
        # Allotted in this worker's own context, so the row's requests make
        # way too, in the rate limiter, within the same allotment.
        self.data.traffic.allot()
        await self.data.traffic.make_way()

    # -- one row ---------------------------------------------------------------------------
    async def _attempt(self, item: OutboxItem) -> Attempt:
        sender = self.data.senders.get(item.kind)
        try:
            if sender is None:
                raise LookupError(f"no sender for {item.kind!r}")
            return await sender(self.bot, self.data, item)
        except Exception as error:
            # A bug on our side, not Telegram's: keep the row and try later.
            log.error("outbox %s (%s) failed in the bot: %s", item.id, item.kind,
                      type(error).__name__, exc_info=(type(error), error, error.__traceback__))
            return Attempt(Outcome.RETRY, item.chat_id,
                           reason=f"bot error: {type(error).__name__}")

    async def _record(self, item: OutboxItem, result: Attempt) -> Outcome:
        """Mark the row by what its attempt came to; return the row's outcome."""
        store = self.data.store.outbox
        match result.outcome:
            case Outcome.SENT:
                self.data.metrics.outbox_sent(item.kind)
                if item.kind == "question" and result.message_id is not None:
                    await store.question_sent(item.id, item.prompt_id, result.message_id)
                else:
                    await store.sent(item.id, result.message_id)
            case Outcome.RETRY if item.attempts < MAX_ATTEMPTS:
                wait = max(backoff(item.attempts), timedelta(seconds=result.retry_after or 0))
                await store.retry_later(item.id, result.reason, self.data.now() + wait)
            case Outcome.RETRY:
                log.warning("outbox %s (%s) to chat %s: %s after %d tries: %s", item.id,
                            item.kind, item.chat_id, Outcome.GIVEN_UP, item.attempts,
                            result.reason)
                await store.finish(item.id, "failed", result.reason)
                return Outcome.GIVEN_UP
            case Outcome.UNKNOWN:
                # It may have arrived: recorded with no message id, never resent.
                log.warning("outbox %s (%s) to chat %s: %s (%s); not resent", item.id,
                            item.kind, item.chat_id, Outcome.UNKNOWN, result.reason)
                await store.finish(item.id, "unknown", result.reason)
            case Outcome.SKIPPED:
                await store.finish(item.id, "skipped", result.reason)
            case _:
                await store.finish(item.id, "failed", result.reason)
        return result.outcome


def skipped(chat_id: int, why: str) -> Attempt:
    """What a sender returns when there is nothing left to send (a question
    closed before it went out, a chat that left): not an error."""
    return Attempt(Outcome.SKIPPED, chat_id, reason=why)


async def send_parts(
    data: BotData, item: OutboxItem, sends: list[Callable[[], Awaitable[Attempt]]]
) -> Attempt:
    """Send a message in several parts, resuming after the parts already
    delivered; a part whose outcome is unknown is not sent again."""
    last: Attempt | None = None
    for number in range(item.progress, len(sends)):
        last = await sends[number]()
        if last.outcome not in (Outcome.SENT, Outcome.UNKNOWN):
            return last
        await data.store.outbox.progressed(item.id, number + 1)
    return last or skipped(item.chat_id, "nothing to send")
