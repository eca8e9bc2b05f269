"""Replicas share Telegram's overall rate by what each uses: a quiet
follower leaves the leader nearly all of it, a busy one gets up to its
ceiling back, and whatever the database does (slow, failing, a write that
went through but seemed to fail, the lead moving), the replicas together
never pass the overall rate."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.config import Settings
from bot.domain.rate_share import (
    Offer,
    Offers,
    RecentUse,
    follower_offer,
    leader_rate,
)
from bot.runtime.metrics import Metrics
from bot.runtime.rate_sharing import RateSharing
from bot.runtime.ratelimit import Pace, SharedRateLimiter
from bot.store import Store
from tests.test_ratelimit import PaceClock

OVERALL, CEILING, FLOOR = 29.0, 4.0, 1.0


# -- the rule, pure ------------------------------------------------------------------------------


def test_a_follower_offers_twice_what_it_used_plus_the_floor_within_the_ceiling():
    assert follower_offer(0, floor=FLOOR, ceiling=CEILING) == 1.0
    assert follower_offer(1, floor=FLOOR, ceiling=CEILING) == 3.0
    assert follower_offer(10, floor=FLOOR, ceiling=CEILING) == 4.0


def test_the_leader_takes_what_the_offers_leave_until_the_first_ends():
    rate, holds = leader_rate(OVERALL, ceiling=CEILING, followers=1,
                              offers=[Offer(1.0, 3.0)], margin=0.25)
    assert (rate, holds) == (28.0, 2.75)
    # Two followers, one quiet, one busy.
    rate, holds = leader_rate(OVERALL, ceiling=CEILING, followers=2,
                              offers=[Offer(1.0, 2.0), Offer(4.0, 3.0)], margin=0.25)
    assert (rate, holds) == (24.0, 1.75)


def test_without_an_offer_each_follower_is_counted_at_the_ceiling():
    assert leader_rate(OVERALL, ceiling=CEILING, followers=1, offers=[]) == (25.0, None)
    # One of two followers offered; the other may use its whole ceiling.
    rate, _ = leader_rate(OVERALL, ceiling=CEILING, followers=2, offers=[Offer(1.0, 3.0)])
    assert rate == 29 - 1 - 4
    # An offer about to end is not relied on.
    assert leader_rate(OVERALL, ceiling=CEILING, followers=1, offers=[Offer(1.0, 0.1)],
                       margin=0.25) == (25.0, None)
    # An offer above the ceiling counts as the ceiling, never less.
    assert leader_rate(OVERALL, ceiling=CEILING, followers=1,
                       offers=[Offer(9.0, 3.0)]) == (25.0, None)


def test_a_follower_keeps_to_its_lowest_offer_in_force_so_raising_waits():
    offers = Offers()
    low = offers.make(1.0)
    assert offers.rate(0.0, ceiling=CEILING) == 1.0  # before the write is over
    low.kept_until = 3.0
    high = offers.make(4.0)
    high.kept_until = 4.0
    assert offers.rate(2.9, ceiling=CEILING) == 1.0
    assert offers.rate(3.0, ceiling=CEILING) == 4.0
    assert offers.rate(4.0, ceiling=CEILING) == CEILING  # none left: the fixed split


def test_recent_use_counts_the_last_window_only():
    use = RecentUse()
    for moment in (0.0, 0.5, 1.0, 2.9):
        use.asked(moment)
    assert use.rate(2.95) == pytest.approx(4 / RecentUse.WINDOW_SECONDS)
    assert use.rate(3.2) == pytest.approx(3 / RecentUse.WINDOW_SECONDS)
    assert use.rate(10.0) == 0.0


async def test_a_lent_rate_ends_on_its_own():
    clock = PaceClock()
    pace = Pace(2.0, clock=clock, sleep=clock.sleep)
    pace.lend(10.0, until=0.95)
    went = []
    for _ in range(14):
        await pace.wait()
        went.append(round(clock.now, 3))
    # Every 0.1 s while the loan lasts (to 0.95), then every 0.5 s.
    assert went[:11] == [round(0.1 * n, 3) for n in range(11)]
    assert went[11:] == [1.5, 2.0, 2.5]


# -- two replicas racing, against a database that misbehaves -------------------------------------


class UnreliableOffers:
    """The rate_offers table as the replicas see it: the database's clock
    is the loop's, and every call may be slow, fail before writing, or
    write and then fail (the answer lost on the way back)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: dict[str, tuple[float, float]] = {}  # session -> (rate, ends_at)

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def _trip(self) -> None:
        await asyncio.sleep(self.rng.choice((0, 0.001, 0.005, 0.02, 0.08)))

    async def offer(self, session: str, rate: float, seconds: float) -> None:
        await self._trip()
        fault = self.rng.random()
        if fault < 0.1:
            raise ConnectionError("before writing")
        self.rows[session] = (rate, self._now() + seconds)
        await self._trip()
        if fault < 0.2:
            raise ConnectionError("after writing")

    async def of_others(self, session: str) -> list[Offer]:
        await self._trip()
        if self.rng.random() < 0.1:
            raise ConnectionError("no answer")
        now = self._now()
        found = [Offer(rate, ends - now) for other, (rate, ends) in self.rows.items()
                 if other != session and ends > now]
        await self._trip()
        return found


