"""The live "N people have answered" line under a question, edited once per burst.

Telegram allows about 20 messages a minute per group, so a burst of taps
costs one edit: the first answer starts a short wait and the rest of the
burst finds it already waiting. Replicas take turns through the database
(bot.store.count_edits): a question's count is edited at most once a delay
whichever replica handled the taps, and never once the question is closed.
The waits are the bot's own tasks (not scheduler jobs): at shutdown a wait
is simply dropped (the next count, or the closing edit, says the same), an
edit under way is let finish.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot

from bot.runtime.context import BotData, finish_or_drop
from bot.services import questions
from bot.store.count_edits import CountEdits

log = logging.getLogger(__name__)


class CountRefresher:
    def __init__(self, delay_seconds: float):
        self.delay_seconds = delay_seconds
        self._waiting: dict[int, asyncio.Task] = {}  # prompt id -> its task, while it waits
        self._tasks: set[asyncio.Task] = set()  # waiting or editing

    def soon(self, bot: Bot, data: BotData, prompt_id: int) -> None:
        """Edit the question's count after the delay, unless an edit is already due."""
        if prompt_id in self._waiting:
            return
        self._wait(bot, data, prompt_id, self.delay_seconds)

    def _wait(self, bot: Bot, data: BotData, prompt_id: int, seconds: float) -> None:
        task = asyncio.get_running_loop().create_task(
            self._later(bot, data, prompt_id, seconds))
        self._waiting[prompt_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> list[int]:
        return sorted(self._waiting)

    async def _later(self, bot: Bot, data: BotData, prompt_id: int, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self._waiting.pop(prompt_id, None)
            raise
        await self._edit(bot, data, prompt_id)

    async def _edit(self, bot: Bot, data: BotData, prompt_id: int, *,
                    paced: bool = True) -> None:
        # Forget the wait before editing: an answer arriving during the edit
        # starts the next one instead of being lost.
        self._waiting.pop(prompt_id, None)
        try:
            wait = await CountEdits(data.store.db).take_turn(
                prompt_id, data.now(), timedelta(seconds=self.delay_seconds), paced=paced)
            if wait is None:
                return  # closed meanwhile: the closing edit has the last word
            if wait > 0:
                # Another replica edited it a moment ago: this count goes
                # at the next turn (unless a wait is already set for it).
                if prompt_id not in self._waiting:
                    self._wait(bot, data, prompt_id, wait)
                return
            await questions.refresh_count(bot, data, prompt_id)
        except Exception as error:  # a count is not worth more than a log line
            log.warning("count of question %s not refreshed (%s)", prompt_id,
                        type(error).__name__)

    async def now(self, bot: Bot, data: BotData, *, paced: bool = False) -> int:
        """Edit every waiting count at once (tests, the sandbox's time
        controls); `paced`, only those whose turn has come across replicas
        (the others wait for it)."""
        due = list(self._waiting)
        for prompt_id in due:
            self._waiting.pop(prompt_id).cancel()
            await self._edit(bot, data, prompt_id, paced=paced)
        return len(due)

    async def stop(self, within: float | None = None) -> int:
        """Drop the waits; let edits under way finish (with `within`, for
        that many seconds at most: a count waiting for its group's turn at
        Telegram is dropped). Returns how many edits were dropped."""
        for task in self._waiting.values():
            task.cancel()
        self._waiting.clear()
        if within is None:
            await asyncio.gather(*self._tasks, return_exceptions=True)
            return 0
        return await finish_or_drop(self._tasks, within)
