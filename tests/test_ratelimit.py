"""Telegram's overall flood limit, kept as an even pace: one request every
1/rate seconds, never a burst (a burst reaches Telegram bunched and leaves
that many sends in flight); requests without a chat are not paced; replicas
share the rate; every 429 is counted."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from telegram.error import RetryAfter

from bot.config import Settings
from bot.runtime.metrics import Metrics
from bot.runtime.ratelimit import Pace, SharedRateLimiter


class PaceClock:
    """Time for a limiter's pace that moves only by the pace's own sleeps
    (each ending on time): what is measured is the pace, not the machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def through(limiter: SharedRateLimiter, count: int, data: dict,
                  endpoint: str = "sendMessage") -> list[float]:
    """When (on the pace's clock) each of `count` requests let go together went."""
    clock = PaceClock()
    limiter.pace = Pace(limiter.pace.rate, clock=clock, sleep=clock.sleep)
    times: list[float] = []

    async def request() -> bool:
        times.append(clock.now)
        return True

    await limiter.initialize()
    try:
        await asyncio.gather(*(limiter.process_request(request, (), {}, endpoint, data, None)
                               for _ in range(count)))
    finally:
        await limiter.shutdown()
    return sorted(times)


async def test_requests_to_chats_go_out_evenly_spaced_never_in_a_burst():
    limiter = SharedRateLimiter(Settings(overall_max_rate=50, group_max_rate=0), Metrics())
    times = await through(limiter, 11, {"chat_id": 42})
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # 1/50 s apart, one after another.
    assert gaps == pytest.approx([0.02] * 10)


def run_pace(late_by: list[float], requests: int):
    """(A coroutine giving) when each of `requests` went, on a fake clock whose sleeps end late by
    `late_by` in turn."""
    now = [0.0]
    lateness = iter(late_by)

    async def sleep(seconds: float) -> None:
        now[0] += seconds + next(lateness, 0.0)

    async def run() -> list[float]:
        pace = Pace(50, clock=lambda: now[0], sleep=sleep)
        went = []
        for _ in range(requests):
            await pace.wait()
            went.append(now[0])
        return went

    return run()


async def test_a_late_wake_up_is_made_up_without_bunching():
    """On a busy loop a sleep can end late. The schedule keeps to the rate on
    average (the next requests make the delay up), but no two requests are
    ever closer than 90 % of 1/rate."""
    went = await run_pace([0.015, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 20)
    gaps = [later - earlier for earlier, later in itertools.pairwise(went)]
    assert min(gaps) >= 0.018 - 1e-9
    assert max(gaps) == pytest.approx(0.035)  # the late one
    assert sorted(gaps)[0] == pytest.approx(0.018)  # the ones catching up
    assert went[-1] == pytest.approx(19 * 0.02)  # back on schedule: the rate held


async def test_no_credit_is_saved_up_while_idle():
    """After a long pause the next requests are spaced by 1/rate again, not
    sent at once to make up for the quiet time."""
    went = await run_pace([0.5], 6)  # the second request's wake-up is half a second late
    gaps = [later - earlier for earlier, later in itertools.pairwise(went)]
    assert gaps[0] == pytest.approx(0.52)
    assert gaps[1:] == pytest.approx([0.02] * 4)


async def test_requests_without_a_chat_are_not_paced():
    limiter = SharedRateLimiter(Settings(overall_max_rate=5, group_max_rate=0), Metrics())
    times = await through(limiter, 10, {"callback_query_id": "1"}, "answerCallbackQuery")
    assert times == [0.0] * 10  # paced, they would be 0.2 s apart


async def test_reads_about_a_chat_are_not_paced():
    """A weekly round asks each group's member count: those reads deliver no
    message and must not take the place of one in the pace."""
    limiter = SharedRateLimiter(Settings(overall_max_rate=5, group_max_rate=0), Metrics())
    clock = PaceClock()
    limiter.pace = Pace(limiter.pace.rate, clock=clock, sleep=clock.sleep)
    times: list[float] = []

    async def request() -> int:
        times.append(clock.now)
        return 21

    await limiter.initialize()
    try:
        await asyncio.gather(*(limiter.process_request(request, (), {}, "getChatMemberCount",
                                                       {"chat_id": -100 - n}, None)
                               for n in range(10)))
    finally:
        await limiter.shutdown()
    assert times == [0.0] * 10  # paced, they would be 0.2 s apart


async def test_replicas_share_the_rate_and_the_leader_takes_the_rest():
    settings = Settings(overall_max_rate=29, group_max_rate=0, replicas=2, follower_max_rate=4)
    limiter = SharedRateLimiter(settings, Metrics())
    assert limiter.pace.rate == 4  # a follower until the lease says otherwise
    limiter.lead(True)
    assert limiter.pace.rate == 25
    limiter.lead(False)
    assert limiter.pace.rate == 4


async def test_every_429_is_counted():
    metrics = Metrics()
    limiter = SharedRateLimiter(Settings(overall_max_rate=0, group_max_rate=0,
                                         rate_limit_retries=0), metrics)

    async def refused() -> bool:
        raise RetryAfter(1)

    await limiter.initialize()
    with pytest.raises(RetryAfter):
        await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 1}, None)
    # A pop-up skips the limiter's machinery; its 429 is counted all the same.
    with pytest.raises(RetryAfter):
        await limiter.process_request(refused, (), {}, "answerCallbackQuery",
                                      {"callback_query_id": "7"}, None)
    await limiter.shutdown()
    assert metrics.registry.get_sample_value("civic_reflect_telegram_429_total") == 2
