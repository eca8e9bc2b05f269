"""Replicas share Telegram's overall rate by what each uses (bot.domain.rate_share).

Every SHARE_SECONDS each replica of a bot with REPLICAS > 1 takes one step:
a follower offers to keep to a little more than it asked to send lately,
and keeps to it; the leader reads the others' offers and lends its pace
the rest until the first of them ends. A step that cannot reach the
database changes nothing unsafe: a follower's offers run out and it falls
back to follower_max_rate; the leader's loan runs out on its own, back to
the fixed share.
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import Settings
from bot.domain.rate_share import (
    OFFER_MARGIN_SECONDS,
    OFFER_SECONDS,
    follower_offer,
    leader_rate,
)
from bot.runtime.ratelimit import SharedRateLimiter
from bot.store.rate_offers import RateOffers

log = logging.getLogger(__name__)

SHARE_SECONDS = 1.0


class RateSharing:
    def __init__(self, limiter: SharedRateLimiter, offers: RateOffers, session: str,
                 settings: Settings, *, offer_seconds: float = OFFER_SECONDS,
                 margin: float = OFFER_MARGIN_SECONDS):
        self.limiter = limiter
        self.store = offers
        self.session = session
        self.overall = settings.overall_max_rate
        self.ceiling = settings.follower_max_rate
        self.floor = min(settings.follower_min_rate, settings.follower_max_rate)
        self.followers = settings.replicas - 1
        self.offer_seconds = offer_seconds
        self.margin = margin
        self._failed = False

    async def step(self) -> None:
        pace = self.limiter.pace
        if pace is None or not self.limiter.shared:
            return
        try:
            if self.limiter.leading:
                await self._lead()
            else:
                await self._follow()
            if self._failed:
                log.info("sharing Telegram's rate with the other replicas again")
            self._failed = False
        except Exception as error:
            if not self._failed:
                log.warning("could not share Telegram's rate (%s); keeping the fixed "
                            "split until the database answers", type(error).__name__)
            self._failed = True
        finally:
            self.limiter.show_share()

    async def _follow(self) -> None:
        pace = self.limiter.pace
        rate = follower_offer(self.limiter.use.rate(pace.now()), floor=self.floor,
                              ceiling=self.ceiling)
        # Kept from before it is written (the leader may read it at once)
        # until its end counted from after the write, which may have gone
        # through even if it seemed to fail.
        offer = self.limiter.offers.make(rate)
        pace.rate = self.limiter.offers.rate(pace.now(), ceiling=self.ceiling)
        try:
            await asyncio.wait_for(self.store.offer(self.session, rate, self.offer_seconds),
                                   self.offer_seconds)
        finally:
            offer.kept_until = pace.now() + self.offer_seconds
            if not self.limiter.leading:  # it may have taken the lead meanwhile
                # Lower offers still in force hold the pace down until they end.
                pace.rate = self.limiter.offers.rate(pace.now(), ceiling=self.ceiling)

    async def _lead(self) -> None:
        pace = self.limiter.pace
        asked_at = pace.now()
        try:
            offers = await asyncio.wait_for(self.store.of_others(self.session),
                                            self.offer_seconds)
        except BaseException:
            pace.end_loan()
            raise
        if not self.limiter.leading:
            return  # stepped down meanwhile: the follower's pace is set
        rate, holds = leader_rate(self.overall, ceiling=self.ceiling,
                                  followers=self.followers, offers=offers, margin=self.margin)
        if holds is None:
            pace.end_loan()
        else:
            pace.lend(rate, asked_at + holds)
