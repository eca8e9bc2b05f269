"""A fake Telegram that also enforces Telegram's flood limits and takes time
to answer, for benchmarks.

The limits are the package's (bot.sandbox.telegram.flood: token buckets of
about 30 messages a second overall and 20 a minute in one group, answering
429 with retry_after when a bot goes faster).
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

from bot.sandbox.telegram import FakeTelegram
from bot.sandbox.telegram.constants import bot_user
from bot.sandbox.telegram.flood import FloodLimits

OVERALL_PER_SECOND = 30
# What the benchmark answers cheaply itself; anything else goes to the full fake.
SENDS = ("sendMessage", "editMessageText")


class LimitedTelegram(FakeTelegram):
    def __init__(self, speed: float, latency: tuple[float, float] = (0.0, 0.0), seed: int = 1):
        super().__init__()
        self.speed = speed
        self.latency = latency
        self.rng = random.Random(seed)
        self.limits = FloodLimits(speed)
        self.http_429 = 0
        self.delivered: Counter[int] = Counter()  # questions (sendMessage) per chat
        self.edited: Counter[int] = Counter()
        self.last_question_at = 0.0
        self.last_send_at = 0.0
        self.bot_user = bot_user()
        self._message_ids = 0

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        api_method = url.rsplit("/", 1)[-1]
        if api_method not in SENDS:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        low, high = self.latency
        # Half the way there before Telegram counts it, half the way back.
        await asyncio.sleep(self.rng.uniform(low, high) / self.speed / 2)
        params = request_data.parameters
        chat_id = params["chat_id"]
        if not self.limits.allow(chat_id):
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
