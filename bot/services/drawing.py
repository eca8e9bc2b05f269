"""Charts drawn in worker processes.

A chart costs Pillow about 15 ms of CPU (tests/bench/charts.py), and a
weekly round draws one per coordinator digest: at 10,000 groups, minutes of
CPU. Drawn in a thread, that time holds the interpreter's lock while the bot
is taking answers; drawn here, in another process, it holds nothing of the
bot's. The workers start with the first chart and stop after a quiet spell,
so a bot between digest rounds carries no worker at all. With `workers=0`
charts are drawn in a thread of the bot's own process (the tests, which
draw hundreds of small charts).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class ChartWorkers:
    def __init__(self, workers: int, idle_seconds: float = 120.0):
        self.workers = workers
        self.idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._drawing = 0
        self._idle: asyncio.TimerHandle | None = None
        # One chart at a time in the bot's own process: drawing never takes
        # more than one core from the bot, whatever the round asks at once.
        self._in_process = asyncio.Lock()

    async def draw(self, function: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
        """`function(*args, **kwargs)`, a module-level function whose
        arguments can be pickled, run off the event loop."""
        call = functools.partial(function, *args, **kwargs)
        if self.workers == 0:
            async with self._in_process:
                return await asyncio.to_thread(call)
        loop = asyncio.get_running_loop()
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pool is None:
            # "spawn": the bot's threads (the database's among them) must not
            # be copied into a forked child.
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
            log.info("chart workers started (%d)", self.workers)
        self._drawing += 1
        try:
            return await loop.run_in_executor(self._pool, call)
        finally:
            self._drawing -= 1
            if self._drawing == 0:
                self._idle = loop.call_later(self.idle_seconds, self._stop_when_idle)

    @property
    def running(self) -> bool:
        return self._pool is not None

    def _stop_when_idle(self) -> None:
        self._idle = None
        if self._drawing == 0 and self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            log.info("chart workers stopped (idle)")

    async def close(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