async def test_two_replicas_never_pass_the_overall_rate_whatever_the_database_does():
    settings = Settings(replicas=2, overall_max_rate=OVERALL, follower_max_rate=CEILING,
                        follower_min_rate=FLOOR, group_max_rate=0)
    rng = random.Random(26)
    table = UnreliableOffers(rng)
    limiters = [SharedRateLimiter(settings, Metrics()) for _ in range(2)]
    # Time shrunk tenfold: offers hold 0.3 s, use is counted over as long,
    # steps come every 0.05 s or sooner. The limit is checked whatever the
    # machine's speed; a slow one only makes the leader's loans rarer.
    for limiter in limiters:
        limiter.use = RecentUse(0.3)
    sharing = [RateSharing(limiter, table, f"replica-{n}", settings, offer_seconds=0.3,
                           margin=0.025) for n, limiter in enumerate(limiters)]
    limiters[0].lead(True)
    worst = 0.0
    leader_best = 0.0
    stop = asyncio.Event()

    def total() -> float:
        # What each may send now: the leader its (possibly lent) pace, a
        # follower its pace, which its offers hold down.
        return sum(limiter.pace.current() for limiter in limiters)

    async def replica(n: int) -> None:
        while not stop.is_set():
            limiter = limiters[n]
            if not limiter.leading:
                # Now and then a burst of replies; mostly none.
                for _ in range(rng.choice((0,) * 12 + (1, 5, 20))):
                    limiter.use.asked(asyncio.get_running_loop().time())
            await sharing[n].step()
            await asyncio.sleep(rng.uniform(0, 0.05))

    async def lead_moves() -> None:
        while not stop.is_set():
            await asyncio.sleep(rng.uniform(0.2, 1.0))
            old = 0 if limiters[0].leading else 1
            limiters[old].lead(False)  # the lease is lost first...
            await asyncio.sleep(rng.choice((0, 0.01, 0.1)))
            limiters[1 - old].lead(True)  # ...then taken by the other

    async def watch() -> None:
        nonlocal worst, leader_best
        while not stop.is_set():
            worst = max(worst, total())
            leader = limiters[0] if limiters[0].leading else limiters[1]
            leader_best = max(leader_best, leader.pace.current())
            await asyncio.sleep(0.001)

    tasks = [asyncio.create_task(job) for job in (replica(0), replica(1), lead_moves(), watch())]
    await asyncio.sleep(6)
    stop.set()
    await asyncio.gather(*tasks)
    assert worst <= OVERALL + 1e-9
    # And the sharing did share: a quiet follower left the leader its floor's worth.
    assert leader_best == OVERALL - FLOOR


# -- on the real database ------------------------------------------------------------------------


async def test_offers_are_kept_by_the_databases_clock_and_each_process_sees_the_others(
        database_target):
    store = await Store.open(database_target)
    try:
        offers = store.rate_offers
        await offers.offer("follower", 1.5, 3.0)
        await offers.offer("leader", 4.0, 3.0)
        seen = await offers.of_others("leader")
        assert [offer.rate for offer in seen] == [1.5]
        assert 2.0 < seen[0].seconds_left <= 3.0
        await offers.offer("follower", 2.0, -1.0)  # ended a second ago
        assert await offers.of_others("leader") == []
        await offers.offer("follower", 3.0, 3.0)  # renewed in place
        assert [offer.rate for offer in await offers.of_others("leader")] == [3.0]
    finally:
        await store.close()


# -- the corners, one at a time ------------------------------------------------------------------

SECONDS = 0.3  # an offer's life in these tests
MARGIN = 0.02


