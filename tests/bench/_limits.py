"""A fake Telegram that also enforces Telegram's flood limits, for benchmarks.

The limits are the package's (bot.sandbox.telegram.flood: token buckets of
about 30 messages a second overall and 20 a minute in one group, answering 429
with retry_after), scaled by `speed` so a run that would take minutes takes
seconds. Only sendMessage is counted and answered, cheaply, so the CPU and
memory measured are the bot's.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

from fake_telegram import FakeTelegram
from fake_telegram.constants import bot_user

from bot.sandbox.telegram.flood import FloodLimits


class LimitedTelegram(FakeTelegram):
    def __init__(self, speed: float):
        super().__init__()
        self.speed = speed
        self.limits = FloodLimits(speed)
        self.http_429 = 0
        self.delivered: Counter[int] = Counter()
        self.bot_user = bot_user()

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        api_method = url.rsplit("/", 1)[-1]
        if api_method != "sendMessage":
            return await super().do_request(url, method, request_data, *args, **kwargs)
        await asyncio.sleep(0)  # like real I/O, let other sends interleave
        params = request_data.parameters
        chat_id = params["chat_id"]
        if not self.limits.allow(chat_id):
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
