"""A fake Telegram that also enforces Telegram's flood limits and takes time
to answer, for benchmarks.

Telegram allows a bot about 30 messages a second overall and 20 a minute in
one group, and answers 429 with retry_after when a bot goes faster. Both
limits are token buckets (a burst up to the limit, then a steady rate).
Every request also takes a while, as over a real network (`latency`, a range
in seconds). Everything is scaled by `speed`, so a run that would take
minutes takes seconds: limits multiplied, latencies divided.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

from fake_telegram import FakeTelegram
from fake_telegram.constants import bot_user

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
# What the benchmark answers cheaply itself; anything else goes to the full fake.
SENDS = ("sendMessage", "editMessageText")


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
    def __init__(self, speed: float, latency: tuple[float, float] = (0.0, 0.0), seed: int = 1):
        super().__init__()
        self.speed = speed
        self.latency = latency
        self.rng = random.Random(seed)
        self.overall = TokenBucket(OVERALL_PER_SECOND * speed, OVERALL_PER_SECOND * speed)
        self.groups: dict[int, TokenBucket] = {}
        self.http_429 = 0
        self.delivered: Counter[int] = Counter()  # questions (sendMessage) per chat
        self.edited: Counter[int] = Counter()
        self.last_question_at = 0.0
        self.last_send_at = 0.0
        self.bot_user = bot_user()
        self._message_ids = 0

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
        if api_method not in SENDS:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        low, high = self.latency
        # Half the way there before Telegram counts it, half the way back.
        await asyncio.sleep(self.rng.uniform(low, high) / self.speed / 2)
        params = request_data.parameters
        chat_id = params["chat_id"]
        if not self._within_limits(chat_id):
            self.http_429 += 1
            body = {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1}}
            await asyncio.sleep(self.rng.uniform(low, high) / self.speed / 2)
            return 429, json.dumps(body).encode()
        # The tests check every request against the Bot API; here the fake only
        # answers, cheaply, so the CPU and memory measured are the bot's.
        if api_method == "sendMessage":
            self.delivered[chat_id] += 1
            self.last_question_at = time.perf_counter()
            self._message_ids += 1
            message_id = self._message_ids
        else:
            self.edited[chat_id] += 1
            message_id = params["message_id"]
        self.last_send_at = time.perf_counter()
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "group", "title": "Group"},
                   "from": self.bot_user, "text": "question"}
        await asyncio.sleep(self.rng.uniform(low, high) / self.speed / 2)
        return 200, json.dumps({"ok": True, "result": message}).encode()
