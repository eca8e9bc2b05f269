"""Rounds of many due questions, for the tests of stopping, leading and
writing down what was sent: groups made due in a running bot's store,
Telegram answering slowly, and what reached each chat."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from bot.sandbox.telegram import FakeTelegram, visible_text
from bot.store import Store


async def make_due_groups(store: Store, count: int, first_chat_id: int,
                          due: datetime) -> list[int]:
    """`count` groups (ids counting down from `first_chat_id`) running the
    civil-society checklist, each with a question due at `due`, quiet hours
    off; their ids."""
    chats = [first_chat_id - number for number in range(count)]
    for number, chat_id in enumerate(chats):
        await store.chats.ensure(chat_id, kind="group", title=f"Group {number}",
                                 timezone="UTC", language="en")
        await store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00")
        await store.enrolments.start(chat_id, "checklist-cso", cadence="weekly",
                                     days=["mon"], local_time="09:00", next_due_at=due)
    return chats


def slow_telegram(monkeypatch, telegram: FakeTelegram, seconds: float,
                  methods: tuple[str, ...] = ("sendMessage",)) -> None:
    """Telegram takes `seconds` to answer each of `methods` (it has the
    message as soon as the request arrives)."""
    handle = telegram.handle

    async def slowly(api_method, params, files):
        answer = await handle(api_method, params, files)
        if api_method in methods:
            await asyncio.sleep(seconds)
        return answer

    monkeypatch.setattr(telegram, "handle", slowly)


def is_question(call) -> bool:
    return (call.method == "sendMessage" and call.error is None
            and " of 15)" in visible_text(call.params["text"]))


def questions_by_chat(telegram: FakeTelegram) -> Counter:
    """How many copies of a question reached each chat."""
    return Counter(call.params["chat_id"] for call in telegram.calls if is_question(call))
