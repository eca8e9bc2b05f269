"""Sending to Telegram with bounded retries, and what each failure means.

AIORateLimiter (installed on the Application) keeps sends within Telegram's
flood limits and retries RetryAfter itself; this layer adds what it does not
do: backoff on network errors, and the consequences of a chat that is gone
(Forbidden), moved (ChatMigrated) or refuses one message (BadRequest).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.context import BotData

log = logging.getLogger(__name__)
T = TypeVar("T")


class Undeliverable(Exception):
    """A send that will not succeed now. `reason` is "forbidden" (the chat is
    gone and now inactive), "refused" (Telegram rejected this message) or
    "unreachable" (still failing after every retry)."""

    def __init__(self, reason: str, chat_id: int):
        super().__init__(f"{reason}: chat {chat_id}")
        self.reason = reason
        self.chat_id = chat_id


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def deliver(
    data: BotData, chat_id: int, method: str, send: Callable[[int], Awaitable[T]]
) -> tuple[T, int]:
    """Run `send(chat_id)`; return its result and the chat id it reached
    (which differs after a supergroup upgrade)."""
    settings = data.settings
    failures = 0
    migrated = False
    while True:
        try:
            return await send(chat_id), chat_id
        except ChatMigrated as error:
            if migrated:
                raise Undeliverable("refused", chat_id) from error
            migrated = True
            await data.store.chats.migrate(chat_id, error.new_chat_id)
            log.info("%s: chat %s is now supergroup %s", method, chat_id, error.new_chat_id)
            chat_id = error.new_chat_id
            continue
        except Forbidden as error:
            await data.store.chats.set_active(chat_id, False)
            log.info("%s: chat %s is gone (%s); it will get nothing more", method, chat_id, error)
            raise Undeliverable("forbidden", chat_id) from error
        except BadRequest as error:
            log.warning("%s to chat %s was refused: %s", method, chat_id, error)
            raise Undeliverable("refused", chat_id) from error
        except (RetryAfter, NetworkError) as error:
            failures += 1
            if failures > settings.send_retries:
                log.warning("%s to chat %s failed %d times: %s", method, chat_id, failures, error)
                raise Undeliverable("unreachable", chat_id) from error
            wait = settings.send_retry_base_seconds * 2 ** (failures - 1)
            if isinstance(error, RetryAfter):
                wait = max(wait, _seconds(error.retry_after))
            await asyncio.sleep(wait)
