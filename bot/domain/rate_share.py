"""How replicas of one bot share Telegram's overall rate, by what each uses.

Telegram allows a bot about 30 messages a second, whichever process sends
them. The leader sends the scheduled round; the other replicas send their
replies. Each replica that is not the leader says, every second, how much it
will send at most for the next few seconds (an offer: a little more than it
used lately, within [floor, ceiling]) and keeps to it; the leader takes
what the offers leave. The rule that keeps the total under the limit even
when the replicas cannot reach the database, or each other:

- a replica without a valid offer is counted at the ceiling, and keeps to
  the ceiling itself (the fixed split of before);
- a follower keeps to an offer for at least as long as the leader may rely
  on it: from before the offer is written (lowering comes first) until the
  offer's end counted from after the write came back (or failed: it may
  have been written all the same), and it keeps to the lowest offer still
  in force, so raising waits for the lower offer to end;
- the leader relies on an offer only until its end, minus a margin for
  requests on their way, counted from before it asked.

Pure code: the times are whatever clock the caller uses (seconds).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

# An offer holds this long; it is renewed every second or so.
OFFER_SECONDS = 3.0
# The leader stops relying on an offer this long before its end.
OFFER_MARGIN_SECONDS = 0.25


@dataclass(frozen=True)
class Offer:
    rate: float  # messages a second at most
    seconds_left: float  # until the offer ends, by the database's clock


def follower_offer(recent_rate: float, *, floor: float, ceiling: float) -> float:
    """What a follower offers to keep to: twice what it used lately plus the
    floor, so a growing burst of replies is not held back for long."""
    return max(floor, min(ceiling, 2 * recent_rate + floor))


def leader_rate(overall: float, *, ceiling: float, followers: int, offers: Iterable[Offer],
                margin: float = OFFER_MARGIN_SECONDS) -> tuple[float, float | None]:
    """The leader's rate, and for how many seconds it holds (None: always,
    it relies on no offer). `followers` is how many other replicas there are
    meant to be; each without an offer is counted at the ceiling."""
    valid = [offer for offer in offers if offer.seconds_left > margin]
    fixed = overall - ceiling * followers
    if not valid:
        return fixed, None
    others = sum(min(offer.rate, ceiling) for offer in valid)
    others += ceiling * max(0, followers - len(valid))
    rate = overall - others
    if rate <= fixed:
        return fixed, None
    holds = min(offer.seconds_left for offer in valid) - margin
    return rate, holds


@dataclass
class KeptOffer:
    rate: float
    kept_until: float = math.inf  # until the write is known to be over


class Offers:
    """The offers a follower has made and must keep to: the lowest in force."""

    def __init__(self) -> None:
        self._kept: list[KeptOffer] = []

    def make(self, rate: float) -> KeptOffer:
        offer = KeptOffer(rate)
        self._kept.append(offer)
        return offer

    def rate(self, now: float, *, ceiling: float) -> float:
        self._kept = [offer for offer in self._kept if offer.kept_until > now]
        return min([ceiling, *(offer.rate for offer in self._kept)])


class RecentUse:
    """How many messages a second a replica asked to send lately."""

    WINDOW_SECONDS = 3.0

    def __init__(self, window_seconds: float = WINDOW_SECONDS) -> None:
        self.window_seconds = window_seconds
        self._times: deque[float] = deque()

    def asked(self, now: float) -> None:
        self._times.append(now)
        self._drop(now)

    def rate(self, now: float) -> float:
        self._drop(now)
        return len(self._times) / self.window_seconds

    def _drop(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.window_seconds:
            self._times.popleft()
