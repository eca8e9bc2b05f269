"""Telegram's flood limits, enforced by the stand-in for the tests that must
show the bot keeps to them (several replicas sending for one bot, benchmarks).

Telegram allows a bot about 30 messages a second overall and 20 a minute in
one group, and answers 429 with retry_after when a bot goes faster. Both
limits are modelled as token buckets (a burst up to the limit, then a
steady rate), scaled by `speed` so a benchmark that would take minutes takes
seconds. What counts is what puts a message in a chat or changes one
(send*, edit*, copy and forward); reading a chat or answering a button press
does not.
"""

from __future__ import annotations

import time
from typing import Any

from .answers import UploadedFile
from .errors import ApiError
from .server import ApiCall, FakeTelegram

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
_COUNTED = ("send", "edit", "copyMessage", "copyMessages", "forwardMessage",
            "forwardMessages")


class TokenBucket:
    __slots__ = ("capacity", "checked", "level", "per_second")  # one per group ever sent to

    def __init__(self, capacity: float, per_second: float):
        self.capacity = capacity
        self.per_second = per_second
        self.level = capacity
        self.checked = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.checked) * self.per_second)
        self.checked = now
        if self.level >= 1 - 1e-9:  # float sums of tiny refills must not cost a token
            self.level -= 1
            return True
        return False


class FloodLimits:
    """The buckets: one for the bot, one per group."""

    def __init__(self, speed: float = 1.0):
        self.speed = speed
        self.overall = TokenBucket(OVERALL_PER_SECOND * speed, OVERALL_PER_SECOND * speed)
        self.groups: dict[int, TokenBucket] = {}

    def allow(self, chat_id: Any) -> bool:
        if not self.overall.take():
            return False
        if isinstance(chat_id, int) and chat_id < 0:
            bucket = self.groups.get(chat_id)
            if bucket is None:
                bucket = self.groups[chat_id] = TokenBucket(
                    GROUP_PER_MINUTE * self.speed, GROUP_PER_MINUTE * self.speed / 60)
            return bucket.take()
        return True


class FloodLimitedTelegram(FakeTelegram):
    """A FakeTelegram that answers 429 past Telegram's limits, and counts them."""

    def __init__(self, *args: Any, speed: float = 1.0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limits = FloodLimits(speed)
        self.http_429 = 0

    async def handle(self, api_method: str, params: dict[str, Any],
                     files: dict[str, UploadedFile]) -> tuple[int, bytes]:
        if api_method.startswith(_COUNTED) and not self.limits.allow(params.get("chat_id")):
            self.http_429 += 1
            refusal = ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self.calls.append(ApiCall(api_method, params, error=refusal.description))
            return refusal.error_code, refusal.payload()
        return await super().handle(api_method, params, files)
