"""Sending what the outbox holds: each row once, retried until it arrives.

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
    # Per row: "sent", "retry" (kept for later), "unknown", "gone", "refused",
    # "skipped", or "given up" after too many tries. Rows of other kinds that
    # were sent are only counted: a weekly round sends tens of thousands, and
    # a record of each would weigh on the bot's memory for nothing.
    outcomes: dict[int, str] = field(default_factory=dict)
    sent_by_kind: Counter = field(default_factory=Counter)
    by_outcome: Counter = field(default_factory=Counter)

    # Kinds whose every outcome is kept by row: the tick tells each question's
    # programme what became of it.
    FOLLOWED = frozenset({"question"})

    def count(self, item: OutboxItem, outcome: str) -> None:
        # A row tried again in the same flush (after a retry's wait) counts
        # once, with its last outcome; a row once sent is never tried again.
        earlier = self.outcomes.pop(item.id, None)
        if earlier is not None:
            self.by_outcome[earlier] -= 1
        self.by_outcome[outcome] += 1
        if outcome == "sent":
            self.sent_by_kind[item.kind] += 1
        if outcome != "sent" or item.kind in self.FOLLOWED:
            self.outcomes[item.id] = outcome

    def total(self, outcome: str) -> int:
        return self.by_outcome[outcome]


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
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
    urgent first; return what happened to each.

    Sending never pauses for a batch to finish: more rows are claimed as
    soon as few are left to send, so a slow request holds up only its own
    chat. Each chat's rows go one at a time, in the order they were claimed
    (one worker serves a chat until its rows are done, across claims), and
    at most `dispatch_concurrency` chats are served at once. With `planning`,
    rows are claimed as they are recorded, until planning is finished.
    A `scheduled` flush (the tick's, which nobody is waiting on) makes way
    for the updates coming in (see bot.runtime.traffic)."""
    report = FlushReport()
    if ids is not None and not ids:
        return report  # nothing to send (a hook that recorded nothing)
    width = max(1, data.settings.dispatch_concurrency)
    low = 2 * width  # claim more when no more rows than this are left to send
    queues: dict[int, deque[OutboxItem]] = {}  # per chat being served: rows to send
    ready: deque[int] = deque()  # chats waiting for a worker, in the order claimed
    workers: set[asyncio.Task] = set()
    running = 0  # workers serving chats
    outstanding = 0  # rows claimed and not done with yet
    wake = planning.news if planning is not None else asyncio.Event()

    async def serve() -> None:
        nonlocal running, outstanding
        try:
            while ready:
                chat_id = ready.popleft()
                queue = queues[chat_id]
                while queue:  # rows claimed meanwhile for this chat join its queue
                    if ready and queue[0].priority > queues[ready[0]][0].priority:
                        # Another chat waits with a more urgent row (a question
                        # before this chat's closing edit): this chat waits its turn.
                        ready.append(chat_id)
                        break
                    item = queue.popleft()
                    try:
                        if scheduled:
                            # This worker's own context: the row's requests
                            # make way too, in the rate limiter.
                            data.traffic.allot()
                            await data.traffic.make_way()
                        await _send(bot, data, item, report)
                    except Exception as error:
                        # The store failed on this row: it stays claimed until
                        # its lease ends; the other rows go on.
                        log.error("outbox %s (%s) to chat %s: %s", item.id, item.kind,
                                  item.chat_id, type(error).__name__,
                                  exc_info=(type(error), error, error.__traceback__))
                    finally:
                        outstanding -= 1
                        if outstanding in (low, 0):  # time to claim more, or the end
                            wake.set()
                else:
                    del queues[chat_id]
        finally:
            running -= 1

    def take(items: list[OutboxItem]) -> None:
        nonlocal running, outstanding
        outstanding += len(items)
        for item in items:
            queue = queues.get(item.chat_id)
            if queue is None:
                queue = queues[item.chat_id] = deque()
                ready.append(item.chat_id)
            queue.append(item)
        while ready and running < width:
            running += 1
            task = asyncio.create_task(serve())
            workers.add(task)
            task.add_done_callback(workers.discard)

    async def feed() -> None:
        drained = False  # the last claim found all there was (fewer than it asked)
        final = False  # the last claim came after planning finished

        def time_to_claim() -> bool:
            if outstanding > low:
                return False
            if not drained or (planning is not None and planning.fresh):
                return True
            # The end: once planning is done, claim until nothing is left.
            finished = planning is None or planning.finished
            return finished and (not final or outstanding == 0)

        while True:
            if time_to_claim():
                finished = planning is None or planning.finished
                if planning is not None:
                    planning.fresh = False
                limit = _BATCH if ids is not None else _CLAIM
                items = await data.store.outbox.claim(
                    data.now(), LEASE, limit=limit, ids=ids,
                    up_to=None if finished else planning.first)
                drained, final = len(items) < limit, finished
                take(items)
                if planning is not None:
                    planning.took(len(items))
                if ids is not None or (not items and finished and outstanding == 0):
                    return
                continue
            wake.clear()
            if not time_to_claim():  # or what it would wait for already happened
                await wake.wait()

    try:
        await feed()
    except asyncio.CancelledError:
        for task in workers:
            task.cancel()
        raise
    finally:
        # Rows already claimed are sent (or released) before the flush ends.
        while workers:
            await asyncio.gather(*workers, return_exceptions=True)
    return report


async def send_now(bot: Bot, data: BotData, ids: list[int | None]) -> FlushReport:
    """Send rows just added by a handler without waiting for the next tick;
    a row another sender holds is left to it."""
    return await flush(bot, data, ids=[i for i in ids if i is not None])


async def _send(bot: Bot, data: BotData, item: OutboxItem, report: FlushReport) -> None:
    store = data.store.outbox
    sender = data.senders.get(item.kind)
    try:
        if sender is None:
            raise LookupError(f"no sender for {item.kind!r}")
        result = await sender(bot, data, item)
    except Exception as error:
        # A bug on our side, not Telegram's: keep the row and try later.
        log.error("outbox %s (%s) failed in the bot: %s", item.id, item.kind,
                  type(error).__name__, exc_info=(type(error), error, error.__traceback__))
        result = Attempt(Outcome.RETRY, item.chat_id, reason=f"bot error: {type(error).__name__}")
    match result.outcome:
        case Outcome.SENT:
            data.metrics.outbox_sent(item.kind)
            if item.kind == "question" and result.message_id is not None:
                await store.question_sent(item.id, item.prompt_id, result.message_id)
            else:
                await store.sent(item.id, result.message_id)
        case Outcome.RETRY if item.attempts < MAX_ATTEMPTS:
            wait = max(backoff(item.attempts), timedelta(seconds=result.retry_after or 0))
            await store.retry_later(item.id, result.reason, data.now() + wait)
        case Outcome.RETRY:
            log.warning("outbox %s (%s) to chat %s given up after %d tries: %s", item.id,
                        item.kind, item.chat_id, item.attempts, result.reason)
            await store.finish(item.id, "failed", result.reason)
            report.count(item, "given up")
            return
        case Outcome.UNKNOWN:
            # It may have arrived: recorded as sent with no message id, never resent.
            log.warning("outbox %s (%s) to chat %s: outcome unknown (%s); not resent",
                        item.id, item.kind, item.chat_id, result.reason)
            await store.finish(item.id, "unknown", result.reason)
        case Outcome.SKIPPED:
            await store.finish(item.id, "skipped", result.reason)
        case _:
            await store.finish(item.id, "failed", result.reason)
    report.count(item, result.outcome.value)


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
