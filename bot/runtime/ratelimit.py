"""Telegram's flood limits, for one process or for replicas sharing one bot.

Every request goes through python-telegram-bot's AIORateLimiter (its limit
per group, RetryAfter retried a few times), wrapped here:

- the overall rate is kept as an even pace (Pace), not as AIORateLimiter's
  bucket; requests without a chat, and reads about one, are not paced;
- the scheduled round's requests make way for updates (bot.runtime.traffic);
- at most `sends_in_flight` of the outbox's sends are on their way at once
  (bot.runtime.inflight), so a crash repeats at most that many;
- every 429 Telegram answers is counted (for /metrics), including those the
  limiter retried on its own;
- with REPLICAS > 1, Telegram's overall rate for the whole bot (whichever
  process sends) is shared out by use: each replica that is not the leader
  offers to keep to a little more than it used lately (at most
  follower_max_rate), and the leader, which alone sends the outbox
  (questions, summaries, digests), takes the rest (bot.domain.rate_share,
  bot.runtime.rate_sharing). Without offers (the database away) the split
  is the fixed one: follower_max_rate each, the leader the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.config import Settings
from bot.domain.rate_share import Offers, RecentUse
from bot.runtime import inflight
from bot.runtime.metrics import Metrics
from bot.runtime.traffic import Traffic


class Pace:
    """At most `rate` requests a second on average, never in a burst.

    Requests keep to a schedule of one slot every 1/rate seconds, so the
    rate holds over time. A wake-up that comes late (a busy loop) is made up
    over the following requests, but never by sending two closer together
    than `MIN_GAP` of the interval: bunched requests reach Telegram as a
    burst. After an idle spell the schedule starts afresh (no credit is
    saved up)."""

    MIN_GAP = 0.9  # of 1/rate

    def __init__(self, rate: float, *, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._slot = 0.0  # when the previous request was due
        self._last: float | None = None  # when it actually went
        self._turn = asyncio.Lock()
        self._lent: tuple[float, float] | None = None  # (rate, until)

    def now(self) -> float:
        """This pace's clock (the event loop's unless given one)."""
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def lend(self, rate: float, until: float) -> None:
        """A higher rate until `until` (this pace's clock), then `rate` again,
        whether or not anyone is awake to take it back."""
        self._lent = (rate, until)

    def end_loan(self) -> None:
        self._lent = None

    def current(self, now: float | None = None) -> float:
        """The rate in force now."""
        if self._lent is not None:
            lent, until = self._lent
            if (self.now() if now is None else now) < until:
                return lent
            self._lent = None
        return self.rate

    async def wait(self) -> None:
        async with self._turn:
            now = self.now()
            if self._last is None:
                self._slot = now
            else:
                interval = 1 / self.current(now)
                slot = self._slot + interval
                due = max(slot, self._last + self.MIN_GAP * interval)
                # A timer may fire a hair early (the loop rounds to its clock's
                # resolution); check again rather than go short.
                while due > (now := self.now()):
                    await self._sleep(due - now)
                self._slot = slot if now - slot < interval else now
            self._last = now


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, settings: Settings, metrics: Metrics, traffic: Traffic | None = None):
        self.metrics = metrics
        self.traffic = traffic
        self.shared = settings.replicas > 1
        self.leader_rate = (settings.overall_max_rate
                            - settings.follower_max_rate * (settings.replicas - 1))
        self.follower_rate = settings.follower_max_rate
        # The overall pace is kept here, evenly spaced: AIORateLimiter's own
        # bucket would let a full second's worth out at once, which reaches
        # Telegram bunched (429s) and leaves that many sends in flight, each
        # a possible duplicate if the process dies. The per-group limit stays
        # AIORateLimiter's.
        self._limiter = AIORateLimiter(overall_max_rate=0,
                                       group_max_rate=settings.group_max_rate,
                                       max_retries=settings.rate_limit_retries)
        # Sharing a bot: not the leader until the lease says so.
        rate = self.follower_rate if self.shared else settings.overall_max_rate
        self.pace = Pace(rate) if rate else None
        # Sharing by use (bot.runtime.rate_sharing): what this process asked
        # to send lately, and, as a follower, the offers it must keep to.
        self.leading = False
        self.use = RecentUse()
        self.offers = Offers()
        self.show_share()
        # Places for the outbox's sends on their way (bot.runtime.inflight).
        self.in_flight = asyncio.Semaphore(max(1, settings.sends_in_flight))

    def lead(self, leading: bool) -> None:
        self.leading = leading
        if self.pace is not None and self.shared:
            self.pace.end_loan()
            if leading:
                self.pace.rate = self.leader_rate
            else:
                # Offers made before it led may still be relied on by the new
                # leader: kept until they end.
                self.pace.rate = self.offers.rate(self.pace.now(), ceiling=self.follower_rate)
        self.show_share()

    def show_share(self) -> None:
        self.metrics.rate_share.set(self.pace.current() if self.pace is not None else 0)

    async def initialize(self) -> None:
        await self._limiter.initialize()

    async def shutdown(self) -> None:
        await self._limiter.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict | list:
        chat_id = data.get("chat_id")
        if chat_id is None:
            # Not about a chat (a button's pop-up, getMe...): no limit applies,
            # and a tap's pop-up is on the path of every answer, so it skips
            # the limiter's machinery. A 429 is still counted.
            try:
                return await callback(*args, **kwargs)
            except RetryAfter:
                self.metrics.hit_rate_limit()
                raise
        # Telegram's overall limit is on messages: requests to a chat are
        # paced, but not reads about one (getChatMemberCount, getChatMember...),
        # which deliver nothing and would otherwise take a message's place.
        # The per-group limit (AIORateLimiter's) still counts them.
        reading = endpoint.startswith("get")
        paced = self.pace if not reading else None
        if paced is not None and self.shared:
            self.use.asked(paced.now())
        # An outbox row's request (not a read, which delivers nothing) waits
        # for a place among the sends on their way, after the group's limit.
        ticket = inflight.current() if not reading else None

        async def request(*call_args: Any, **call_kwargs: Any) -> bool | dict | list:
            if self.traffic is not None:
                # The scheduled round's requests go between updates (a no-op
                # for any other); before the pace, so requests let go
                # together are still spaced.
                await self.traffic.make_way()
            if ticket is not None:
                await ticket.take(self.in_flight)
            if paced is not None:
                await paced.wait()
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter:
                self.metrics.hit_rate_limit()
                if ticket is not None:
                    # Telegram took nothing: the place is not held while
                    # the limiter waits out the 429.
                    ticket.give_back()
                raise

        return await self._limiter.process_request(request, args, kwargs, endpoint, data,
                                                   rate_limit_args)
