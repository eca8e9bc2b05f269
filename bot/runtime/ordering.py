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

from bot.runtime.context import BotApplication

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


async def process(application: BotApplication, update: Update, *, via: str) -> None:
    """Hand `update` to the application and count it (for /metrics) as
    handled `via` polling or the webhook; a failure is logged, not raised,
    so that one update never stops the others."""
    try:
        await application.process_update(update)
        application.bot_data.metrics.update_handled(via)
    except Exception as error:
        # Handlers are guarded; this is the update loop's own failure.
        log.error("update %s could not be handled (%s)", update.update_id,
                  type(error).__name__)
