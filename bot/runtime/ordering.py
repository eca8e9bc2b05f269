"""Each chat's updates handled in the order they came, chats side by side.

Used by the webhook (bot.runtime.server): Telegram may deliver a chat's updates over
several connections at once, and a reply must not overtake the message it
answers. (The poller, bot.runtime.polling, keeps the same order its own way.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update


class InChatOrder:
    def __init__(self) -> None:
        # The latest update of each chat still in hand: done when it is.
        self._tails: dict[int, asyncio.Future] = {}

    async def handle(self, update: Update, work: Callable[[Update], Awaitable[None]]) -> None:
        """Run `work(update)` once the chat's earlier updates are done."""
        sender = update.effective_chat or update.effective_user
        key = sender.id if sender is not None else -update.update_id
        earlier = self._tails.get(key)
        finished = asyncio.get_running_loop().create_future()
        self._tails[key] = finished
        try:
            if earlier is not None:
                await earlier
            await work(update)
        finally:
            finished.set_result(None)
            if self._tails.get(key) is finished:
                del self._tails[key]
