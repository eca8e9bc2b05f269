"""Sending what the outbox holds: each row once, retried until it arrives (or
too many tries have failed).

Rows are claimed (so two senders never send one row), sent through the
delivery rules in services.delivery, then marked. One chat's failure never
stops the others: chats are served side by side, each chat's rows in order,
and whatever goes wrong with one row is recorded on that row.

Each kind of row has a sender (a question, a closing edit, a summary...),
registered in bot_data.senders by the composition root, that renders the
message from the database at the moment of sending and returns an Attempt.

What Telegram took is written down before anything else is sent: at most
`sends_in_flight` rows (one) are on their way at once (bot.runtime.inflight),
and a write the database refuses (a failover, a busy file) is tried again
from memory until it is taken, never by sending again. A scheduled round ends
between two sends when this process stops leading or stops altogether; the
rows it claimed and did not send are given back for the next round.
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
from bot.runtime import inflight
from bot.runtime.context import BotData
from bot.services.delivery import Attempt, Outcome
from bot.services.planning import Planning
from bot.services.send_records import STOP_GRACE, record_surely
from bot.store.outage import is_unavailable

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
        # The scheduled round's leadership: it sends only while this process leads.
        self.leadership = data.leadership if scheduled else None
        self._sending: dict[asyncio.Task, inflight.Ticket] = {}  # worker -> its row's ticket
        self._unsent: list[int] = []  # rows claimed, then not sent: given back at the end

    async def run(self) -> FlushReport:
        if self.ids is not None and not self.ids:
            return self.report  # nothing to send (a hook that recorded nothing)
        watch = (asyncio.create_task(self._watch_leadership())
                 if self.leadership is not None else None)
        try:
            await self._keep_claiming()
        except asyncio.CancelledError:
            for task in self._workers:
                task.cancel()
            raise
        finally:
            # Rows already claimed are sent (or given back) before the flush ends.
            while self._workers:
                await asyncio.gather(*self._workers, return_exceptions=True)
            if watch is not None:
                watch.cancel()
            await self._give_back()
        return self.report

    def _may_send(self) -> bool:
        return self.leadership is None or self.leadership.leading

    async def _watch_leadership(self) -> None:
        """End the round between two sends once this process no longer
        leads (it is stopping, or its lease is gone)."""
        await self.leadership.stepped_down.wait()
        self._wake.set()
        # A row waiting its turn (its group's limit, a 429's wait, the
        # database) goes back at once; a send on its way is let finish and
        # be written down: however long the database takes if this process
        # only lost the lead (the outcome is in memory, nowhere else), for
        # a while if it is stopping.
        for task, ticket in list(self._sending.items()):
            if not ticket.holding:
                task.cancel()
        if not self.leadership.stopping:
            return
        await asyncio.sleep(STOP_GRACE)
        for task in list(self._workers):
            task.cancel()

    async def _give_back(self) -> None:
        """Rows claimed and not sent are due again at once, for the next round
        (here or on the replica that leads now)."""
        for queue in self._queues.values():
            self._unsent.extend(item.id for item in queue)
            self._outstanding -= len(queue)
        self._queues.clear()
        if not self._unsent:
            return
        unsent, self._unsent = sorted(set(self._unsent)), []
        try:
            await self.data.store.outbox.release(unsent)
        except Exception as error:
            # Given back at the next tick; until then they wait for no one else.
            log.warning("%d outbox rows not sent could not be given back yet (%s)",
                        len(unsent), type(error).__name__)
            if self.data.leadership is not None:
                self.data.leadership.unreleased.update(unsent)
        else:
            log.info("round ended early: %d outbox rows given back for the next one",
                     len(unsent))

    # -- claiming --------------------------------------------------------------------------
    async def _keep_claiming(self) -> None:
        while True:
            if not self._may_send():
                return
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
        self._progressed()
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
            while self._ready and self._may_send():
                await self._serve_chat(self._ready.popleft())
        finally:
            self._serving -= 1

    async def _serve_chat(self, chat_id: int) -> None:
        """Send the chat's rows in order, or until another chat waits with a
        more urgent row (a question before this chat's closing edit): then
        this chat waits its turn again."""
        queue = self._queues[chat_id]
        while queue and self._may_send():
            if self._ready and queue[0].priority > self._queues[self._ready[0]][0].priority:
                self._ready.append(chat_id)
                return
            await self._send_row(queue.popleft())
        if not queue:
            del self._queues[chat_id]

    async def _send_row(self, item: OutboxItem) -> None:
        ticket = inflight.Ticket(self._may_send if self.leadership is not None else None)
        task = asyncio.current_task()
        self._sending[task] = ticket
        try:
            with inflight.carrying(ticket):
                if self.scheduled:
                    await self._make_way()
                self.report.count(item, await self._record(item, await self._attempt(item)))
        except inflight.Stopped:
            self._unsent.append(item.id)  # its request never went
        except asyncio.CancelledError:
            if not ticket.started:
                self._unsent.append(item.id)
            else:
                # Telegram may have it: like a crash, it goes again after the
                # claim is freed (at most `sends_in_flight` such rows).
                log.warning("outbox %s (%s) to chat %s: stopped on its way; it may be sent "
                            "again", item.id, item.kind, item.chat_id)
            raise
        except Exception as error:
            if is_unavailable(error) and not ticket.started:
                # The database went away before the request (the sender reads
                # the row's question, its chat...): nothing reached Telegram,
                # so the row is given back for the next round rather than
                # waiting out its claim's lease.
                log.warning("outbox %s (%s) to chat %s: the database is away; given back",
                            item.id, item.kind, item.chat_id)
                self._unsent.append(item.id)
                return
            # The store failed on this row: it stays claimed until its lease
            # ends; the other rows go on.
            log.error("outbox %s (%s) to chat %s: %s", item.id, item.kind, item.chat_id,
                      type(error).__name__, exc_info=(type(error), error, error.__traceback__))
        finally:
            self._sending.pop(task, None)
            self._outstanding -= 1
            self._progressed()
            if self._outstanding in (self.low, 0):  # time to claim more, or the end
                self._wake.set()

    def _progressed(self) -> None:
        # The scheduled round moves (a claim, a row done): /healthz tells a
        # long round from a stuck one by this.
        if self.scheduled:
            self.data.tick_progress_at = self.data.now()

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
        except inflight.Stopped:
            raise
        except Exception as error:
            if is_unavailable(error):
                raise  # not the row's fault: see _send_row
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
                    await record_surely(self.data, item, Outcome.SENT, lambda: store.question_sent(
                        item.id, item.prompt_id, result.message_id))
                else:
                    await record_surely(self.data, item, Outcome.SENT,
                                        lambda: store.sent(item.id, result.message_id))
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
                await record_surely(self.data, item, Outcome.UNKNOWN,
                                    lambda: store.finish(item.id, "unknown", result.reason))
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
        await record_surely(data, item, f"part {number + 1} {last.outcome}",
                            lambda done=number + 1: data.store.outbox.progressed(item.id, done))
        ticket = inflight.current()
        if ticket is not None:  # this part is written down: the next may go
            ticket.give_back()
    return last or skipped(item.chat_id, "nothing to send")
