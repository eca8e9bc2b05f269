"""Every send to Telegram goes through here, and what each failure means.

AIORateLimiter (installed on the Application) keeps sends within Telegram's
flood limits and retries RetryAfter a few times itself. This layer decides
the rest, the same way for every send:

- sent: Telegram took it (an edit that changed nothing counts as sent);
- retry: it provably never reached Telegram (connection refused, connect or
  pool timeout, 429, a 5xx answer), so sending again cannot duplicate it;
- unknown: the request went out and no answer came back (read timeout,
  connection dropped); Telegram may have it, so it is never sent again;
- gone: the chat blocked or removed the bot (Forbidden): it is marked
  inactive and gets nothing more;
- refused: Telegram rejected this message (BadRequest); sending it again
  would fail the same way.

A group upgraded to a supergroup (ChatMigrated) has its data moved and the
send is tried once more at the new id.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.runtime.context import BotData

log = logging.getLogger(__name__)

# httpx errors raised before the request was fully sent: Telegram never saw it.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
               httpx.WriteTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)
# Telegram's way of saying an edit changed nothing: the message is as wanted.
_NOT_MODIFIED = "message is not modified"


class Outcome(enum.StrEnum):
    """What became of a send (and of an outbox row). A str, so that logs and
    metrics' labels read as the words themselves."""

    SENT = "sent"
    RETRY = "retry"
    UNKNOWN = "unknown"
    GONE = "gone"
    REFUSED = "refused"
    # The outbox's notions, never Telegram's: nothing was sent because
    # nothing was left to send (a question closed before it went out), or a
    # row kept failing with RETRY until the outbox stopped trying.
    SKIPPED = "skipped"
    GIVEN_UP = "given up"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    chat_id: int  # where it went (the new id after a supergroup upgrade)
    result: Any = None
    reason: str = ""  # short, for logs and the outbox: never message text
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SENT

    @property
    def message_id(self) -> int | None:
        return getattr(self.result, "message_id", None)


class Undeliverable(Exception):
    """A send that did not happen (for callers that must stop)."""

    def __init__(self, attempt: Attempt):
        super().__init__(f"{attempt.outcome.value} ({attempt.reason}): chat {attempt.chat_id}")
        self.attempt = attempt
        self.chat_id = attempt.chat_id

    @property
    def reason(self) -> str:
        return self.attempt.outcome.value


def classify(error: TelegramError) -> tuple[Outcome, str, float | None]:
    """What a failed request means: (outcome, reason, seconds to wait)."""
    if isinstance(error, RetryAfter):
        return Outcome.RETRY, "flood limit (429)", _seconds(error.retry_after)
    if isinstance(error, Forbidden):
        return Outcome.GONE, "forbidden", None
    if isinstance(error, BadRequest):
        if _NOT_MODIFIED in error.message.lower():
            return Outcome.SENT, "not modified", None
        return Outcome.REFUSED, f"bad request: {_short(error.message)}", None
    if isinstance(error, InvalidToken):
        return Outcome.REFUSED, "invalid token", None
    if isinstance(error, NetworkError):
        cause = error.__cause__
        if isinstance(cause, _NEVER_SENT) or "was *not* sent" in error.message:
            return Outcome.RETRY, f"network: {type(cause).__name__}", None
        if cause is None and not isinstance(error, TimedOut):
            # PTB raises a bare NetworkError for an HTTP error answer (5xx):
            # Telegram answered, and did not take the message.
            return Outcome.RETRY, f"server error: {_short(error.message)}", None
        name = type(cause).__name__ if cause is not None else type(error).__name__
        return Outcome.UNKNOWN, f"no answer: {name}", None
    return Outcome.REFUSED, f"telegram error: {type(error).__name__}", None


async def attempt(
    data: BotData, chat_id: int, method: str, send: Callable[[int], Awaitable[Any]]
) -> Attempt:
    """Try `send(chat_id)` once (twice after a supergroup upgrade); never raises
    for Telegram's errors."""
    for _ in range(2):
        try:
            return Attempt(Outcome.SENT, chat_id, await send(chat_id))
        except ChatMigrated as error:
            new_id = error.new_chat_id
            await data.store.chats.migrate(chat_id, new_id)
            log.info("%s: chat %s is now supergroup %s", method, chat_id, new_id)
            chat_id = new_id
        except TelegramError as error:
            outcome, reason, wait = classify(error)
            if outcome is not Outcome.SENT:
                data.metrics.send_failed(outcome.value, type(error).__name__)
            if outcome is Outcome.GONE:
                await data.store.chats.set_active(chat_id, False)
                await data.store.outbox.fail_pending_for_chat(chat_id, reason)
                log.info("%s: chat %s is gone; it will get nothing more", method, chat_id)
            elif outcome is not Outcome.SENT:
                # A refusal means we built a message Telegram will never take.
                level = logging.WARNING if outcome is Outcome.REFUSED else logging.INFO
                log.log(level, "%s to chat %s: %s (%s)", method, chat_id, outcome.value, reason)
            return Attempt(outcome, chat_id, None, reason, wait)
    return Attempt(Outcome.REFUSED, chat_id, None, "migrated twice")


async def deliver(
    data: BotData, chat_id: int, method: str, send: Callable[[int], Awaitable[Any]]
) -> tuple[Any, int]:
    """Send now, retrying what provably never arrived a few times with
    backoff; return (result, chat id reached) or raise Undeliverable."""
    settings = data.settings
    for failures in range(settings.send_retries + 1):
        result = await attempt(data, chat_id, method, send)
        if result.ok:
            return result.result, result.chat_id
        # A 429 has been waited out by the rate limiter already: holding the
        # person's update longer would not make the flood limit pass sooner.
        if (result.outcome is not Outcome.RETRY or result.retry_after is not None
                or failures == settings.send_retries):
            raise Undeliverable(result)
        chat_id = result.chat_id
        await asyncio.sleep(settings.send_retry_base_seconds * 2 ** failures)
    raise AssertionError("unreachable")


async def try_to(data: BotData, chat_id: int, method: str,
                 send: Callable[[int], Awaitable[Any]]) -> Any | None:
    """A send whose failure changes nothing for the caller (a reply, a
    reaction, a pop-up): its result, or None when it did not go."""
    try:
        result, _ = await deliver(data, chat_id, method, send)
    except Undeliverable:
        return None
    return result


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _short(text: str) -> str:
    # Telegram's descriptions name the problem, never the message's text.
    return text[:120]
