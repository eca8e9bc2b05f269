"""A fake Telegram that also enforces Telegram's flood limits, for benchmarks.

Telegram allows a bot about 30 messages a second overall and 20 a minute in
one group, and answers 429 with retry_after when a bot goes faster. Both
limits are modelled as token buckets (a burst up to the limit, then a steady
rate), scaled by `speed` so a run that would take minutes takes seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

from fake_telegram import FakeTelegram
from fake_telegram.constants import bot_user

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20


class TokenBucket:
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


class LimitedTelegram(FakeTelegram):
    def __init__(self, speed: float):
        super().__init__()
        self.speed = speed
        self.overall = TokenBucket(OVERALL_PER_SECOND * speed, OVERALL_PER_SECOND * speed)
        self.groups: dict[int, TokenBucket] = {}
        self.http_429 = 0
        self.delivered: Counter[int] = Counter()
        self.bot_user = bot_user()

    def _within_limits(self, chat_id: int | None) -> bool:
        if not self.overall.take():
            return False
        if chat_id is not None and chat_id < 0:
            bucket = self.groups.setdefault(chat_id, TokenBucket(
                GROUP_PER_MINUTE * self.speed, GROUP_PER_MINUTE * self.speed / 60))
            return bucket.take()
        return True

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        api_method = url.rsplit("/", 1)[-1]
        if api_method != "sendMessage":
            return await super().do_request(url, method, request_data, *args, **kwargs)
        await asyncio.sleep(0)  # like real I/O, let other sends interleave
        params = request_data.parameters
        chat_id = params["chat_id"]
        if not self._within_limits(chat_id):
            self.http_429 += 1
            body = {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1}}
            return 429, json.dumps(body).encode()
        # The tests check every request against the Bot API; here the fake only
        # answers, cheaply, so the CPU and memory measured are the bot's.
        self.delivered[chat_id] += 1
        message = {"message_id": self.delivered.total(), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "group", "title": "Group"},
                   "from": self.bot_user, "text": "question"}
        return 200, json.dumps({"ok": True, "result": message}).encode()