class StoppedClock:
    """The replicas' and the database's clock, moved only by the test: what
    is checked is the rule, not how fast this machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedOffers:
    """The rate_offers table with a script: the test's clock is the
    database's, and a test decides how long a write takes, what happens
    while it is on its way, and whether the database answers at all."""

    def __init__(self, clock: StoppedClock) -> None:
        self.clock = clock
        self.rows: dict[str, tuple[float, float]] = {}
        self.write_takes = 0.0  # on its way to the database, before the row is written
        self.while_writing = None  # a coroutine function run once the row is written
        self.down = False

    async def offer(self, session: str, rate: float, seconds: float) -> None:
        if self.down:
            raise ConnectionError("down")
        self.clock.now += self.write_takes
        self.rows[session] = (rate, self.clock() + seconds)
        if self.while_writing is not None:
            await self.while_writing()

    async def of_others(self, session: str) -> list[Offer]:
        if self.down:
            raise ConnectionError("down")
        now = self.clock()
        return [Offer(rate, ends - now) for other, (rate, ends) in self.rows.items()
                if other != session and ends > now]


def two_replicas(table: ScriptedOffers) -> tuple[list[SharedRateLimiter], list[RateSharing]]:
    settings = Settings(replicas=2, overall_max_rate=OVERALL, follower_max_rate=CEILING,
                        follower_min_rate=FLOOR, group_max_rate=0)
    limiters = [SharedRateLimiter(settings, Metrics()) for _ in range(2)]
    for limiter in limiters:
        limiter.pace = Pace(limiter.pace.rate, clock=table.clock)
    sharing = [RateSharing(limiter, table, f"replica-{n}", settings, offer_seconds=SECONDS,
                           margin=MARGIN) for n, limiter in enumerate(limiters)]
    limiters[0].lead(True)
    return limiters, sharing


def busy(limiter: SharedRateLimiter) -> None:
    for _ in range(100):
        limiter.use.asked(limiter.pace.now())


def total(limiters) -> float:
    return sum(limiter.pace.current() for limiter in limiters)


async def test_a_follower_lowers_its_pace_before_the_leader_can_read_the_lower_offer():
    clock = StoppedClock()
    table = ScriptedOffers(clock)
    (leader, follower), (leads, follows) = two_replicas(table)
    busy(follower)
    await follows.step()
    assert follower.pace.current() == CEILING
    follower.use = RecentUse()  # quiet from now on
    clock.now += SECONDS  # the busy offer has ended
    seen = []

    async def leader_reads() -> None:
        await leads.step()
        seen.append((leader.pace.current(), follower.pace.current()))

    table.while_writing = leader_reads
    await follows.step()
    assert seen == [(OVERALL - FLOOR, FLOOR)]


async def test_a_follower_keeps_an_offer_until_its_end_counted_from_after_the_write():
    clock = StoppedClock()
    table = ScriptedOffers(clock)
    (leader, follower), (leads, follows) = two_replicas(table)
    table.write_takes = SECONDS / 2  # the offer reaches the database late
    await follows.step()  # offers the floor; the row ends SECONDS after it was written
    table.write_takes = 0.0
    await leads.step()
    assert leader.pace.current() == OVERALL - FLOOR
    # Busy now, past SECONDS from when it sent the offer but before the
    # row's end: the offer it makes is higher, but the floor still holds.
    clock.now += SECONDS * 2 / 3
    busy(follower)
    await follows.step()
    assert leader.pace.current() == OVERALL - FLOOR
    assert follower.pace.current() == FLOOR


async def test_the_leaders_loan_ends_on_its_own_when_the_database_goes():
    clock = StoppedClock()
    table = ScriptedOffers(clock)
    (leader, follower), (leads, follows) = two_replicas(table)
    await follows.step()
    await leads.step()
    assert leader.pace.current() == OVERALL - FLOOR
    table.down = True
    clock.now += SECONDS
    # The follower's offer has ended and it cannot make another: it may use
    # its ceiling again, and the leader, asking nobody, is back to the rest.
    busy(follower)
    await follows.step()
    assert follower.pace.current() == CEILING
    assert leader.pace.current() == OVERALL - CEILING
    await leads.step()
    assert leader.pace.current() == OVERALL - CEILING


async def test_a_replica_that_led_for_a_moment_keeps_the_offers_it_made_before():
    clock = StoppedClock()
    table = ScriptedOffers(clock)
    (first, second), (first_shares, second_shares) = two_replicas(table)
    await second_shares.step()  # the follower offers the floor
    first.lead(False)  # the lease moves to the follower...
    second.lead(True)
    second.lead(False)  # ...and on again, to the first, within the offer's life
    first.lead(True)
    await first_shares.step()  # reads the offer made before
    assert first.pace.current() == OVERALL - FLOOR
    assert second.pace.current() == FLOOR
