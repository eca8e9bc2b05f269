"""Charts drawn in worker processes.

A weekly round draws a chart per coordinator digest, and with many groups
that adds up to minutes of CPU (tests/bench/charts.py measures a chart).
Drawn in a thread, that time holds the interpreter's lock while the bot is
taking answers; drawn here, in another process, it holds nothing of the
bot's. The workers start with the first chart and stop after a quiet spell,
so a bot between digest rounds carries no worker at all. They run at a
lower CPU priority than the bot (`niceness`): a digest can wait a moment,
a person's tap should not, and on a machine whose cores are all busy the
kernel then gives the taps the core first. With `workers=0`
charts are drawn in a thread of the bot's own process (the tests, which
draw hundreds of small charts).

Every chart needs the content packs and the UI strings. Sent with each
chart, pickling them would cost the bot's process time on every chart,
holding the interpreter's lock while the bot is taking answers, and
unpickling them more in the worker. Objects
given to `share` are sent once, to each worker as it starts; a draw that
passes one of them sends a short placeholder instead.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class _Shared:
    """Stands, in a call sent to a worker, for an object the worker got at its start."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


_given_at_start: tuple[Any, ...] = ()  # in a worker: the objects shared with it


def _start_worker(shared: tuple[Any, ...], niceness: int) -> None:
    global _given_at_start
    _given_at_start = shared
    if niceness > 0:
        os.nice(niceness)  # relative to the bot's own; the kernel stops at 19


def _in_worker(function: Callable[..., bytes], args: tuple, kwargs: dict) -> bytes:
    def resolved(value: Any) -> Any:
        return _given_at_start[value.index] if isinstance(value, _Shared) else value

    return function(*map(resolved, args), **{key: resolved(value)
                                             for key, value in kwargs.items()})


class ChartWorkers:
    def __init__(self, workers: int, idle_seconds: float = 120.0, niceness: int = 0):
        self.workers = workers
        self.idle_seconds = idle_seconds
        self.niceness = niceness
        self._shared: tuple[Any, ...] = ()
        self._pool: ProcessPoolExecutor | None = None
        self._pool_has: tuple[Any, ...] = ()  # what the running workers were given
        self._drawing = 0
        self._idle: asyncio.TimerHandle | None = None
        # One chart at a time in the bot's own process: drawing never takes
        # more than one core from the bot, whatever the round asks at once.
        self._in_process = asyncio.Lock()

    def share(self, *objects: Any) -> None:
        """Send these objects to each worker once, when it starts, rather
        than with every chart that takes one of them (until workers already
        running stop, they are sent in full)."""
        self._shared = objects
        if self._pool is not None and self._drawing == 0:
            if self._idle is not None:
                self._idle.cancel()
            self._stop_when_idle()

    def _placeholders(self, values: Any) -> list:
        shared = {id(value): index for index, value in enumerate(self._pool_has)}
        return [(_Shared(shared[id(value)]) if id(value) in shared else value)
                for value in values]

    async def draw(self, function: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
        """`function(*args, **kwargs)`, a module-level function whose
        arguments can be pickled, run off the event loop."""
        if self.workers == 0:
            async with self._in_process:
                return await asyncio.to_thread(functools.partial(function, *args, **kwargs))
        loop = asyncio.get_running_loop()
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pool is None:
            # "spawn": the bot's threads (the database's among them) must not
            # be copied into a forked child.
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker,
                                             initargs=(self._shared, self.niceness))
            self._pool_has = self._shared
            log.info("chart workers started (%d)", self.workers)
        call = functools.partial(_in_worker, function, tuple(self._placeholders(args)),
                                 dict(zip(kwargs, self._placeholders(kwargs.values()),
                                          strict=True)))
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
