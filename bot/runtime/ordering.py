"""How a received update is handled, whichever way it came: each chat's
updates in the order they came, chats side by side.

Both the confirming poller (bot.runtime.polling) and the webhook
(bot.runtime.server) handle updates side by side, and Telegram may deliver a
chat's updates to the webhook over several connections at once; either way
a reply must not overtake the message it answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.runtime import attempts
from bot.runtime.attempts import Attempt
from bot.runtime.context import BotApplication
from bot.store.outage import is_unavailable

log = logging.getLogger(__name__)


def chat_key(update: Update) -> int:
    """Whose updates this one keeps in order with: its chat's, else its
    person's (an inline query, a poll answer)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return -update.update_id  # no chat, no person: nothing to keep in order with


class InChatOrder:
    def __init__(self) -> None:
        # The latest update of each chat still in hand: done when it is.
        self._tails: dict[int, asyncio.Future] = {}

    async def handle(self, update: Update, work: Callable[[Update], Awaitable[None]]) -> None:
        """Run `work(update)` once the chat's earlier updates are done."""
        key = chat_key(update)
        earlier = self._tails.get(key)
        finished = asyncio.get_running_loop().create_future()
        self._tails[key] = finished
        try:
            if earlier is not None:
                # Shielded: this update given up (cancelled) while waiting
                # must not mark the earlier one done.
                await asyncio.shield(earlier)
            await work(update)
        finally:
            if earlier is not None and not earlier.done():
                # Given up while waiting: the later ones still wait for the earlier.
                earlier.add_done_callback(lambda _: self._done(key, finished))
            else:
                self._done(key, finished)

    def _done(self, key: int, finished: asyncio.Future) -> None:
        finished.set_result(None)
        if self._tails.get(key) is finished:
            del self._tails[key]


async def process(application: BotApplication, update: Update, *, via: str,
                  first_attempt: bool = True) -> bool:
    """Hand `update` to the application and count it (for /metrics) as
    handled `via` polling or the webhook. Returns False when the database
    could not be reached while handling it: then it must not be confirmed
    to Telegram, and is tried again (the poller) or comes again (the
    webhook). Any other failure is logged, not raised, so that one update
    never stops the others, and the update is done with (trying it again
    would fail again)."""
    attempt = Attempt(update.update_id, first=first_attempt)
    token = attempts.begin(attempt)
    try:
        await application.process_update(update)
    except Exception as error:
        if is_unavailable(error):
            return False
        # Handlers are guarded; this is the update loop's own failure.
        log.error("update %s could not be handled (%s)", update.update_id,
                  type(error).__name__)
        return True
    finally:
        attempts.end(token)
    if attempt.store_unavailable:
        return False
    application.bot_data.metrics.update_handled(via)
    return True
